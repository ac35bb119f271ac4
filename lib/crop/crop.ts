import type { Volume } from "../dicom/series";
import { percentileNormalize } from "./normalize";
import { cropShape, pair, type CropCentre, type CropSpec } from "./spec";

/** Pixels a crop reads: slice(i) is [rows, columns] float32; spacings in mm. A Volume or a Stack's LazySlices. */
export interface CropSource {
  readonly slices: number;
  readonly rows: number;
  readonly columns: number;
  readonly rowSpacing: number;
  readonly colSpacing: number;
  slice(i: number): Float32Array;
}

/** View a contiguous volume [slices, rows, columns] as a CropSource (no copy). */
export function volumeSource(vol: Volume): CropSource {
  const plane = vol.rows * vol.columns;
  return {
    slices: vol.slices,
    rows: vol.rows,
    columns: vol.columns,
    rowSpacing: vol.rowSpacing,
    colSpacing: vol.colSpacing,
    slice: (i) => vol.data.subarray(i * plane, (i + 1) * plane),
  };
}

/**
 * A 2.5D crop [depth, H, W] (float32, row-major) around `centre` of a volume [slices, rows, cols]
 * (or a lazy CropSource: only the slices the crop needs are read).
 * Output slice k takes stack slice centre.slice + (k - slicesEachSide) * sliceStep. Output pixel
 * (i, j) samples, bilinearly, the point (x + (j + 0.5 - W/2) * mmW/W / colSpacing,
 * y + (i + 0.5 - H/2) * mmH/H / rowSpacing): the crop is centred on (x, y) and spans sizeMm.
 * Samples outside [0, cols-1] x [0, rows-1] are 0 ("zero") or clamped to the border ("edge"),
 * the same rule tf.image.cropAndResize uses, so the tfjs batch path gives the same values;
 * slices past the stack's ends follow `slicePadding` (default `padding`).
 */
export function cropVolume(input: Volume | CropSource, centre: CropCentre, spec: CropSpec): Float32Array {
  const vol = "slice" in input ? input : volumeSource(input);
  const [depth, H, W] = cropShape(spec);
  const [mmH, mmW] = pair(spec.sizeMm);
  const out = new Float32Array(depth * H * W);
  const valid = spec.normalize ? new Uint8Array(out.length) : undefined;
  const stepY = mmH / H / vol.rowSpacing;
  const stepX = mmW / W / vol.colSpacing;
  const y0 = centre.y + (0.5 - H / 2) * stepY;
  const x0 = centre.x + (0.5 - W / 2) * stepX;
  const edge = spec.padding === "edge";
  const sliceEdge = (spec.slicePadding ?? spec.padding) === "edge";
  const cs = Math.round(centre.slice);
  for (let k = 0; k < depth; k++) {
    let s = cs + (k - spec.slicesEachSide) * spec.sliceStep;
    if (s < 0 || s >= vol.slices) {
      if (!sliceEdge) continue; // zero padding: slice stays 0, not valid
      s = Math.min(vol.slices - 1, Math.max(0, s));
    }
    const img = vol.slice(s);
    sampleSlice(img, vol.rows, vol.columns, y0, x0, stepY, stepX, H, W, edge, out, k * H * W, valid);
  }
  if (spec.normalize)
    percentileNormalize(out, spec.normalize.lowPercentile, spec.normalize.highPercentile, valid);
  return out;
}

function sampleSlice(
  img: Float32Array,
  rows: number,
  cols: number,
  y0: number,
  x0: number,
  stepY: number,
  stepX: number,
  H: number,
  W: number,
  edge: boolean,
  out: Float32Array,
  offset: number,
  valid: Uint8Array | undefined,
): void {
  for (let i = 0; i < H; i++) {
    let fy = y0 + i * stepY;
    if (fy < 0 || fy > rows - 1) {
      if (!edge) continue;
      fy = fy < 0 ? 0 : rows - 1;
    }
    const ya = Math.floor(fy);
    const yb = Math.min(rows - 1, ya + 1);
    const wy = fy - ya;
    for (let j = 0; j < W; j++) {
      let fx = x0 + j * stepX;
      if (fx < 0 || fx > cols - 1) {
        if (!edge) continue;
        fx = fx < 0 ? 0 : cols - 1;
      }
      const xa = Math.floor(fx);
      const xb = Math.min(cols - 1, xa + 1);
      const wx = fx - xa;
      const top = img[ya * cols + xa] * (1 - wx) + img[ya * cols + xb] * wx;
      const bot = img[yb * cols + xa] * (1 - wx) + img[yb * cols + xb] * wx;
      const o = offset + i * W + j;
      out[o] = top * (1 - wy) + bot * wy;
      if (valid) valid[o] = 1;
    }
  }
}
