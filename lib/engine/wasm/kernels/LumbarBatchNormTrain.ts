import * as tf from "@tensorflow/tfjs";
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { f32 } from "../heap";
import { free, run } from "../stock";

/**
 * Training-mode batch normalisation over all axes but the last, as ONE kernel and ONE gradient
 * kernel working on wasm memory directly. tfjs-layers builds it from moments (Mean,
 * SquaredDifference, Mean) + FusedBatchNorm, whose gradient is a dozen full-size kernels (Sub, Mul,
 * Tile, Sum, ...): about a quarter of a 2.5D training step. Here: 2 passes forward, 2 backward.
 *
 * Forward  inputs x [..., C], gamma [C], beta [C]; attrs {epsilon}
 *          outputs y = (x - mean) / sqrt(var + eps) * gamma + beta, mean [C], variance [C] (biased).
 * Gradient dx = gamma * invstd / R * (R * dy - sum(dy) - xhat * sum(dy * xhat)), R = rows,
 *          dgamma = sum(dy * xhat), dbeta = sum(dy); mean/variance outputs carry no gradient.
 */
export const LUMBAR_BATCH_NORM_TRAIN = "LumbarBatchNormTrain";
export const LUMBAR_BATCH_NORM_TRAIN_GRAD = "LumbarBatchNormTrainGrad";

interface BnAttrs {
  epsilon: number;
}

function stats(
  x: Float32Array,
  c: number,
): { mean: Float64Array; invstd: Float64Array; variance: Float64Array; rows: number } {
  const rows = x.length / c;
  const sum = new Float64Array(c),
    sq = new Float64Array(c);
  for (let r = 0, o = 0; r < rows; r++, o += c) {
    for (let k = 0; k < c; k++) {
      const v = x[o + k];
      sum[k] += v;
      sq[k] += v * v;
    }
  }
  const mean = new Float64Array(c),
    variance = new Float64Array(c),
    invstd = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    mean[k] = sum[k] / rows;
    variance[k] = Math.max(0, sq[k] / rows - mean[k] * mean[k]);
  }
  return { mean, variance, invstd, rows };
}

function batchNormTrainKernel(args: {
  inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  backend: BackendWasm;
  attrs: BnAttrs;
}): TensorInfo[] {
  const { backend: b, inputs, attrs } = args;
  const { x, gamma, beta } = inputs;
  const c = x.shape[x.shape.length - 1];
  const meanOut = b.makeOutput([c], "float32");
  const varOut = b.makeOutput([c], "float32");
  const xv = f32(b, x);
  const s = stats(xv, c);
  const g = f32(b, gamma),
    be = f32(b, beta);
  const scale = new Float32Array(c),
    shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const inv = 1 / Math.sqrt(s.variance[k] + attrs.epsilon);
    scale[k] = g[k] * inv;
    shift[k] = be[k] - s.mean[k] * g[k] * inv;
  }
  // The elementwise pass runs in the stock SIMD kernels (broadcast over the last axis), ~10x a JS loop.
  const y = affine(b, x, scale, shift);
  f32(b, meanOut).set(s.mean);
  f32(b, varOut).set(s.variance);
  return [y, meanOut, varOut];
}

function batchNormTrainGrad(args: {
  inputs: { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; variance: TensorInfo };
  backend: BackendWasm;
  attrs: BnAttrs;
}): TensorInfo[] {
  const { backend: b, inputs, attrs } = args;
  const { dy, x } = inputs;
  const c = x.shape[x.shape.length - 1];
  const dgOut = b.makeOutput([c], "float32");
  const dbOut = b.makeOutput([c], "float32");
  const xv = f32(b, x),
    dyv = f32(b, dy),
    g = f32(b, inputs.gamma),
    mean = f32(b, inputs.mean),
    variance = f32(b, inputs.variance);
  const rows = xv.length / c;
  const invstd = new Float64Array(c);
  for (let k = 0; k < c; k++) invstd[k] = 1 / Math.sqrt(variance[k] + attrs.epsilon);
  const sdy = new Float64Array(c),
    sdyx = new Float64Array(c);
  for (let r = 0, o = 0; r < rows; r++, o += c) {
    for (let k = 0; k < c; k++) {
      const d = dyv[o + k];
      sdy[k] += d;
      sdyx[k] += d * (xv[o + k] - mean[k]);
    }
  }
  // dgamma = sum(dy * xhat) = invstd * sum(dy * (x - mean)).
  const dg = new Float32Array(c),
    a = new Float32Array(c),
    bb = new Float32Array(c),
    cc = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    dg[k] = sdyx[k] * invstd[k];
    // dx = k1 * dy + k2 * (x - mean) + k3 with k1 = g*inv, k2 = -g*inv^3*sdyx/R, k3 = -g*inv*sdy/R.
    a[k] = g[k] * invstd[k];
    bb[k] = (-g[k] * invstd[k] * invstd[k] * invstd[k] * sdyx[k]) / rows;
    cc[k] = (-g[k] * invstd[k] * sdy[k]) / rows - bb[k] * mean[k];
  }
  const t = affine(b, x, bb, cc); // bb * x + cc
  const u = vector(b, a);
  const ady = run(b, "Multiply", { a: dy, b: u });
  const dx = run(b, "Add", { a: ady, b: t });
  free(b, t, u, ady);
  f32(b, dgOut).set(dg);
  f32(b, dbOut).set(sdy);
  return [dx, dgOut, dbOut];
}

/** A [C] float32 tensor holding `v`. */
function vector(b: BackendWasm, v: Float32Array): TensorInfo {
  const t = b.makeOutput([v.length], "float32");
  f32(b, t).set(v);
  return t;
}

/** x * scale + shift, per channel of the last axis. */
function affine(b: BackendWasm, x: TensorInfo, scale: Float32Array, shift: Float32Array): TensorInfo {
  const sc = vector(b, scale),
    sh = vector(b, shift);
  const m = run(b, "Multiply", { a: x, b: sc });
  const y = run(b, "Add", { a: m, b: sh });
  free(b, sc, sh, m);
  return y;
}

export const lumbarBatchNormTrainConfig: KernelConfig = {
  kernelName: LUMBAR_BATCH_NORM_TRAIN,
  backendName: "wasm",
  kernelFunc: batchNormTrainKernel as unknown as KernelFunc,
};

export const lumbarBatchNormTrainGradConfig: KernelConfig = {
  kernelName: LUMBAR_BATCH_NORM_TRAIN_GRAD,
  backendName: "wasm",
  kernelFunc: batchNormTrainGrad as unknown as KernelFunc,
};

/** Gradient of LumbarBatchNormTrain w.r.t. x, gamma, beta (the mean/variance outputs are statistics only). */
export const lumbarBatchNormTrainGradient: GradConfig = {
  kernelName: LUMBAR_BATCH_NORM_TRAIN,
  inputsToSave: ["x", "gamma"],
  outputsToSave: [false, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [x, gamma, mean, variance] = saved;
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel(LUMBAR_BATCH_NORM_TRAIN_GRAD, { dy, x, gamma, mean, variance }, attrs) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/** y, mean, variance of a training-mode batch norm over all axes but the last (wasm only). */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf
    .engine()
    .runKernel(LUMBAR_BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon } as unknown as NamedAttrMap) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}
