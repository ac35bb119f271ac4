import { describe, expect, it } from "vitest";
import { INTENSITY_RANDOMIZATION, type IntensityRandomization } from "../../lib/config";
import {
  applyIntensity,
  biasField,
  drawIntensity,
  piecewiseLinear,
  randomizeIntensity,
  type IntensityDraw,
} from "../../lib/train/randomize";
import { quantileSelect } from "../../lib/crop/normalize";
import { gaussianBlur } from "../../lib/util/blur";
import { Rng } from "../../lib/util/rng";

/** Every part off; a test switches on the one it checks. */
const OFF: IntensityRandomization = {
  remap: { p: 0, controlPoints: 5, monotoneP: 0 },
  invert: { p: 0 },
  gamma: { p: 0, range: [1, 1] },
  bias: { p: 0, range: [0, 0] },
  blur: { p: 0, range: [1, 1] },
  noise: { p: 0, range: [0, 0] },
};
const NONE: IntensityDraw = {
  lut: null,
  invert: false,
  gamma: null,
  bias: null,
  blurSigmaPx: null,
  noiseSd: null,
};

describe("randomizeIntensity", () => {
  it("inverts a ramp and maps it back onto the input's 1st-99th percentiles", () => {
    const ramp = Float32Array.from({ length: 101 }, (_, i) => i / 100);
    const out = Float32Array.from(ramp);
    randomizeIntensity(new Rng(1), { ...OFF, invert: { p: 1 } }, out, 101, 1);
    // p1 = 0.01, p99 = 0.99: inside them the ramp reverses exactly; the ends were clamped to them.
    for (let i = 1; i < 100; i++) expect(out[i]).toBeCloseTo(ramp[100 - i], 5);
    expect(out[0]).toBeCloseTo(0.99, 5);
    expect(out[100]).toBeCloseTo(0.01, 5);
  });

  it("with every part on, keeps the input's percentiles and the normalised range", () => {
    const rng = new Rng(5);
    const img = Float32Array.from({ length: 48 * 48 }, () => rng.uniform(0, 1));
    const all: IntensityRandomization = {
      remap: { p: 1, controlPoints: 5, monotoneP: 0 },
      invert: { p: 1 },
      gamma: { p: 1, range: [0.5, 2] },
      bias: { p: 1, range: [0.4, 0.4] },
      blur: { p: 1, range: [1, 1] },
      noise: { p: 1, range: [0.05, 0.05] },
    };
    const out = Float32Array.from(img);
    randomizeIntensity(new Rng(9), all, out, 48, 48);
    const pct = (a: Float32Array, q: number) => quantileSelect(Float32Array.from(a), q);
    expect(pct(out, 0.01)).toBeCloseTo(pct(img, 0.01), 4);
    expect(pct(out, 0.99)).toBeCloseTo(pct(img, 0.99), 4);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...out)).toBeLessThanOrEqual(1.5);
    expect(out).not.toEqual(img);
  });

  it("transforms every slice of a stack with the same draw", () => {
    const rng = new Rng(2);
    const slice = Float32Array.from({ length: 16 * 16 }, () => rng.uniform(0, 1));
    const stack = new Float32Array(2 * slice.length);
    stack.set(slice, 0);
    stack.set(slice, slice.length);
    randomizeIntensity(
      new Rng(3),
      { ...INTENSITY_RANDOMIZATION, noise: { p: 0, range: [0, 0] } },
      stack,
      16,
      16,
      2,
    );
    expect(stack.subarray(slice.length)).toEqual(stack.subarray(0, slice.length));
  });

  it("is a function of the rng's seed", () => {
    const run = (seed: number) => {
      const a = Float32Array.from({ length: 32 * 32 }, (_, i) => (i % 32) / 31);
      randomizeIntensity(new Rng(seed), INTENSITY_RANDOMIZATION, a, 32, 32);
      return a;
    };
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(6));
  });
});

describe("applyIntensity: each part on known values", () => {
  it("gamma 2 squares values clamped to [0, 1]", () => {
    const a = Float32Array.of(0, 0.5, 1, 1.2, -0.1, 0.3);
    applyIntensity({ ...NONE, gamma: 2 }, a, 6, 1, 1, new Rng(0));
    expect(Array.from(a)).toEqual([0, 0.25, 1, 1, 0, Math.fround(Math.fround(0.3) ** 2)].map(Math.fround));
  });

  it("a LUT through (0, 0), (0.5, 1), (1, 0) folds the range", () => {
    expect(piecewiseLinear([0, 1, 0], 0.25)).toBeCloseTo(0.5, 12);
    expect(piecewiseLinear([0, 1, 0], 0.5)).toBe(1);
    expect(piecewiseLinear([0, 1, 0], 1)).toBe(0);
    const a = Float32Array.of(0, 0.25, 0.75);
    applyIntensity({ ...NONE, lut: [0, 1, 0], invert: true }, a, 3, 1, 1, new Rng(0));
    expect(Array.from(a)).toEqual([1, 0.5, 0.5]);
  });

  it("a drawn monotone LUT rises", () => {
    const d = drawIntensity(new Rng(8), { ...OFF, remap: { p: 1, controlPoints: 6, monotoneP: 1 } });
    expect(d.lut).toHaveLength(6);
    expect([...d.lut!].sort((x, y) => x - y)).toEqual(d.lut);
  });

  it("blurring a delta gives the normalised 2D Gaussian and leaves the other slice alone", () => {
    const n = 21;
    const sigma = 1.5;
    const a = new Float32Array(2 * n * n);
    a[10 * n + 10] = 1;
    gaussianBlur(a, n, n, sigma, sigma, 2);
    const g = (k: number) => Math.exp(-(k * k) / (2 * sigma * sigma));
    let s = 0;
    for (let k = -5; k <= 5; k++) s += g(k); // radius ceil(3 sigma) = 5
    for (const [dx, dy] of [
      [0, 0],
      [1, 0],
      [2, -1],
      [-3, 3],
      [5, 0],
    ])
      expect(a[(10 + dy) * n + 10 + dx]).toBeCloseTo((g(dx) * g(dy)) / (s * s), 6);
    expect(a[10 * n + 16]).toBe(0);
    expect(a.subarray(0, n * n).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    expect(a.subarray(n * n).every((v) => v === 0)).toBe(true);
  });

  it("the bias field of x alone is exp(maxLog * x) across the columns", () => {
    const f = biasField({ coef: [1, 0, 0, 0, 0], maxLog: 0.3 }, 5, 3);
    for (let v = 0; v < 3; v++)
      [-1, -0.5, 0, 0.5, 1].forEach((x, u) => expect(f[v * 5 + u]).toBeCloseTo(Math.exp(0.3 * x), 6));
  });

  it("a drawn bias field reaches its range and is smooth", () => {
    for (const seed of [1, 2, 3]) {
      const d = drawIntensity(new Rng(seed), { ...OFF, bias: { p: 1, range: [0.4, 0.4] } });
      const f = biasField(d.bias!, 64, 64);
      const logs = Array.from(f, Math.log);
      expect(Math.max(...logs.map(Math.abs))).toBeCloseTo(0.4, 5);
      let step = 0;
      for (let i = 0; i < logs.length; i++) {
        if (i % 64) step = Math.max(step, Math.abs(logs[i] - logs[i - 1]));
        if (i >= 64) step = Math.max(step, Math.abs(logs[i] - logs[i - 64]));
      }
      expect(step).toBeLessThan(0.1);
    }
  });

  it("Rician noise on black has the Rayleigh mean sd * sqrt(pi / 2)", () => {
    const a = new Float32Array(20000);
    applyIntensity({ ...NONE, noiseSd: 0.1 }, a, 200, 100, 1, new Rng(11));
    expect(a.reduce((x, y) => x + y, 0) / a.length).toBeCloseTo(0.1 * Math.sqrt(Math.PI / 2), 2);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
  });
});
