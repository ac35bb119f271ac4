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
