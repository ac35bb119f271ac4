import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { Rng } from "../../lib/util/rng";
import { batchNormLayerStep, onBackend, randn, relError } from "./parity";

// Gradients of our wasm kernels against tfjs's pure-JS cpu backend (the reference), on random
// tensors: loss = sum(conv2d(x, w) * r) so dy = r is random too.
interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  stride: number;
  pad: "same" | "valid";
}

const CASES: Case[] = [];
for (const k of [1, 3, 5, 7]) {
  for (const stride of [1, 2]) {
    for (const pad of ["same", "valid"] as const) {
      CASES.push({ n: k === 3 ? 4 : 1, h: 11, w: 9, ci: 3, co: 5, k, stride, pad });
    }
  }
}
CASES.push({ n: 3, h: 16, w: 16, ci: 16, co: 24, k: 3, stride: 1, pad: "same" });
CASES.push({ n: 2, h: 13, w: 7, ci: 8, co: 4, k: 3, stride: 2, pad: "same" });

function convGrads(
  c: Case,
  xv: Float32Array,
  wv: Float32Array,
  rv: Float32Array,
): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(wv, [c.k, c.k, c.ci, c.co]);
    const f = (a: tf.Tensor, b: tf.Tensor) => {
      const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(rv.subarray(0, y.size), y.shape)));
    };
    const [dx, dw] = tf.grads(f)([x, w]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

function outSize(size: number, k: number, stride: number, pad: "same" | "valid"): number {
  return pad === "same" ? Math.ceil(size / stride) : Math.ceil((size - k + 1) / stride);
}

describe("wasm training kernels match the cpu backend", () => {
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });

  it.each(CASES)("conv2d grads n=$n $h x $w x $ci -> $co, k=$k stride=$stride $pad", async (c) => {
    const rng = new Rng(c.k * 100 + c.stride * 10 + c.n);
    const xv = randn(rng, c.n * c.h * c.w * c.ci);
    const wv = randn(rng, c.k * c.k * c.ci * c.co);
    const rv = randn(
      rng,
      c.n * outSize(c.h, c.k, c.stride, c.pad) * outSize(c.w, c.k, c.stride, c.pad) * c.co,
    );
    const ref = await onBackend("cpu", () => convGrads(c, xv, wv, rv));
    expect(tf.getBackend()).toBe("wasm");
    const got = convGrads(c, xv, wv, rv);
    expect(got.dw.length).toBe(ref.dw.length);
    expect(got.dx.length).toBe(ref.dx.length);
    expect(relError(got.dw, ref.dw)).toBeLessThan(1e-4);
    expect(relError(got.dx, ref.dx)).toBeLessThan(1e-4);
  });

  it("leaves no wasm tensors behind", () => {
    const before = tf.memory().numTensors;
    const c = CASES[CASES.length - 1];
    const rng = new Rng(7);
    convGrads(
      c,
      randn(rng, c.n * c.h * c.w * c.ci),
      randn(rng, 9 * c.ci * c.co),
      randn(rng, c.n * 7 * 4 * c.co),
    );
    expect(tf.memory().numTensors).toBe(before);
    // Backend-level buffers too (kernel intermediates are TensorInfos the engine never sees).
    const b = tf.backend() as unknown as { numDataIds(): number };
    const ids = b.numDataIds();
    convGrads(
      c,
      randn(rng, c.n * c.h * c.w * c.ci),
      randn(rng, 9 * c.ci * c.co),
      randn(rng, c.n * 7 * 4 * c.co),
    );
    expect(b.numDataIds()).toBe(ids);
  });
});

describe("wasm Tile and the BatchNorm gradient match the cpu backend", () => {
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });

  it.each([
    { shape: [1, 1, 1, 5], reps: [2, 3, 4, 1] }, // BatchNorm's pattern: block repeats
    { shape: [1, 3], reps: [4, 1] },
    { shape: [2, 3], reps: [1, 2] }, // interleaved: stock kernel
    { shape: [2, 1, 3], reps: [2, 3, 1] },
  ])("tile $shape x $reps", async ({ shape, reps }) => {
    const v = randn(
      new Rng(5),
      shape.reduce((a, b) => a * b, 1),
    );
    const ref = await onBackend("cpu", () => tf.tidy(() => tf.tile(tf.tensor(v, shape), reps).dataSync()));
    const got = tf.tidy(() => tf.tile(tf.tensor(v, shape), reps).dataSync());
    expect(Array.from(got)).toEqual(Array.from(ref));
  });

  it("gradients of a training-mode BatchNormalization layer (x, gamma, beta)", async () => {
    const rng = new Rng(9);
    const shape = [4, 5, 3, 6];
    const xv = randn(rng, 4 * 5 * 3 * 6),
      rv = randn(rng, xv.length),
      gv = randn(rng, 6),
      bv = randn(rng, 6);
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor(xv, shape),
          gamma = tf.tensor1d(gv),
          beta = tf.tensor1d(bv);
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, [0, 1, 2]);
          return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b, g, 1e-3), tf.tensor(rv, shape)));
        };
        return tf
          .grads(f)([x, gamma, beta])
          .map((t) => t.dataSync() as Float32Array);
      });
    const ref = await onBackend("cpu", grads);
    const got = grads();
    for (let i = 0; i < 3; i++) expect(relError(got[i], ref[i])).toBeLessThan(1e-4);
  });
});

describe("BatchNormalization layer in training mode on wasm (fused kernel) matches the cpu backend", () => {
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });

  it.each([
    { shape: [4, 5, 3, 6] },
    { shape: [1, 7, 9, 16] },
    { shape: [8, 10] }, // dense-style: rank 2
  ])("gradients and moving statistics, input $shape", async ({ shape }) => {
    const run = batchNormLayerStep(shape);
    const ref = await onBackend("cpu", run);
    const got = run();
    // loss, dx, dgamma, dbeta, moving mean, moving variance
    for (let i = 0; i < ref.length; i++) expect(relError(got[i], ref[i]), `output ${i}`).toBeLessThan(1e-4);
  });
});

describe("wasm MaxPoolGrad matches the cpu backend", () => {
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });

  it.each([
    { shape: [2, 8, 8, 3], size: 2, stride: 2, pad: "valid" as const },
    { shape: [1, 7, 9, 4], size: 2, stride: 2, pad: "same" as const },
    { shape: [2, 9, 7, 5], size: 3, stride: 2, pad: "same" as const }, // overlapping windows
    { shape: [1, 6, 6, 2], size: 3, stride: 1, pad: "valid" as const },
  ])("$shape pool $size stride $stride $pad", async ({ shape, size, stride, pad }) => {
    const rng = new Rng(size * 10 + stride);
    const xv = randn(
      rng,
      shape.reduce((a, b) => a * b, 1),
    );
    const rv = randn(rng, xv.length);
    const grad = () =>
      tf.tidy(() => {
        const f = (x: tf.Tensor) => {
          const y = tf.maxPool(x as tf.Tensor4D, size, stride, pad);
          return tf.sum(tf.mul(y, tf.tensor(rv.subarray(0, y.size), y.shape)));
        };
        return tf.grad(f)(tf.tensor(xv, shape)).dataSync() as Float32Array;
      });
    const ref = await onBackend("cpu", grad);
    expect(relError(grad(), ref)).toBeLessThan(1e-6);
  });
});
