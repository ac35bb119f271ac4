import type { IntensityRandomization, RandomPart } from "../config";
import { NORMALIZED_RANGE, percentilePair } from "../crop/normalize";
import { NORMALIZE_PERCENTILES } from "../crop/spec";
import { gaussianBlur } from "../util/blur";
import { addRicianNoise, NoiseSource } from "../util/noise";
import { Rng } from "../util/rng";

/**
 * Intensity domain randomization (SynthSeg's idea: contrast, bias, blur and noise must not matter).
 * Works on an image already percentile-normalised; the transforms act on its unit range (the low
 * percentile at 0, the high one at 1) and the result is mapped back to the percentiles it had.
 */

/** One drawn randomization: every part's value, or null when the part was not drawn. */
export interface IntensityDraw {
  /** Values of a piecewise-linear LUT at evenly spaced points of [0, 1] (first at 0, last at 1). */
  readonly lut: readonly number[] | null;
  readonly invert: boolean;
  readonly gamma: number | null;
  /** Multiplicative field exp(maxLog * q(x, y) / max|q|), q a quadratic polynomial over [-1, 1]^2. */
  readonly bias: { readonly coef: readonly number[]; readonly maxLog: number } | null;
  readonly blurSigmaPx: number | null;
  /** Rician noise: sd of the two Gaussian components, in unit-range units. */
  readonly noiseSd: number | null;
}

function part(rng: Rng, p: RandomPart): number | null {
  return rng.bool(p.p) ? rng.uniform(p.range[0], p.range[1]) : null;
}

/** Draw every part's value (the same draw can then transform several slices alike). */
export function drawIntensity(rng: Rng, cfg: IntensityRandomization): IntensityDraw {
  const lut = rng.bool(cfg.remap.p)
    ? randomLut(rng, cfg.remap.controlPoints, rng.bool(cfg.remap.monotoneP))
    : null;
  const invert = rng.bool(cfg.invert.p);
  const logGamma = part(rng, {
    p: cfg.gamma.p,
    range: [Math.log(cfg.gamma.range[0]), Math.log(cfg.gamma.range[1])],
  });
  const maxLog = part(rng, cfg.bias);
  const bias =
    maxLog === null ? null : { coef: Array.from({ length: BIAS_TERMS }, () => rng.uniform(-1, 1)), maxLog };
  return {
    lut,
    invert,
    gamma: logGamma === null ? null : Math.exp(logGamma),
    bias,
    blurSigmaPx: part(rng, cfg.blur),
    noiseSd: part(rng, cfg.noise),
  };
}

function randomLut(rng: Rng, points: number, monotone: boolean): number[] {
  const ys = Array.from({ length: Math.max(2, points) }, () => rng.next());
  return monotone ? ys.sort((a, b) => a - b) : ys;
}

/**
 * Randomize `data` in place: `depth` slices of w x h (row-major, slice after slice), all with one
 * draw (noise differs per pixel), then re-normalised so its percentiles are where the input's were.
 */
export function randomizeIntensity(
  rng: Rng,
  cfg: IntensityRandomization,
  data: Float32Array,
  w: number,
  h: number,
  depth = 1,
): void {
  const { lowPercentile, highPercentile } = NORMALIZE_PERCENTILES;
  const [lo, hi] = percentiles(data, lowPercentile, highPercentile);
  const span = hi - lo || 1;
  for (let i = 0; i < data.length; i++) data[i] = (data[i] - lo) / span;
  applyIntensity(drawIntensity(rng, cfg), data, w, h, depth, rng);
  const [lo2, hi2] = percentiles(data, lowPercentile, highPercentile);
  const gain = hi2 > lo2 ? (hi - lo) / (hi2 - lo2) : 0;
  const [clipLo, clipHi] = NORMALIZED_RANGE;
  for (let i = 0; i < data.length; i++) {
    const v = lo + (data[i] - lo2) * gain;
    data[i] = v < clipLo ? clipLo : v > clipHi ? clipHi : v;
  }
}

const percentiles = (data: Float32Array, lowPct: number, highPct: number) =>
  percentilePair(data.slice(), lowPct, highPct);

/**
 * Apply a draw to unit-range values in place, in order: LUT, inversion, gamma (values clamped to
 * [0, 1] first), bias field, blur, Rician noise (drawn from rng).
 */
export function applyIntensity(
  d: IntensityDraw,
  data: Float32Array,
  w: number,
  h: number,
  depth: number,
  rng: Rng,
): void {
  const { lut, invert, gamma } = d;
  for (let i = 0; i < data.length; i++) {
    let t = Math.min(1, Math.max(0, data[i]));
    if (lut) t = piecewiseLinear(lut, t);
    if (invert) t = 1 - t;
    if (gamma !== null) t = Math.pow(t, gamma);
    data[i] = t;
  }
  if (d.bias) {
    const field = biasField(d.bias, w, h);
    for (let i = 0; i < data.length; i++) data[i] *= field[i % (w * h)];
  }
  if (d.blurSigmaPx !== null) gaussianBlur(data, h, w, d.blurSigmaPx, d.blurSigmaPx, depth);
  if (d.noiseSd !== null) addRicianNoise(data, d.noiseSd, trainingNoise().walk(rng));
}

// One table of normals for all training noise, drawn on first use from a fixed seed; each
// randomized image walks it from its own rng, so runs stay deterministic.
let noiseTable: NoiseSource | null = null;
const trainingNoise = () => (noiseTable ??= NoiseSource.draw(new Rng(0x6e6f6973)));

/** The LUT's value at t in [0, 1], control points evenly spaced. */
export function piecewiseLinear(ys: readonly number[], t: number): number {
  const pos = t * (ys.length - 1);
  const i = Math.min(ys.length - 2, Math.floor(pos));
  return ys[i] + (ys[i + 1] - ys[i]) * (pos - i);
}

/** The field's monomials, x, y, x², xy, y² (no constant: the re-normalisation would undo it). */
const BIAS_TERMS = 5;

/** The multiplicative field over w x h pixels (x, y from -1 to 1 across pixel centres), in [e^-maxLog, e^maxLog]. */
export function biasField(b: NonNullable<IntensityDraw["bias"]>, w: number, h: number): Float32Array {
  const [cx, cy, cxx, cxy, cyy] = b.coef;
  const q = new Float32Array(w * h);
  let peak = 0;
  for (let v = 0; v < h; v++) {
    const y = h > 1 ? (2 * v) / (h - 1) - 1 : 0;
    for (let u = 0; u < w; u++) {
      const x = w > 1 ? (2 * u) / (w - 1) - 1 : 0;
      const s = cx * x + cy * y + cxx * x * x + cxy * x * y + cyy * y * y;
      q[v * w + u] = s;
      peak = Math.max(peak, Math.abs(s));
    }
  }
  const scale = peak > 0 ? b.maxLog / peak : 0;
  for (let i = 0; i < q.length; i++) q[i] = Math.exp(scale * q[i]);
  return q;
}
