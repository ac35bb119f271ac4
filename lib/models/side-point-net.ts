import * as tf from "@tensorflow/tfjs";
import { convBnRelu } from "./localizer";

export interface SidePointSpec {
  /** Input is [inputPx, inputPx, 1]: one slice's window around a projected side point. */
  readonly inputPx: number;
  /** Filters per block; every block but the last halves the resolution (like the localizer). */
  readonly filters: readonly number[];
}

/** Heatmap cells per side: inputPx / 2^(blocks - 1). */
export function sidePointMapSize(spec: SidePointSpec): number {
  return spec.inputPx / 2 ** (spec.filters.length - 1);
}

/**
 * Side-point heatmap net: [B, P, P, 1] -> logits [B, P/stride, P/stride, 1]. A sigmoid per cell, not
 * a spatial softmax: the peak's height is compared across slices to choose one, so it must say how
 * much the slice looks like the labelled one, not only where the point is.
 */
export function buildSidePointNet(spec: SidePointSpec, name: string): tf.LayersModel {
  const input = tf.input({ shape: [spec.inputPx, spec.inputPx, 1], name: `${name}_window` });
  let x: tf.SymbolicTensor = input;
  spec.filters.forEach((f, i) => {
    x = convBnRelu(x, f, `${name}_b${i}a`);
    x = convBnRelu(x, f, `${name}_b${i}b`);
    if (i < spec.filters.length - 1)
      x = tf.layers.maxPooling2d({ poolSize: 2, name: `${name}_pool${i}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers
    .conv2d({
      filters: spec.filters[spec.filters.length - 1],
      kernelSize: 5,
      padding: "same",
      activation: "relu",
      name: `${name}_ctx`,
    })
    .apply(x) as tf.SymbolicTensor;
  // Bias starts low: most cells are background, and a start at sigmoid 0.5 wastes the first epochs.
  const out = tf.layers
    .conv2d({
      filters: 1,
      kernelSize: 1,
      biasInitializer: tf.initializers.constant({ value: -4 }),
      name: `${name}_heat`,
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name });
}

/**
 * Target heatmaps [n, S, S, 1]: a Gaussian of height `amplitude` (1 on the labelled slice, less on
 * its neighbours) at (x, y) in cell units (cell centres at 0.5, 1.5, ...).
 */
export function sidePointTargets(
  points: readonly { readonly x: number; readonly y: number; readonly amplitude: number }[],
  size: number,
  sigmaCells: number,
): tf.Tensor4D {
  const data = new Float32Array(points.length * size * size);
  points.forEach(({ x: px, y: py, amplitude }, n) => {
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const d2 = (x + 0.5 - px) ** 2 + (y + 0.5 - py) ** 2;
        data[n * size * size + y * size + x] = amplitude * Math.exp(-d2 / (2 * sigmaCells * sigmaCells));
      }
  });
  return tf.tensor4d(data, [points.length, size, size, 1]);
}

/**
 * Cell-wise sigmoid cross entropy, cells near the target weighted up (1 + 20 t): a few target cells
 * among hundreds of background ones would otherwise teach "nothing anywhere".
 */
export function sidePointLoss(logits: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const w = tf.add(1, tf.mul(20, target));
    // max(z, 0) - z t + log(1 + exp(-|z|)): the stable form of the sigmoid cross entropy.
    const ce = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, target)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    return tf.div(tf.sum(tf.mul(w, ce)), tf.sum(w)) as tf.Scalar;
  });
}

/**
 * The peak of one heatmap of logits (size x size, row-major): its height (sigmoid) and position in
 * cell units (centres at +0.5), refined by the sigmoid-weighted centroid of the 3x3 cells around it.
 */
export function decodePeak(logits: ArrayLike<number>, size: number): { x: number; y: number; peak: number } {
  let best = 0;
  for (let i = 1; i < size * size; i++) if (logits[i] > logits[best]) best = i;
  const bx = best % size;
  const by = Math.floor(best / size);
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let y = Math.max(0, by - 1); y <= Math.min(size - 1, by + 1); y++)
    for (let x = Math.max(0, bx - 1); x <= Math.min(size - 1, bx + 1); x++) {
      const w = 1 / (1 + Math.exp(-logits[y * size + x]));
      sw += w;
      sx += w * (x + 0.5);
      sy += w * (y + 0.5);
    }
  return { x: sx / sw, y: sy / sw, peak: 1 / (1 + Math.exp(-logits[best])) };
}
