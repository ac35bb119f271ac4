import { describe, expect, it } from "vitest";
import type { SeverityIndex } from "../../lib/data/schema";
import {
  decideShrink,
  fitShrinkWeight,
  groupLoss,
  legacyGates,
  MIN_GROUP_ROWS,
  shrinkToward,
  shrinkWeight,
  describeGates,
  type ShrinkRow,
} from "../../lib/gates";
import type { Probs3 } from "../../lib/metric";
import { Rng } from "../../lib/util/rng";

const row = (probs: Probs3, label: SeverityIndex, i: number, prior: Probs3 = [0.6, 0.2, 0.2]): ShrinkRow => ({
  probs,
  prior,
  label,
  fold: i % 5,
});

describe("shrinking toward the prior", () => {
  it("mixes linearly: weight 0 is the model, 1 the prior", () => {
    expect(shrinkToward([0.9, 0.05, 0.05], [0.6, 0.2, 0.2], 0)).toEqual([0.9, 0.05, 0.05]);
    const half = shrinkToward([0.9, 0.05, 0.05], [0.6, 0.2, 0.2], 0.5);
    [0.75, 0.125, 0.125].forEach((v, k) => expect(half[k]).toBeCloseTo(v, 12));
  });

  it("gives a confidently wrong group the prior", () => {
    // All Severe, predicted Normal/Mild at 0.98: loss -log(0.01) = 4.61 against the prior's -log(0.2)
    const rows = Array.from({ length: 50 }, (_, i) => row([0.98, 0.01, 0.01], 2, i));
    expect(groupLoss(rows, 0)).toBeCloseTo(-Math.log(0.01), 9);
    const d = decideShrink(rows);
    expect(d.weight).toBe(1);
    expect(d.prior).toBeCloseTo(-Math.log(0.2), 9);
    expect(d.chosen).toBe(d.prior);
  });

  it("leaves a group the model gets right as it is", () => {
    const rows = Array.from({ length: 50 }, (_, i) => row([0.9, 0.05, 0.05], 0, i));
    const d = decideShrink(rows);
    expect(d.weight).toBe(0);
    expect(d.chosen).toBeCloseTo(-Math.log(0.9), 9);
  });

  it("fits the weight that minimises the group's loss (hand-computed optimum 0.5724)", () => {
    // 80% right at 0.9, 20% wrong (0.02 on the true class); prior 0.6 on it. d/dw of
    // -(0.8 log(0.9 - 0.3w) + 0.2 log(0.02 + 0.58w)) = 0 at w = 0.0996 / 0.174 = 0.5724.
    const rows = Array.from({ length: 100 }, (_, i) =>
      row(i % 5 === 4 ? [0.02, 0.49, 0.49] : [0.9, 0.05, 0.05], 0, Math.floor(i / 20)),
    );
    const w = fitShrinkWeight(rows);
    expect(Math.abs(w - 0.5724)).toBeLessThanOrEqual(0.05);
    const d = decideShrink(rows);
    expect(d.weight).toBe(w);
    expect(d.chosen!).toBeLessThan(d.model!);
    expect(d.chosen!).toBeLessThan(d.prior!);
  });

  it("gives a group with too few rows the prior", () => {
    const rows = Array.from({ length: MIN_GROUP_ROWS - 1 }, (_, i) => row([0.9, 0.05, 0.05], 0, i));
    expect(decideShrink(rows).weight).toBe(1);
    expect(decideShrink([]).weight).toBe(1);
  });

  it("never leaves a group expected to score worse than the prior", () => {
    const rng = new Rng(7);
    for (let g = 0; g < 30; g++) {
      const rows = Array.from({ length: 40 }, (_, i) => {
        const a = rng.next() + 1e-3;
        const b = rng.next() + 1e-3;
        const c = (rng.next() * 3 * g) / 30 + 1e-3;
        const s = a + b + c;
        return row([a / s, b / s, c / s], rng.int(0, 2) as SeverityIndex, i);
      });
      const d = decideShrink(rows);
      expect(d.chosen!).toBeLessThanOrEqual(d.prior! + 1e-12);
    }
  });
});

describe("gates of a weights folder", () => {
  it("from before the gates: every part on, degraded rows as they are", () => {
    const g = legacyGates({ minPeak: 0.1, maxShiftMm: 14 }, true);
    expect(g.refine.foraminal).toEqual({ on: true, minPeak: 0.1, maxShiftMm: 14 });
    expect(shrinkWeight(g, "substituted-slice", "spinal")).toBe(0);
    expect(describeGates(g)).toContain("toward the prior: none");
  });

  it("a kind without evidence gets the prior", () => {
    const g = { ...legacyGates({ minPeak: 0.1, maxShiftMm: 14 }, true), shrink: {} };
    expect(shrinkWeight(g, "substituted-levels", "foraminal")).toBe(1);
  });
});
