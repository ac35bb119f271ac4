import { lpsToPixel, pixelToLps, type ImagePlane, type Vec3 } from "../geometry";
import { percentileNormalize } from "../crop/normalize";
import { NORMALIZE_PERCENTILES } from "../crop/spec";
import { goodSlice, type SeriesStack } from "./stacks";

/**
 * One localizer training/inference sample: the mid-sagittal slice letterboxed into a square of
 * `inputPx` (values ~[0,1]) and, when known, the five level points in that square's pixels
 * (NaN for an unlabelled level).
 */
export interface LocalizerSample {
  readonly studyId: number;
  readonly image: Float32Array;
  readonly points: readonly (readonly [number, number])[] | null;
  /** Millimetres per input pixel along (x, y): what turns pixel steps between levels into anatomy. */
  readonly mmPerPx: readonly [number, number];
}

/** The localizer's input image of a study and its scale (what prediction needs of a sample). */
export type LocalizerInput = Pick<LocalizerSample, "image" | "mmPerPx">;

/** The localizer's view of a study: the middle slice of a sagittal stack, letterboxed to a square. */
export interface MidSlice {
  /** The slice's plane only (not the stack), so samples kept for training do not pin a series' pixels. */
  readonly plane: ImagePlane;
  readonly slice: number;
  readonly frame: SquareFrame;
  readonly image: Float32Array;
  /** mm per frame pixel along (x, y). */
  readonly mmPerPx: readonly [number, number];
}

/** The middle slice (or, when its file does not decode, the nearest one that does). */
export function midSlice(stack: SeriesStack, inputPx: number): MidSlice {
  const slice = goodSlice(stack.pixels, Math.floor((stack.planes.length - 1) / 2));
  const frame = squareFrame(stack.rows, stack.columns, inputPx);
  const image = new Float32Array(inputPx * inputPx);
  // A copy: the stack's decoded slice is cached for the crops, which normalise on their own.
  const pixels = Float32Array.from(stack.pixels.slice(slice));
  const { lowPercentile, highPercentile } = NORMALIZE_PERCENTILES;
  sampleFrame(
    percentileNormalize(pixels, lowPercentile, highPercentile),
    stack.rows,
    stack.columns,
    frame,
    image,
  );
  const plane = stack.planes[slice];
  return {
    plane,
    slice,
    frame,
    image,
    mmPerPx: [frame.scale * plane.colSpacing, frame.scale * plane.rowSpacing],
  };
}

/** LPS point -> (x, y) in the mid slice's square frame (continuous coordinates, pixel centres at +0.5). */
export function lpsToFrame(m: MidSlice, p: Vec3): [number, number] {
  const foot = lpsToPixel(m.plane, p);
  return toFrame(m.frame, foot.x + 0.5, foot.y + 0.5);
}

export function frameToLps(m: Pick<MidSlice, "plane" | "frame">, u: number, v: number): Vec3 {
  const [x, y] = fromFrame(m.frame, u, v);
  return pixelToLps(m.plane, x - 0.5, y - 0.5);
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
