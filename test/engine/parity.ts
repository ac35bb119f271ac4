import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../lib/util/rng";

/** Deterministic normal values. */
export function randn(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** max|a-b| / max|b|: the error relative to the reference's scale. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Run `f` with tfjs switched to `backend`, returning plain arrays. */
export async function onBackend<T>(backend: string, f: () => T): Promise<T> {
  const prev = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return f();
  } finally {
    await tf.setBackend(prev);
  }
}

/**
 * One training-mode step of a BatchNormalization layer on seeded inputs of `shape` (offset mean, so a
 * naive variance formula would lose precision): a function returning, on the current backend, the
 * loss sum(y * r), dx, dgamma, dbeta and the updated moving mean and variance.
 */
export function batchNormLayerStep(shape: number[]): () => Float32Array[] {
  const rng = new Rng(shape.length * 10 + shape[0]);
  const size = shape.reduce((a, b) => a * b, 1);
  const c = shape[shape.length - 1];
  const xv = randn(rng, size).map((v) => 3 + 2 * v),
    rv = randn(rng, size);
  const weights = [randn(rng, c), randn(rng, c), randn(rng, c), randn(rng, c).map((v) => 1 + Math.abs(v))];
  return () =>
    tf.tidy(() => {
      const layer = tf.layers.batchNormalization({ momentum: 0.9 });
      layer.build(shape);
      layer.setWeights(weights.map((w) => tf.tensor1d(w)));
      const x = tf.variable(tf.tensor(xv, shape));
      const r = tf.tensor(rv, shape);
      const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar,
        vars,
      );
      const out = [value, ...vars.map((v) => grads[v.name]), ...layer.getWeights().slice(2)].map(
        (t) => t.dataSync() as Float32Array,
      );
      x.dispose();
      return out;
    });
}
