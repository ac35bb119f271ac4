import type { TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * Direct access to wasm tensor memory, for data movement the stock kernels do slowly
 * (their Slice/Transpose are generic per-element loops). Views are re-made after every
 * allocation because growing wasm memory replaces the heap buffer.
 */
interface WasmData {
  id: number;
  memoryOffset: number;
}
interface WasmModuleHeap {
  HEAPF32: Float32Array;
  tfjs: { disposeData(id: number): void };
}

function dataOf(b: BackendWasm, t: TensorInfo): WasmData {
  return (b as unknown as { dataIdMap: { get(id: object): WasmData } }).dataIdMap.get(t.dataId);
}

/** A Float32Array over the tensor's wasm memory (valid until the next allocation). */
export function f32(b: BackendWasm, t: TensorInfo): Float32Array {
  const size = t.shape.reduce((a, c) => a * c, 1);
  const heap = (b.wasm as unknown as WasmModuleHeap).HEAPF32;
  return new Float32Array(heap.buffer, dataOf(b, t).memoryOffset, size);
}

/**
 * A tensor aliasing `shape` floats of `base` starting `offset` floats in, without copying.
 * Release it with freeView (never with disposeData, which would free the base's interior).
 */
export function view(b: BackendWasm, base: TensorInfo, offset: number, shape: number[]): TensorInfo {
  return b.makeOutput(shape, "float32", dataOf(b, base).memoryOffset + offset * 4);
}

export function freeView(b: BackendWasm, v: TensorInfo): void {
  const d = dataOf(b, v);
  (b.wasm as unknown as WasmModuleHeap).tfjs.disposeData(d.id); // runs the C-side disposal hooks (xnn op cache)
  (b as unknown as { dataIdMap: { delete(id: object): void } }).dataIdMap.delete(v.dataId);
}

/** out[c, p] = src[p, c] for a row-major [rows, cols] source; blocked so both sides stay in cache. */
export function transpose2dInto(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c = 0; c < cols; c++) {
      const o = c * rows;
      for (let r = r0; r < r1; r++) out[o + r] = src[r * cols + c];
    }
  }
}
