import { describe, expect, it } from "vitest";
import {
  NORMALIZED_RANGE,
  cropVolume,
  percentileNormalize,
  quantile,
  quantileSelect,
  type CropSpec,
} from "../../lib/crop";
import type { Volume } from "../../lib/dicom";

function volume(
  slices: number,
  rows: number,
  columns: number,
  rowSpacing: number,
  colSpacing: number,
): Volume {
  return { data: new Float32Array(slices * rows * columns), slices, rows, columns, rowSpacing, colSpacing };
}
const at = (v: Volume, s: number, y: number, x: number) => (s * v.rows + y) * v.columns + x;
const raw: CropSpec = {
  sizeMm: 20,
  outPixels: 33,
  slicesEachSide: 1,
  sliceStep: 1,
  padding: "zero",
  normalize: null,
};

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

describe("cropVolume", () => {
  it("a bright marker at the centre coordinate lands on the crop's centre pixel of the middle slice", () => {
    const v = volume(7, 100, 120, 0.5, 0.8);
    v.data[at(v, 3, 40, 60)] = 1000;
    const c = cropVolume(v, { slice: 3, x: 60, y: 40 }, raw);
    expect(c.length).toBe(3 * 33 * 33);
    expect(argmax(c)).toBe(1 * 33 * 33 + 16 * 33 + 16);
    expect(c[1 * 33 * 33 + 16 * 33 + 16]).toBe(1000);
  });

  it("resamples in mm: a 10 mm square has the same size in the crop at 0.5 and 1.0 mm spacing", () => {
    const counts = [0.5, 1.0].map((sp) => {
      const v = volume(1, 200, 200, sp, sp);
      const half = 5 / sp;
      for (let y = 100 - half; y <= 100 + half; y++)
        for (let x = 100 - half; x <= 100 + half; x++) v.data[at(v, 0, y, x)] = 1;
      const c = cropVolume(
        v,
        { slice: 0, x: 100, y: 100 },
        { ...raw, slicesEachSide: 0, sizeMm: 40, outPixels: 40 },
      );
      return c.reduce((n, x) => n + (x > 0.5 ? 1 : 0), 0);
    });
    // 10 mm of a 40 mm / 40 px crop: about 10-11 px per side.
    expect(counts[0]).toBeGreaterThanOrEqual(100);
    expect(counts[0]).toBeLessThanOrEqual(121);
    expect(counts[1]).toBe(counts[0]);
  });

  it("slice step and depth: output slice k reads centre + (k - each) * step; missing slices pad", () => {
    const v = volume(6, 20, 20, 1, 1);
    for (let s = 0; s < 6; s++) v.data.fill(s + 1, at(v, s, 0, 0), at(v, s + 1, 0, 0));
    const spec: CropSpec = { ...raw, sizeMm: 5, outPixels: 5, slicesEachSide: 2, sliceStep: 2 };
    const c = cropVolume(v, { slice: 3, x: 10, y: 10 }, spec);
    expect([0, 1, 2, 3, 4].map((k) => c[k * 25 + 12])).toEqual([0, 2, 4, 6, 0]);
    const e = cropVolume(v, { slice: 3, x: 10, y: 10 }, { ...spec, padding: "edge" });
    expect([0, 1, 2, 3, 4].map((k) => e[k * 25 + 12])).toEqual([1, 2, 4, 6, 6]);
  });

  it("slicePadding: edge repeats the end slice while in-plane samples outside the image stay 0", () => {
    const v = volume(3, 10, 10, 1, 1);
    for (let s = 0; s < 3; s++) v.data.fill(s + 1, at(v, s, 0, 0), at(v, s + 1, 0, 0));
    const spec: CropSpec = { ...raw, sizeMm: 9, outPixels: 9, slicesEachSide: 2, slicePadding: "edge" };
    const c = cropVolume(v, { slice: 0, x: 0, y: 5 }, spec);
    // output slices read stack slices -2, -1, 0, 1, 2 -> 0, 0, 0, 1, 2 (1-based fill values 1, 1, 1, 2, 3)
    expect([0, 1, 2, 3, 4].map((k) => c[k * 81 + 4 * 9 + 4])).toEqual([1, 1, 1, 2, 3]);
    // column x = -4 .. -1 is outside the image: 0 on every slice, the repeated ones included
    expect([0, 1, 2, 3, 4].map((k) => c[k * 81 + 4 * 9 + 0])).toEqual([0, 0, 0, 0, 0]);
    // the default follows padding: zero slices past the end
    const z = cropVolume(v, { slice: 0, x: 0, y: 5 }, { ...spec, slicePadding: undefined });
    expect([0, 1, 2, 3, 4].map((k) => z[k * 81 + 4 * 9 + 4])).toEqual([0, 0, 1, 2, 3]);
  });

  it("pads in-plane at the border: zero writes 0, edge repeats the border pixel", () => {
    const v = volume(1, 10, 10, 1, 1);
    v.data.fill(7);
    const spec: CropSpec = { ...raw, slicesEachSide: 0, sizeMm: 9, outPixels: 9 };
    const z = cropVolume(v, { slice: 0, x: 0, y: 0 }, spec);
    expect(z[0]).toBe(0);
    expect(z[4 * 9 + 4]).toBe(7);
    const e = cropVolume(v, { slice: 0, x: 0, y: 0 }, { ...spec, padding: "edge" });
    expect(e[0]).toBe(7);
  });

  it("percentile normalisation maps the crop to [0, 1] and keeps padding at 0", () => {
    const v = volume(1, 50, 50, 1, 1);
    for (let i = 0; i < v.data.length; i++) v.data[i] = 100 + (i % 50);
    const c = cropVolume(
      v,
      { slice: 0, x: 2, y: 25 },
      { ...raw, slicesEachSide: 0, normalize: { lowPercentile: 0, highPercentile: 100 } },
    );
    expect(Math.min(...c)).toBe(0);
    expect(Math.max(...c)).toBe(1);
    expect(c[16 * 33 + 0]).toBe(0); // left of column 0: padding
  });

  it("values past the percentiles keep headroom up to NORMALIZED_RANGE, then clip", () => {
    expect(NORMALIZED_RANGE).toEqual([-0.5, 1.5]);
    // 0..100: p0 = 0 and p50 = 50 map to 0 and 1; 60 -> 1.2 is kept, 100 -> 2 clips to 1.5.
    const high = percentileNormalize(
      Float32Array.from({ length: 101 }, (_, i) => i),
      0,
      50,
    );
    expect([high[0], high[50], high[60], high[100]]).toEqual([0, 1, Math.fround(1.2), 1.5]);
    // [0, 15, 20, 30, 40]: p50 = 20, p100 = 40; 15 -> -0.25 is kept, 0 -> -1 clips to -0.5.
    const low = percentileNormalize(Float32Array.from([0, 15, 20, 30, 40]), 50, 100);
    expect(Array.from(low)).toEqual([-0.5, -0.25, 0, 0.5, 1]);
  });
});

describe("quantileSelect equals the sorted-array quantile (numpy linear)", () => {
  it.each([0, 0.01, 0.25, 0.5, 0.99, 1])("q=%f on random data with ties", (q) => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 100;
    const a = Float32Array.from({ length: 1001 }, () => Math.round(rand()));
    const sorted = a.slice().sort();
    expect(quantileSelect(a.slice(), q)).toBeCloseTo(quantile(sorted, q), 4);
  });
  it("hand case: [1, 2, 3, 4] at 0.5 is 2.5, at 0.25 is 1.75", () => {
    expect(quantileSelect(Float32Array.from([4, 1, 3, 2]), 0.5)).toBe(2.5);
    expect(quantileSelect(Float32Array.from([4, 1, 3, 2]), 0.25)).toBe(1.75);
  });
});
