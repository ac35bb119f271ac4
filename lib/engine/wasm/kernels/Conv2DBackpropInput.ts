import { backend_util, Conv2DBackpropInput } from "@tensorflow/tfjs";
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, pad, reshape, run, slice, transpose } from "../stock";

/**
 * dX as a forward XNNPACK convolution ('valid', stride 1) of the zero-dilated (stride > 1) and
 * padded dY with the 180-degree rotated filter, in/out channels swapped:
 *   dX[i] = sum_k P[i + k] W[kh-1-k],  P = dY dilated by the stride, left-padded by kh-1-padTop.
 * Replaces the stock kernel, a scalar reference loop. x [N,H,W,Ci], filter [kh,kw,Ci,Co], dy [N,Ho,Wo,Co].
 */
function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { backend: b, inputs, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad: padding, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat === "NCHW") throw new Error("Conv2DBackpropInput (lumbar wasm): NCHW is not supported");
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    padding,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { batchSize: n, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w } = info;

  const d = sh > 1 || sw > 1 ? dilate(b, dy, [n, ho, wo, co], sh, sw) : dy;
  const top = kh - 1 - info.padInfo.top,
    left = kw - 1 - info.padInfo.left;
  if (top < 0 || left < 0)
    throw new Error("Conv2DBackpropInput (lumbar wasm): padding larger than the kernel");
  const bottom = Math.max(0, h + kh - 1 - top - d.shape[1]);
  const right = Math.max(0, w + kw - 1 - left - d.shape[2]);
  // Stride 1: XNNPACK pads implicitly (explicit padding attribute), no padded copy of dY.
  const implicit = d === dy;
  const spatialPad: [number, number][] = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const p = implicit ? dy : pad(b, d, spatialPad);
  if (d !== dy) free(b, d);
  const convPad = implicit ? spatialPad : "valid";

  // Rotated filter with in/out swapped: [kh,kw,Ci,Co] -> reverse(0,1) -> [kh,kw,Co,Ci].
  const rev = run(b, "Reverse", { x: filter }, { dims: [0, 1] });
  const wr = transpose(b, rev, [0, 1, 3, 2]);
  free(b, rev);
  const conv = run(
    b,
    "Conv2D",
    { x: p, filter: wr },
    { strides: [1, 1], pad: convPad, dataFormat: "NHWC", dilations: [1, 1] },
  );
  free(b, wr);
  if (p !== dy) free(b, p);
  if (conv.shape[1] === h && conv.shape[2] === w) return conv;
  // Trailing zeros from the dilation can make the result longer than the input: keep the first h x w.
  const out = slice(b, conv, [0, 0, 0, 0], [n, h, w, ci]);
  free(b, conv);
  return out;
}

/** Zero-dilate dY by the stride: [N,Ho,Wo,Co] -> [N,Ho,1,Wo,1,Co] -> pad -> [N,Ho*sh,Wo*sw,Co]. */
function dilate(
  b: BackendWasm,
  dy: TensorInfo,
  [n, ho, wo, co]: number[],
  sh: number,
  sw: number,
): TensorInfo {
  const d6 = reshape(b, dy, [n, ho, 1, wo, 1, co]);
  const p6 = pad(b, d6, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  const d = reshape(b, p6, [n, ho * sh, wo * sw, co]);
  free(b, d6, p6);
  return d;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
