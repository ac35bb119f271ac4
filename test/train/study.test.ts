import { describe, expect, it } from "vitest";
import { fitOffsets, pointErrors } from "../../lib/study";
import { errorSummary } from "../../lib/gates";
import { cosineLr } from "../../lib/train/fit";

describe("fitOffsets", () => {
  it("averages each condition's LPS offset from the spinal point of its level", () => {
    const study = (dx: number, dz: number) => [
      {
        condition: "spinal_canal_stenosis" as const,
        levelIndex: 2,
        lps: [1, 2, 3] as [number, number, number],
      },
      {
        condition: "left_neural_foraminal_narrowing" as const,
        levelIndex: 2,
        lps: [1 + dx, 2, 3 + dz] as [number, number, number],
      },
      // no spinal point at level 4: contributes nothing
      {
        condition: "left_neural_foraminal_narrowing" as const,
        levelIndex: 4,
        lps: [9, 9, 9] as [number, number, number],
      },
    ];
    const m = fitOffsets([study(10, -2), study(20, 2)]);
    expect(m.get("left_neural_foraminal_narrowing/2")).toEqual([15, 0, 0]);
    expect(m.get("spinal_canal_stenosis/2")).toEqual([0, 0, 0]);
    expect(m.has("left_neural_foraminal_narrowing/4")).toBe(false);
  });
});

describe("localization error summaries", () => {
  it("pairs points by condition and level and measures 3D mm", () => {
    const e = pointErrors(
      [{ condition: "left_subarticular_stenosis", levelIndex: 1, lps: [3, 4, 12] }],
      [
        { condition: "left_subarticular_stenosis", levelIndex: 1, lps: [0, 0, 0] },
        { condition: "left_subarticular_stenosis", levelIndex: 2, lps: [3, 4, 12] },
      ],
    );
    expect(e).toEqual([{ family: "subarticular", mm: 13 }]);
  });
  it("median and 90th percentile by nearest rank", () => {
    expect(errorSummary([10, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toMatchObject({
      n: 10,
      medianMm: 5,
      p90Mm: 9,
      meanMm: 5.5,
    });
    expect(errorSummary([])).toMatchObject({ n: 0, medianMm: null });
  });
});

describe("cosineLr", () => {
  it("starts at the base rate and ends at 5% of it", () => {
    expect(cosineLr(1, 0, 11)).toBeCloseTo(1, 10);
    expect(cosineLr(1, 5, 11)).toBeCloseTo(0.525, 10);
    expect(cosineLr(1, 10, 11)).toBeCloseTo(0.05, 10);
  });
});
