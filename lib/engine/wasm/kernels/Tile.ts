import { Tile } from "@tensorflow/tfjs";
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { f32 } from "../heap";
import { run, stockSetup } from "../stock";

/**
 * Tile, with a fast path for the pattern BatchNorm's gradient uses: tile([1,1,1,C], [N,H,W,1]).
 * Whenever every repeated axis comes before all non-unit axes of the input, the output is the
 * input block repeated end to end, written by doubling copies (memcpy speed) instead of the stock
 * kernel's per-element index arithmetic, which was the largest single cost of a 2.5D training step.
 */
function tile(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { backend: b, inputs, attrs } = args;
  const { x } = inputs;
  const reps = attrs.reps;
  const times = blockRepeats(x.shape, reps);
  if (times === null || x.dtype !== "float32") return run(b, "Tile", { x }, attrs);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = b.makeOutput(outShape, "float32");
  const dst = f32(b, out);
  const src = f32(b, x);
  const block = src.length;
  if (block === 0 || times === 0) return out;
  dst.set(src, 0);
  let filled = block;
  const total = block * times;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    dst.copyWithin(filled, 0, n);
    filled += n;
  }
  return out;
}

/** How many times the whole input repeats back to back, or null if the tiling interleaves. */
export function blockRepeats(shape: number[], reps: number[]): number | null {
  let times = 1;
  let seenData = false;
  for (let i = 0; i < shape.length; i++) {
    if (reps[i] > 1) {
      if (seenData) return null;
      times *= reps[i];
    }
    if (shape[i] > 1) seenData = true;
  }
  return times;
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: "wasm",
  kernelFunc: tile as unknown as KernelFunc,
  setupFunc: (backend) => stockSetup("Tile")?.(backend),
};
