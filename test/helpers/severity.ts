import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../lib/util/rng";

/**
 * A classifier loss's targets for n samples in studies of 5 consecutive samples: labels [n] (0..2),
 * and the any-severe term's study membership mask [S, n] and per-study label [S] (a severe sample).
 */
export function severityTargets(
  rng: Rng,
  n: number,
): { labels: tf.Tensor1D; any_mask: tf.Tensor2D; any_label: tf.Tensor1D } {
  const labels = Array.from({ length: n }, () => rng.int(0, 2));
  const studies = Math.ceil(n / 5);
  const mask = new Float32Array(studies * n);
  const any = new Float32Array(studies);
  labels.forEach((l, i) => {
    mask[Math.floor(i / 5) * n + i] = 1;
    if (l === 2) any[Math.floor(i / 5)] = 1;
  });
  return {
    labels: tf.tensor1d(labels, "int32"),
    any_mask: tf.tensor2d(mask, [studies, n]),
    any_label: tf.tensor1d(any),
  };
}
