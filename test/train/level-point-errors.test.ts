import { describe, expect, it } from "vitest";
import { levelPointErrors, meanPointError } from "../../lib/train";

describe("levelPointErrors: predicted against labelled level points", () => {
  // Study 1: level 0 off by (6, 2) px at 0.5 x 2 mm per px -> (3, 4) mm -> 5 mm; level 1 exact;
  // level 2 unlabelled. Study 2 has no labels at all.
  const samples = [
    {
      points: [
        [10, 20],
        [30, 40],
        [NaN, NaN],
      ] as [number, number][],
      mmPerPx: [0.5, 2] as const,
    },
    { points: null, mmPerPx: [1, 1] as const },
  ];
  const pred: [number, number][][] = [
    [
      [16, 22],
      [30, 40],
      [50, 60],
    ],
    [
      [1, 1],
      [2, 2],
      [3, 3],
    ],
  ];

  it("in mm, each axis scaled by the sample's own mmPerPx; unlabelled levels and studies skipped", () => {
    expect(levelPointErrors(pred, samples, "mm")).toEqual([5, 0]);
  });

  it("in input pixels, as the early-stopping score uses them", () => {
    expect(levelPointErrors(pred, samples, "px")).toEqual([Math.hypot(6, 2), 0]);
    expect(meanPointError(pred, samples)).toBeCloseTo(Math.hypot(6, 2) / 2, 12);
  });
});
