import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";

/**
 * Call the stock wasm kernels (XNNPACK conv, matmul, pad, slice, transpose...) from our kernels.
 * Kernels compose TensorInfos, not Tensors: every intermediate must be released with `free`.
 * The stock configs are captured once at import, before ours replace any of them.
 */
type Inputs = Record<string, TensorInfo>;
type StockFn = (args: { inputs: Inputs; backend: BackendWasm; attrs?: NamedAttrMap }) => TensorInfo;

const captured = new Map<string, tf.KernelConfig>();

function stockConfig(name: string): tf.KernelConfig {
  let config = captured.get(name);
  if (!config) {
    config = tf.getKernel(name, "wasm");
    if (!config) throw new Error(`stock wasm kernel ${name} is not registered`);
    captured.set(name, config);
  }
  return config;
}

function stock(name: string): StockFn {
  return stockConfig(name).kernelFunc as unknown as StockFn;
}

/**
 * The stock kernel's setup hook (it binds the wasm function at backend start). A kernel of ours
 * that replaces a stock one and falls back to it must run this as its own setupFunc, because
 * the replaced registration is gone when the backend starts.
 */
export function stockSetup(name: string): tf.KernelSetupFunc | undefined {
  return stockConfig(name).setupFunc;
}

/** Capture the stock kernels we rely on before register.ts replaces any of them. */
export function captureStockKernels(): void {
  for (const k of [
    "Conv2D",
    "BatchMatMul",
    "PadV2",
    "Reshape",
    "Reverse",
    "Slice",
    "StridedSlice",
    "Transpose",
    "Concat",
    "Tile",
    "Sum",
    "Multiply",
    "Add",
  ]) {
    stock(k);
  }
}

export function run(backend: BackendWasm, name: string, inputs: Inputs, attrs: object = {}): TensorInfo {
  return stock(name)({ inputs, backend, attrs: attrs as NamedAttrMap });
}

export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export const reshape = (b: BackendWasm, x: TensorInfo, shape: number[]) =>
  run(b, "Reshape", { x }, { shape });
export const transpose = (b: BackendWasm, x: TensorInfo, perm: number[]) =>
  run(b, "Transpose", { x }, { perm });
export const pad = (b: BackendWasm, x: TensorInfo, paddings: Array<[number, number]>) =>
  run(b, "PadV2", { x }, { paddings, constantValue: 0 });
export const slice = (b: BackendWasm, x: TensorInfo, begin: number[], size: number[]) =>
  run(b, "Slice", { x }, { begin, size });
export const concat = (b: BackendWasm, xs: TensorInfo[], axis: number) =>
  stock("Concat")({ inputs: xs as unknown as Inputs, backend: b, attrs: { axis } });

/** a @ b for rank-2 a [m,k], b [k,n] through XNNPACK (the only fast BatchMatMul path: no transposes, batch 1). */
export function matmul(b: BackendWasm, a: TensorInfo, bm: TensorInfo): TensorInfo {
  const a3 = reshape(b, a, [1, ...a.shape]);
  const b3 = reshape(b, bm, [1, ...bm.shape]);
  const out = run(b, "BatchMatMul", { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  free(b, a3, b3);
  const out2 = reshape(b, out, [a.shape[0], bm.shape[1]]);
  free(b, out);
  return out2;
}
