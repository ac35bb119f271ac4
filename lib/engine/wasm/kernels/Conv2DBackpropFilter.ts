import { backend_util, Conv2DBackpropFilter } from "@tensorflow/tfjs";
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { f32, freeView, view } from "../heap";
import { concat, free, matmul, pad, reshape, run, transpose } from "../stock";
import { readEnvNumber } from "../../../util/env";

/**
 * Filter gradient dW [kh,kw,Ci,Co] of a NHWC conv from x [N,H,W,Ci] and dy [N,Ho,Wo,Co]:
 * one XNNPACK matmul per kernel tap, dW[i,j]^T = dY^T X_ij ([Co,M] x [M,Ci]); the fast matmul
 * path takes no transpose flags, so dY^T is built once.
 *
 * Stride 1 (the common case) needs no copy per tap: on the zero-padded input grid [N,Hp,Wp],
 * flattened, the input seen by tap (i,j) at output (n,oh,ow) sits at flat index p + i*Wp + j
 * where p = (n*Hp + oh)*Wp + ow. Placing dY on that same grid (zeros where there is no output)
 * turns every tap's input into a contiguous slice of the padded input, aliased without copying;
 * the zeros cancel the wrap-around rows.
 */
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { backend: b, inputs, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad: padding, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter (lumbar wasm): NCHW is not supported");
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    padding,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const taps =
    info.strideHeight === 1 && info.strideWidth === 1
      ? tapsOnPaddedGrid(b, x, dy, info)
      : tapsStrided(b, x, dy, info);
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const stacked = taps.length === 1 ? taps[0] : concat(b, taps, 0); // [kh*kw, co, ci]
  if (taps.length > 1) free(b, ...taps);
  const t = transpose(b, stacked, [0, 2, 1]); // [kh*kw, ci, co]
  free(b, stacked);
  const out = reshape(b, t, [kh, kw, ci, co]);
  free(b, t);
  return out;
}

type ConvInfo = backend_util.Conv2DInfo;

/** x zero-padded in H and W (x itself when no padding is needed; the caller frees only a copy). */
function padSpatial(
  b: BackendWasm,
  x: TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
): TensorInfo {
  if (!(top || bottom || left || right)) return x;
  return pad(b, x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/** Rows of dY/X per matmul: keeps both operands (~2 x 256 KB) cache-resident; see tapsOnPaddedGrid. */
export function chunkRows(ci: number, co: number): number {
  const forced = readEnvNumber("LUMBAR_BPF_CHUNK");
  if (forced !== undefined && forced > 0) return forced;
  return Math.max(256, Math.min(16384, Math.floor(65536 / (ci + co))));
}

/**
 * Stride 1: the reduction over M = N*Hp*Wp rows is split into chunks of `chunkRows` (one matmul over
 * all of M streams both operands from memory once per register tile: memory-bound, ~2.4x the
 * forward conv; chunks stay in cache). Per chunk, one matmul per kernel ROW: the padded input is
 * unfolded along the width once (x3[p] = [x[p], x[p+1], .., x[p+kw-1]], kw*Ci wide), so row i's kw
 * taps are one contiguous [len, kw*Ci] slice at row offset i*Wp, aliased without copying.
 * dY^T is laid out chunk-major ([chunks][Co][len]) so each chunk is contiguous too.
 */
function tapsOnPaddedGrid(b: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo[] {
  const { batchSize: n, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const { outHeight: ho, outWidth: wo, inHeight: h, inWidth: w } = info;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  const hp = ho + kh - 1,
    wp = wo + kw - 1;
  const bottom = hp - h - top,
    right = wp - w - left;
  const xp = padSpatial(b, x, top, bottom, left, right);
  const total = n * hp * wp;
  const maxOff = (kh - 1) * wp + (kw - 1);
  const mp = total - maxOff;
  const width = kw * ci;
  const mc = Math.min(chunkRows(width, co), mp);
  const chunks = Math.ceil(mp / mc);
  const dyT = b.makeOutput([chunks * co * mc], "float32");
  const x3 = kw === 1 ? xp : b.makeOutput([(total - (kw - 1)) * width], "float32");
  {
    // dY^T on the padded grid, chunk-major: position p lives in chunk q = p / mc at
    // q*co*mc + c*len(q) + (p - q*mc); zero where (oh, ow) is outside the output.
    const out = f32(b, dyT);
    out.fill(0);
    const src = f32(b, dy);
    for (let img = 0; img < n; img++) {
      for (let oh = 0; oh < ho; oh++) {
        const s0 = (img * ho + oh) * wo * co;
        for (let ow = 0; ow < wo; ow++) {
          const p = (img * hp + oh) * wp + ow;
          if (p >= mp) break;
          const q = Math.floor(p / mc);
          const len = Math.min(mc, mp - q * mc);
          const o = q * co * mc + (p - q * mc);
          const s = s0 + ow * co;
          for (let c = 0; c < co; c++) out[o + c * len] = src[s + c];
        }
      }
    }
    if (x3 !== xp) {
      // Width unfold: row p of x3 is kw consecutive input pixels, i.e. kw*ci consecutive floats
      // starting at pixel p: a sliding window, so each row is one contiguous copy.
      const xs = f32(b, xp),
        dst = f32(b, x3);
      const rows = total - (kw - 1);
      for (let p = 0; p < rows; p++) dst.set(xs.subarray(p * ci, p * ci + width), p * width);
    }
  }
  const acc = new Float64Array(kh * kw * co * ci);
  for (let q = 0; q < chunks; q++) {
    const start = q * mc,
      len = Math.min(mc, mp - start);
    const a = view(b, dyT, q * co * mc, [co, len]);
    for (let i = 0; i < kh; i++) {
      const win = view(b, x3, (start + i * wp) * width, [len, width]);
      const part = matmul(b, a, win); // [co, kw*ci]
      freeView(b, win);
      const v = f32(b, part);
      for (let j = 0; j < kw; j++) {
        const base = (i * kw + j) * co * ci;
        for (let o = 0; o < co; o++) {
          const src = o * width + j * ci,
            dst = base + o * ci;
          for (let c = 0; c < ci; c++) acc[dst + c] += v[src + c];
        }
      }
      free(b, part);
    }
    freeView(b, a);
  }
  free(b, dyT);
  if (x3 !== xp) free(b, x3);
  if (xp !== x) free(b, xp);
  const taps: TensorInfo[] = [];
  for (let t = 0; t < kh * kw; t++) {
    const tap = b.makeOutput([1, co, ci], "float32");
    f32(b, tap).set(acc.subarray(t * co * ci, (t + 1) * co * ci));
    taps.push(tap);
  }
  return taps;
}

/** Any stride: per tap a strided copy of the padded input (the stock StridedSlice, slower). */
function tapsStrided(b: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo[] {
  const { batchSize: n, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w } = info;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  const needH = (ho - 1) * sh + kh,
    needW = (wo - 1) * sw + kw;
  const bottom = Math.max(0, needH - h - top),
    right = Math.max(0, needW - w - left);
  const xp = padSpatial(b, x, top, bottom, left, right);
  const m = n * ho * wo;
  const dy2 = reshape(b, dy, [m, co]);
  const dyT = transpose(b, dy2, [1, 0]);
  free(b, dy2);
  const taps: TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const win = run(
        b,
        "StridedSlice",
        { x: xp },
        {
          begin: [0, i, j, 0],
          end: [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, ci],
          strides: [1, sh, sw, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
      );
      const win2 = reshape(b, win, [m, ci]);
      const tap = matmul(b, dyT, win2);
      free(b, win, win2);
      taps.push(reshape(b, tap, [1, co, ci]));
      free(b, tap);
    }
  }
  free(b, dyT);
  if (xp !== x) free(b, xp);
  return taps;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
