import * as tf from "@tensorflow/tfjs";
import { LEVELS } from "../data/schema";

export interface LocalizerSpec {
  /** Input is [inputPx, inputPx, 1]: one mid-sagittal T2 slice, resized and normalised. */
  readonly inputPx: number;
  /** Filters per block; every block but the last halves the resolution. */
  readonly filters: readonly number[];
}

/** Heatmap cells per side: inputPx / 2^(blocks - 1). */
export function heatmapSize(spec: LocalizerSpec): number {
  return spec.inputPx / 2 ** (spec.filters.length - 1);
}

/**
 * Heatmap localizer: [B, S, S, 1] -> logits [B, S/stride, S/stride, 5], one channel per disc level
 * (LEVELS order). The logits are turned into a distribution by a spatial softmax per channel; the
 * loss is cross entropy against a Gaussian target (spatialSoftmaxCe).
 */
export function buildLocalizer(spec: LocalizerSpec): tf.LayersModel {
  const input = tf.input({ shape: [spec.inputPx, spec.inputPx, 1], name: "slice" });
  let x: tf.SymbolicTensor = input;
  spec.filters.forEach((f, i) => {
    x = convBnRelu(x, f, `loc_b${i}a`);
    x = convBnRelu(x, f, `loc_b${i}b`);
    if (i < spec.filters.length - 1)
      x = tf.layers.maxPooling2d({ poolSize: 2, name: `loc_pool${i}` }).apply(x) as tf.SymbolicTensor;
  });
  // A wider receptive field at the end: the levels are told apart by counting from the sacrum.
  x = tf.layers
    .conv2d({
      filters: spec.filters[spec.filters.length - 1],
      kernelSize: 5,
      padding: "same",
      dilationRate: 1,
      activation: "relu",
      name: "loc_ctx",
    })
    .apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .conv2d({ filters: LEVELS.length, kernelSize: 1, name: "loc_heat" })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "localizer" });
}

export function convBnRelu(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
  let y = tf.layers
    .conv2d({ filters, kernelSize: 3, padding: "same", useBias: false, name: `${name}_conv` })
    .apply(x) as tf.SymbolicTensor;
  // Momentum 0.9, not the default 0.99: runs here are a few hundred steps, and with 0.99 the
  // moving statistics used at inference would still be near their initial values.
  y = tf.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: "relu", name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
}

/**
 * Gaussian target heatmaps, normalised to sum 1 per channel: [n, H, H, 5].
 * `points` are (x, y) in heatmap cell units (cell centres at 0.5, 1.5, ...); NaN = unlabelled, which
 * gives an all-zero channel that the loss ignores.
 */
export function gaussianTargets(
  points: readonly (readonly (readonly [number, number])[])[],
  size: number,
  sigmaCells: number,
): tf.Tensor4D {
  const k = LEVELS.length;
  const data = new Float32Array(points.length * size * size * k);
  points.forEach((pts, n) => {
    for (let c = 0; c < k; c++) {
      const [px, py] = pts[c];
      if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
      let total = 0;
      const base = n * size * size * k;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const dx = x + 0.5 - px;
          const dy = y + 0.5 - py;
          const v = Math.exp(-(dx * dx + dy * dy) / (2 * sigmaCells * sigmaCells));
          data[base + (y * size + x) * k + c] = v;
          total += v;
        }
      }
      if (total > 0) for (let i = 0; i < size * size; i++) data[base + i * k + c] /= total;
    }
  });
  return tf.tensor4d(data, [points.length, size, size, k]);
}
