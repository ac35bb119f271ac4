import * as tf from "@tensorflow/tfjs";
import { LEVELS } from "../data/schema";
import { convBnRelu } from "./localizer";

export interface ClassifierSpec {
  /** Crop side in pixels. */
  readonly cropPx: number;
  /** 2.5D channels: slices of the crop stacked as channels. */
  readonly channels: number;
  readonly filters: readonly number[];
  readonly dense: number;
  readonly dropout: number;
}

/** Level one-hot (5) + side (+1 left, -1 right, 0 none). */
export const META_SIZE = LEVELS.length + 1;

/**
 * One severity model per condition family, shared across levels and sides:
 * inputs crop [B, P, P, C] and meta [B, 6] -> softmax [B, 3] over SEVERITIES.
 * Level and side enter after global pooling, so the image features are shared and the meta input
 * only shifts the decision (e.g. L4/L5 is more often severe).
 */
export function buildClassifier(spec: ClassifierSpec, name = "classifier"): tf.LayersModel {
  const crop = tf.input({ shape: [spec.cropPx, spec.cropPx, spec.channels], name: "crop" });
  const meta = tf.input({ shape: [META_SIZE], name: "meta" });
  let x: tf.SymbolicTensor = crop;
  spec.filters.forEach((f, i) => {
    x = convBnRelu(x, f, `cls_b${i}a`);
    if (i > 0) x = convBnRelu(x, f, `cls_b${i}b`);
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `cls_pool${i}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: "cls_gap" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.concatenate({ name: "cls_meta" }).apply([x, meta]) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units: spec.dense, activation: "relu", name: "cls_fc" })
    .apply(x) as tf.SymbolicTensor;
  // Seeded (fitUnit reseeds it every epoch): tf.layers.dropout's masks are not reproducible.
  if (spec.dropout > 0)
    x = tf.layers.dropout({ rate: spec.dropout, name: "cls_drop" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: "softmax", name: "cls_out" })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: [crop, meta], outputs: out, name });
}

/** The meta vector for one crop. */
export function metaVector(levelIndex: number, side: "left" | "right" | null): number[] {
  const v = new Array<number>(META_SIZE).fill(0);
  v[levelIndex] = 1;
  v[LEVELS.length] = side === "left" ? 1 : side === "right" ? -1 : 0;
  return v;
}
