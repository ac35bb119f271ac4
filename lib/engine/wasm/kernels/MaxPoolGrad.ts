import { backend_util, MaxPoolGrad } from "@tensorflow/tfjs";
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { f32 } from "../heap";

/**
 * dX of a NHWC max pool: each output's gradient goes to the first maximum of its window (row-major
 * scan, as the cpu backend picks it), summed where windows overlap. Channels are the inner loop, so
 * every read is sequential; the stock wasm kernel was ~8% of a 2.5D training step.
 */
function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const { backend: b, inputs, attrs } = args;
  const { dy, input } = inputs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  const dx = b.makeOutput(input.shape, "float32");
  const out = f32(b, dx);
  out.fill(0);
  const x = f32(b, input),
    g = f32(b, dy);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let img = 0; img < n; img++) {
    const xBase = img * h * w * c;
    for (let oh = 0; oh < ho; oh++) {
      const r0 = oh * sh - top;
      for (let ow = 0; ow < wo; ow++) {
        const c0 = ow * sw - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let i = Math.max(0, r0); i < Math.min(h, r0 + fh); i++) {
          for (let j = Math.max(0, c0); j < Math.min(w, c0 + fw); j++) {
            const o = xBase + (i * w + j) * c;
            for (let k = 0; k < c; k++) {
              const v = x[o + k];
              if (v > best[k]) {
                best[k] = v;
                where[k] = o + k;
              }
            }
          }
        }
        const go = ((img * ho + oh) * wo + ow) * c;
        for (let k = 0; k < c; k++) if (where[k] >= 0) out[where[k]] += g[go + k];
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
