import type { Rng } from "../util/rng";

/**
 * A 2.5D crop cut once per labelled point, larger than the model input (a margin in mm and extra
 * slices) so that shift, rotation, scale and slice-shift augmentation can be resampled from it in JS
 * without touching the DICOM again.
 * data: [depth][size][size] row-major (slice, y, x); pixel i of a row is at (i + 0.5 - size/2) * mmPerPx.
 */
export interface StoredCrop {
  /** Values, or bytes to be read as byte * scale + offset (4x less memory for a train set held in RAM). */
  readonly data: Float32Array | Uint8Array;
  readonly depth: number;
  readonly size: number;
  readonly mmPerPx: number;
  readonly scale?: number;
  readonly offset?: number;
}

/** Quantise a crop whose values lie in [lo, hi] to bytes (error <= (hi - lo) / 510). */
export function quantizeCrop(crop: StoredCrop, lo: number, hi: number): StoredCrop {
  const scale = (hi - lo) / 255;
  const bytes = new Uint8Array(crop.data.length);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Math.round((Math.min(Math.max(crop.data[i], lo), hi) - lo) / scale);
  return { ...crop, data: bytes, scale, offset: lo };
}

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

/** A random view within the configured augmentation ranges. */
export function randomView(
  rng: Rng,
  a: { shiftMm: number; sliceShift: number; scale: number; rotateDeg: number; intensity: number },
  mirrorKind: "x" | "slices",
): CropView {
  return {
    dxMm: rng.normal(0, a.shiftMm),
    dyMm: rng.normal(0, a.shiftMm),
    rotateRad: (rng.uniform(-a.rotateDeg, a.rotateDeg) * Math.PI) / 180,
    scale: 1 + rng.uniform(-a.scale, a.scale),
    sliceShift: rng.int(-a.sliceShift, a.sliceShift),
    mirror: rng.bool() ? mirrorKind : "none",
    gain: 1 + rng.uniform(-a.intensity, a.intensity),
    bias: rng.uniform(-a.intensity, a.intensity) * 0.5,
  };
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

/**
 * Resample a 2D image [rows][cols] into a square [size][size] by an affine map from output pixel to
 * source pixel: src = centre + (out - size/2) * scale (+ shift), i.e. letterboxed to keep the aspect.
 */
export interface SquareFrame {
  /** Source pixels per output pixel. */
  readonly scale: number;
  /** Source pixel (x, y) at the output's centre. */
  readonly cx: number;
  readonly cy: number;
  readonly size: number;
}

export function squareFrame(rows: number, cols: number, size: number): SquareFrame {
  return { scale: Math.max(rows, cols) / size, cx: cols / 2, cy: rows / 2, size };
}

/** Output (x, y) in output pixels of a source pixel position, and back. */
export function toFrame(f: SquareFrame, x: number, y: number): [number, number] {
  return [(x - f.cx) / f.scale + f.size / 2, (y - f.cy) / f.scale + f.size / 2];
}
export function fromFrame(f: SquareFrame, u: number, v: number): [number, number] {
  return [(u - f.size / 2) * f.scale + f.cx, (v - f.size / 2) * f.scale + f.cy];
}

/** Sample an image through a frame (bilinear, zero outside); source pixel centres at integer + 0.5. */
export function sampleFrame(
  src: Float32Array,
  rows: number,
  cols: number,
  f: SquareFrame,
  out: Float32Array,
  offset = 0,
): void {
  for (let v = 0; v < f.size; v++) {
    for (let u = 0; u < f.size; u++) {
      const [x, y] = fromFrame(f, u + 0.5, v + 0.5);
      out[offset + v * f.size + u] = bilinearZero(src, rows, cols, x - 0.5, y - 0.5);
    }
  }
}

/** Bilinear sample, pixel centres at integer coordinates; zero outside the image. */
export function bilinearZero(src: Float32Array, rows: number, cols: number, x: number, y: number): number {
  if (x < -1 || y < -1 || x > cols || y > rows) return 0;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) =>
    xx < 0 || yy < 0 || xx >= cols || yy >= rows ? 0 : src[yy * cols + xx];
  return (
    (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
    (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
  );
}

/** Robust [0, 1] scaling by the 1st and 99th percentiles (of a subsample, for speed). */
export function robustNormalize(data: Float32Array): Float32Array {
  const step = Math.max(1, Math.floor(data.length / 4096));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) sample.push(data[i]);
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(0.01 * (sample.length - 1))] ?? 0;
  const hi = sample[Math.floor(0.99 * (sample.length - 1))] ?? 1;
  const span = hi - lo || 1;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.min(Math.max((data[i] - lo) / span, 0), 1.5);
  return out;
}
