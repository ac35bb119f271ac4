import { GraphBuildError } from "../../errors";
import type { Dim, Graph, Ref } from "../graph";
import type { Attr } from "../proto";
import { constant, ints } from "./array";

/** Neural-network ops, NHWC, float32: convolution, batch norm, pooling, dense, softmax. */

const F = { type: "float" } as const;

export interface ConvOptions {
  readonly strides: number;
  readonly padding: "SAME" | "VALID";
  readonly dilation: number;
}

function convAttrs(o: ConvOptions): Record<string, Attr> {
  return {
    T: F,
    strides: { ints: [1, o.strides, o.strides, 1] },
    padding: { s: o.padding },
    data_format: { s: "NHWC" },
    dilations: { ints: [1, o.dilation, o.dilation, 1] },
    use_cudnn_on_gpu: { b: true },
    explicit_paddings: { ints: [] },
  };
}

function spatialOut(n: Dim, k: number, o: ConvOptions): Dim {
  if (typeof n !== "number") return n;
  const span = (k - 1) * o.dilation + 1;
  return o.padding === "SAME" ? Math.ceil(n / o.strides) : Math.ceil((n - span + 1) / o.strides);
}

/** x [B, H, W, Cin] * filter [kh, kw, Cin, Cout] -> [B, H', W', Cout]. */
export function conv2d(g: Graph, x: Ref, filter: Ref, o: ConvOptions): Ref {
  const [kh, kw, , cout] = filter.shape as number[];
  const [b, h, w] = x.shape;
  return g.add1("Conv2D", [x, filter], convAttrs(o), {
    dtype: "float",
    shape: [b, spatialOut(h, kh, o), spatialOut(w, kw, o), cout],
  });
}

/** d(conv)/dx: `inputSizes` is x's shape (an int32 vector computed in the graph). */
export function conv2dBackpropInput(
  g: Graph,
  inputSizes: Ref,
  filter: Ref,
  dy: Ref,
  o: ConvOptions,
  xShape: readonly Dim[],
): Ref {
  return g.add1("Conv2DBackpropInput", [inputSizes, filter, dy], convAttrs(o), {
    dtype: "float",
    shape: xShape,
  });
}

/** d(conv)/dfilter. */
export function conv2dBackpropFilter(
  g: Graph,
  x: Ref,
  filterShape: readonly number[],
  dy: Ref,
  o: ConvOptions,
): Ref {
  return g.add1("Conv2DBackpropFilter", [x, ints(g, filterShape), dy], convAttrs(o), {
    dtype: "float",
    shape: filterShape,
  });
}

export function biasAdd(g: Graph, x: Ref, bias: Ref): Ref {
  return g.add1(
    "BiasAdd",
    [x, bias],
    { T: F, data_format: { s: "NHWC" } },
    { dtype: "float", shape: x.shape },
  );
}

export function biasAddGrad(g: Graph, dy: Ref): Ref {
  const c = dy.shape[dy.shape.length - 1];
  return g.add1("BiasAddGrad", [dy], { T: F, data_format: { s: "NHWC" } }, { dtype: "float", shape: [c] });
}

function bnAttrs(epsilon: number, training: boolean): Record<string, Attr> {
  return {
    T: F,
    U: F,
    epsilon: { f: epsilon },
    exponential_avg_factor: { f: 1 },
    data_format: { s: "NHWC" },
    is_training: { b: training },
  };
}

/**
 * FusedBatchNormV3 over all axes but the last. Training: statistics of the batch; outputs y, the
 * batch mean, the Bessel-corrected batch variance and three reserve spaces (only the gradient reads
 * them; their meaning differs between CPU and cuDNN). Inference: `mean`/`variance` normalise.
 */
export function fusedBatchNorm(
  g: Graph,
  x: Ref,
  scale: Ref,
  offset: Ref,
  stats: { mean: Ref; variance: Ref } | null,
  epsilon: number,
): Ref[] {
  const c = x.shape[x.shape.length - 1];
  const vec = { dtype: "float" as const, shape: [c] };
  const mean = stats?.mean ?? constant(g, "float", [], [0]);
  const variance = stats?.variance ?? constant(g, "float", [], [0]);
  return g.add("FusedBatchNormV3", [x, scale, offset, mean, variance], bnAttrs(epsilon, stats === null), [
    { dtype: "float", shape: x.shape },
    vec,
    vec,
    vec,
    vec,
    { dtype: "float", shape: ["?"] },
  ]);
}

/** Training-mode batch norm's gradient: dx, dscale, doffset from the forward's reserve spaces. */
export function fusedBatchNormGrad(
  g: Graph,
  dy: Ref,
  x: Ref,
  scale: Ref,
  reserve: readonly Ref[],
  epsilon: number,
): Ref[] {
  const { exponential_avg_factor: _unused, ...attrs } = bnAttrs(epsilon, true);
  const c = x.shape[x.shape.length - 1];
  return g.add("FusedBatchNormGradV3", [dy, x, scale, ...reserve], attrs, [
    { dtype: "float", shape: x.shape },
    { dtype: "float", shape: [c] },
    { dtype: "float", shape: [c] },
    { dtype: "float", shape: [0] },
    { dtype: "float", shape: [0] },
  ]);
}

export function reluGrad(g: Graph, dy: Ref, y: Ref): Ref {
  return g.add1("ReluGrad", [dy, y], { T: F }, { dtype: "float", shape: y.shape });
}

/** Square max pooling, `pool` x `pool` windows, stride `pool`, VALID. */
export function maxPool(g: Graph, x: Ref, pool: number, strides: number, padding: "SAME" | "VALID"): Ref {
  const [b, h, w, c] = x.shape;
  const o = { strides, padding, dilation: 1 };
  return g.add1("MaxPool", [x], poolAttrs(pool, strides, padding), {
    dtype: "float",
    shape: [b, spatialOut(h, pool, o), spatialOut(w, pool, o), c],
  });
}

function poolAttrs(pool: number, strides: number, padding: string): Record<string, Attr> {
  return {
    T: F,
    ksize: { ints: [1, pool, pool, 1] },
    strides: { ints: [1, strides, strides, 1] },
    padding: { s: padding },
    data_format: { s: "NHWC" },
  };
}

export function maxPoolGrad(g: Graph, x: Ref, y: Ref, dy: Ref, attrs: Readonly<Record<string, Attr>>): Ref {
  return g.add1("MaxPoolGrad", [x, y, dy], attrs, { dtype: "float", shape: x.shape });
}

/** a [M, K] x b [K, N], either transposed first. */
export function matMul(g: Graph, a: Ref, b: Ref, transposeA = false, transposeB = false): Ref {
  const m = transposeA ? a.shape[1] : a.shape[0];
  const n = transposeB ? b.shape[0] : b.shape[1];
  const ka = transposeA ? a.shape[0] : a.shape[1];
  const kb = transposeB ? b.shape[1] : b.shape[0];
  if (ka !== kb) throw new GraphBuildError(`MatMul: inner dimensions ${ka} and ${kb} differ`);
  return g.add1(
    "MatMul",
    [a, b],
    { T: F, transpose_a: { b: transposeA }, transpose_b: { b: transposeB } },
    { dtype: "float", shape: [m, n] },
  );
}

/** Softmax / log-softmax over the last axis. */
export const softmax = (g: Graph, x: Ref) =>
  g.add1("Softmax", [x], { T: F }, { dtype: "float", shape: x.shape });
export const logSoftmax = (g: Graph, x: Ref) =>
  g.add1("LogSoftmax", [x], { T: F }, { dtype: "float", shape: x.shape });
