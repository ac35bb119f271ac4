import * as tf from "@tensorflow/tfjs";
import { CONDITION_INFO, type Family, type Side } from "../data/schema";
import { classifierSpec, type ClassifierConfig } from "../config";
import { metaVector, META_SIZE } from "../models";
import type { CropSample, StoredCrop } from "./crops";

export interface CropView {
  /** Centre shift in mm (x right, y down in the crop's image plane). */
  readonly dxMm: number;
  readonly dyMm: number;
  readonly rotateRad: number;
  /** > 1 zooms out (more anatomy per output pixel). */
  readonly scale: number;
  /** Whole-slice shift of the 2.5D window. */
  readonly sliceShift: number;
  /** Mirror across the patient's mid-sagittal plane: "x" flips image columns (axial), "slices" reverses slice order (sagittal). */
  readonly mirror: "none" | "x" | "slices";
  readonly gain: number;
  readonly bias: number;
}

export const IDENTITY_VIEW: CropView = {
  dxMm: 0,
  dyMm: 0,
  rotateRad: 0,
  scale: 1,
  sliceShift: 0,
  mirror: "none",
  gain: 1,
  bias: 0,
};

/**
 * Resample a view of `crop` into `out` at `offset`, channels-last [px][px][channels], covering
 * sizeMm x sizeMm (before `scale`). Bilinear, edges clamped.
 */
export function renderCrop(
  crop: StoredCrop,
  view: CropView,
  px: number,
  channels: number,
  sizeMm: number,
  out: Float32Array,
  offset: number,
): void {
  const { data, depth, size, mmPerPx } = crop;
  // Dequantise after interpolation: bilinear weights sum to 1, so this is exact.
  const gain = view.gain * (crop.scale ?? 1);
  const bias = view.bias + view.gain * (crop.offset ?? 0);
  const outMm = (sizeMm / px) * view.scale;
  const cos = Math.cos(view.rotateRad);
  const sin = Math.sin(view.rotateRad);
  const half = size / 2;
  const mid = (depth - 1) / 2;
  for (let c = 0; c < channels; c++) {
    const cc = view.mirror === "slices" ? channels - 1 - c : c;
    const z = clampInt(Math.round(mid + cc - (channels - 1) / 2 + view.sliceShift), 0, depth - 1);
    const plane = z * size * size;
    for (let v = 0; v < px; v++) {
      const oy = (v + 0.5 - px / 2) * outMm;
      for (let u = 0; u < px; u++) {
        let ox = (u + 0.5 - px / 2) * outMm;
        if (view.mirror === "x") ox = -ox;
        const rx = cos * ox - sin * oy + view.dxMm;
        const ry = sin * ox + cos * oy + view.dyMm;
        const sx = rx / mmPerPx + half - 0.5;
        const sy = ry / mmPerPx + half - 0.5;
        const value = bilinear(data, plane, size, sx, sy);
        out[offset + (v * px + u) * channels + c] = value * gain + bias;
      }
    }
  }
}

function bilinear(
  data: Float32Array | Uint8Array,
  plane: number,
  size: number,
  x: number,
  y: number,
): number {
  const xc = Math.min(Math.max(x, 0), size - 1);
  const yc = Math.min(Math.max(y, 0), size - 1);
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = Math.min(x0 + 1, size - 1);
  const y1 = Math.min(y0 + 1, size - 1);
  const fx = xc - x0;
  const fy = yc - y0;
  const r0 = plane + y0 * size;
  const r1 = plane + y1 * size;
  const top = data[r0 + x0] * (1 - fx) + data[r0 + x1] * fx;
  const bottom = data[r1 + x0] * (1 - fx) + data[r1 + x1] * fx;
  return top * (1 - fy) + bottom * fy;
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** Mirroring across the mid-sagittal plane: slice order on sagittal series, columns on axial ones. */
export function mirrorKind(family: Family): "x" | "slices" {
  return family === "subarticular" ? "x" : "slices";
}

/** Side as the model sees it: mirroring turns a left point into a right one. */
function viewSide(side: Side | null, view: CropView): Side | null {
  if (side === null || view.mirror === "none") return side;
  return side === "left" ? "right" : "left";
}

/** Render samples under views into model inputs: crop [n, P, P, C] and meta [n, 6]. */
export function renderInputs(
  samples: readonly CropSample[],
  views: readonly CropView[],
  cfg: ClassifierConfig,
  family: Family,
): [tf.Tensor4D, tf.Tensor2D] {
  const spec = classifierSpec(cfg, family);
  const px = spec.cropPx;
  const ch = spec.channels;
  const data = new Float32Array(samples.length * px * px * ch);
  const meta = new Float32Array(samples.length * META_SIZE);
  samples.forEach((s, i) => {
    renderCrop(s.crop, views[i], px, ch, cfg.crops[family].sizeMm, data, i * px * px * ch);
    meta.set(metaVector(s.levelIndex, viewSide(CONDITION_INFO[s.condition].side, views[i])), i * META_SIZE);
  });
  return [tf.tensor4d(data, [samples.length, px, px, ch]), tf.tensor2d(meta, [samples.length, META_SIZE])];
}
