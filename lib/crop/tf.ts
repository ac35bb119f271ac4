import * as tf from "@tensorflow/tfjs";
import type { Volume } from "../dicom/series";
import { percentileNormalize } from "./normalize";
import { cropShape, pair, type CropCentre, type CropSpec } from "./spec";

/**
 * Many crops of one volume in one `tf.image.cropAndResize` call, on the active tfjs backend
 * (initialise it first, e.g. lib/engine initBackend). Same sampling rule as cropVolume; only
 * "zero" in-plane padding (cropAndResize extrapolates a constant); slicePadding "edge" is supported. Returns [N, depth, H, W] float32; the
 * caller disposes it. Percentile normalisation, when asked for, runs on the CPU afterwards.
 */
export function cropBatchTf(vol: Volume, centres: readonly CropCentre[], spec: CropSpec): tf.Tensor4D {
  if (spec.padding !== "zero")
    throw new RangeError('cropBatchTf supports padding "zero" only; use cropVolume for "edge"');
  const [depth, H, W] = cropShape(spec);
  const [mmH, mmW] = pair(spec.sizeMm);
  const stepY = mmH / H / vol.rowSpacing;
  const stepX = mmW / W / vol.colSpacing;
  const n = centres.length * depth;
  const boxes = new Float32Array(n * 4);
  const boxInd = new Int32Array(n);
  const ny = Math.max(1, vol.rows - 1);
  const nx = Math.max(1, vol.columns - 1);
  centres.forEach((c, ci) => {
    const y0 = c.y + (0.5 - H / 2) * stepY;
    const x0 = c.x + (0.5 - W / 2) * stepX;
    for (let k = 0; k < depth; k++) {
      const b = ci * depth + k;
      const s = sliceOf(vol, c, spec, k);
      if (s < 0 || s >= vol.slices) {
        boxes.set([-2, -2, -2, -2], b * 4); // entirely outside: every sample is the extrapolation value 0
        continue;
      }
      boxInd[b] = s;
      boxes.set([y0 / ny, x0 / nx, (y0 + (H - 1) * stepY) / ny, (x0 + (W - 1) * stepX) / nx], b * 4);
    }
  });
  const out = tf.tidy(() => {
    const image = tf.tensor4d(vol.data, [vol.slices, vol.rows, vol.columns, 1]);
    const crops = tf.image.cropAndResize(
      image,
      tf.tensor2d(boxes, [n, 4]),
      tf.tensor1d(boxInd, "int32"),
      [H, W],
      "bilinear",
      0,
    );
    return crops.reshape([centres.length, depth, H, W]) as tf.Tensor4D;
  });
  if (!spec.normalize) return out;
  const data = out.dataSync() as Float32Array;
  out.dispose();
  const per = depth * H * W;
  centres.forEach((c, ci) => {
    const crop = data.subarray(ci * per, (ci + 1) * per);
    const valid = zeroPaddingMask(vol, c, spec);
    percentileNormalize(crop, spec.normalize!.lowPercentile, spec.normalize!.highPercentile, valid);
  });
  return tf.tensor4d(data, [centres.length, depth, H, W]);
}

/** Stack slice of output slice k, clamped to the ends for slicePadding "edge" (out of range: padded with 0). */
function sliceOf(vol: Volume, c: CropCentre, spec: CropSpec, k: number): number {
  const s = Math.round(c.slice) + (k - spec.slicesEachSide) * spec.sliceStep;
  return (spec.slicePadding ?? spec.padding) === "edge" ? Math.min(vol.slices - 1, Math.max(0, s)) : s;
}

/** 1 where cropVolume's zero padding reads the image, 0 where it pads. */
function zeroPaddingMask(vol: Volume, c: CropCentre, spec: CropSpec): Uint8Array {
  const [depth, H, W] = cropShape(spec);
  const [mmH, mmW] = pair(spec.sizeMm);
  const stepY = mmH / H / vol.rowSpacing;
  const stepX = mmW / W / vol.colSpacing;
  const y0 = c.y + (0.5 - H / 2) * stepY;
  const x0 = c.x + (0.5 - W / 2) * stepX;
  const mask = new Uint8Array(depth * H * W);
  for (let k = 0; k < depth; k++) {
    const s = sliceOf(vol, c, spec, k);
    if (s < 0 || s >= vol.slices) continue;
    for (let i = 0; i < H; i++) {
      const fy = y0 + i * stepY;
      if (fy < 0 || fy > vol.rows - 1) continue;
      for (let j = 0; j < W; j++) {
        const fx = x0 + j * stepX;
        if (fx >= 0 && fx <= vol.columns - 1) mask[(k * H + i) * W + j] = 1;
      }
    }
  }
  return mask;
}
