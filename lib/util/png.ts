import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";

/** A point to mark on an image, in pixel coordinates (x = column, y = row). */
export interface PngMarker {
  readonly x: number;
  readonly y: number;
  /** RGB 0-255; default red. */
  readonly color?: readonly [number, number, number];
  /** Circle radius in output pixels; default 5. */
  readonly radius?: number;
}

export interface GrayPngOptions {
  /** Display window in pixel units; default: the 1st to 99.5th percentile of the image. */
  readonly window?: { readonly center: number; readonly width: number };
  readonly markers?: readonly PngMarker[];
  /** Integer upscale factor for small images; default 1. */
  readonly zoom?: number;
}

/** Encode a grayscale image (any numeric array, row-major) as an RGB PNG, with optional markers. */
export function grayscalePng(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  opts: GrayPngOptions = {},
): Buffer {
  if (pixels.length !== width * height)
    throw new RangeError(`expected ${width * height} pixels, got ${pixels.length}`);
  const zoom = Math.max(1, Math.floor(opts.zoom ?? 1));
  const { lo, hi } = opts.window
    ? { lo: opts.window.center - opts.window.width / 2, hi: opts.window.center + opts.window.width / 2 }
    : percentileWindow(pixels);
  const png = new PNG({ width: width * zoom, height: height * zoom, colorType: 2 });
  const span = hi > lo ? hi - lo : 1;
  for (let y = 0; y < height * zoom; y++) {
    for (let x = 0; x < width * zoom; x++) {
      const v = pixels[Math.floor(y / zoom) * width + Math.floor(x / zoom)];
      const g = Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)));
      const o = (y * width * zoom + x) * 4;
      png.data[o] = png.data[o + 1] = png.data[o + 2] = g;
      png.data[o + 3] = 255;
    }
  }
  for (const m of opts.markers ?? [])
    drawMarker(
      png,
      m.x * zoom + (zoom - 1) / 2,
      m.y * zoom + (zoom - 1) / 2,
      m.radius ?? 5,
      m.color ?? [255, 40, 40],
    );
  return PNG.sync.write(png, { colorType: 2 });
}

export function writeGrayscalePng(
  file: string,
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  opts: GrayPngOptions = {},
): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, grayscalePng(pixels, width, height, opts));
}

function percentileWindow(pixels: ArrayLike<number>): { lo: number; hi: number } {
  const sorted = Float64Array.from(pixels).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { lo: at(0.01), hi: at(0.995) };
}

/** A circle with a centre dot, so the exact point stays visible. */
function drawMarker(
  png: PNG,
  cx: number,
  cy: number,
  r: number,
  color: readonly [number, number, number],
): void {
  const put = (x: number, y: number) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= png.width || yi >= png.height) return;
    const o = (yi * png.width + xi) * 4;
    png.data[o] = color[0];
    png.data[o + 1] = color[1];
    png.data[o + 2] = color[2];
  };
  const steps = Math.max(16, Math.ceil(2 * Math.PI * r));
  for (let k = 0; k < steps; k++)
    put(cx + r * Math.cos((2 * Math.PI * k) / steps), cy + r * Math.sin((2 * Math.PI * k) / steps));
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) put(cx + dx, cy + dy);
}
