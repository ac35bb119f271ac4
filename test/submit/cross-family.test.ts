import { describe, expect, it } from "vitest";
import { rowId, type SeverityIndex } from "../../lib/data/schema";
import type { Probs3 } from "../../lib/metric";
import {
  checkCrossFamily,
  crossFamilyFeatures,
  fitCrossFamily,
  predictCrossFamily,
  priorFor,
  type CrossFamilyModel,
  type PriorModel,
} from "../../lib/submit";
import { Rng } from "../../lib/util/rng";

const prior: PriorModel = { probs: Array.from({ length: 25 }, () => [0.6, 0.3, 0.1] as Probs3) };
const zero: CrossFamilyModel = {
  families: {
    foraminal: { moderate: [0, 0, 0, 0, 0], severe: [0, 0, 0, 0, 0] },
    subarticular: { moderate: [0, 0, 0, 0, 0], severe: [0, 0, 0, 0, 0] },
  },
};
const leftForaminal = { condition: "left_neural_foraminal_narrowing", level: "l4_l5" } as const;

describe("crossFamilyFeatures", () => {
  it("are the log-odds of Moderate and Severe of the spinal row, then the same side's subarticular row, over 4", () => {
    const p = new Map<string, Probs3>([
      [rowId(1, { condition: "spinal_canal_stenosis", level: "l4_l5" }), [0.5, 0.25, 0.25]],
      [rowId(1, { condition: "left_subarticular_stenosis", level: "l4_l5" }), [0.8, 0.1, 0.1]],
      // the other side and another level are not evidence
      [rowId(1, { condition: "right_subarticular_stenosis", level: "l4_l5" }), [0.1, 0.1, 0.8]],
      [rowId(1, { condition: "spinal_canal_stenosis", level: "l3_l4" }), [0.1, 0.1, 0.8]],
    ]);
    const x = crossFamilyFeatures(p, 1, leftForaminal)!;
    const expected = [Math.log(0.5) / 4, Math.log(0.5) / 4, Math.log(1 / 8) / 4, Math.log(1 / 8) / 4];
    x.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 12));
  });

  it("a missing evidence row counts as no evidence (0, 0); none at all, or a spinal target, is null", () => {
    const p = new Map<string, Probs3>([
      [rowId(1, { condition: "spinal_canal_stenosis", level: "l4_l5" }), [0.5, 0.25, 0.25]],
    ]);
    expect(crossFamilyFeatures(p, 1, leftForaminal)?.slice(2)).toEqual([0, 0]);
    expect(crossFamilyFeatures(new Map(), 1, leftForaminal)).toBeNull();
    expect(crossFamilyFeatures(p, 1, { condition: "spinal_canal_stenosis", level: "l4_l5" })).toBeNull();
  });
});

/**
 * Studies whose foraminal severity follows their spinal prediction at the same level (as stenosis
 * does across a level in the real labels): the fitted model must beat the prior on held-out studies.
 */
function correlated(n: number, seed: number) {
  const rng = new Rng(seed);
  const predicted = new Map<string, Probs3>();
  const labels = new Map<string, SeverityIndex>();
  const studies = Array.from({ length: n }, (_, i) => 100 + i);
  for (const s of studies)
    for (const level of ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"] as const) {
      const severity = rng.int(0, 2) as SeverityIndex;
      const sure = [0.1, 0.1, 0.1];
      sure[severity] = 0.8;
      predicted.set(rowId(s, { condition: "spinal_canal_stenosis", level }), sure as unknown as Probs3);
      // the foraminal label agrees with the spinal one 70% of the time
      const label = (rng.next() < 0.7 ? severity : rng.int(0, 2)) as SeverityIndex;
      for (const side of ["left", "right"] as const)
        labels.set(rowId(s, { condition: `${side}_neural_foraminal_narrowing`, level }), label);
    }
  return { predicted, labels, studies };
}

describe("fitCrossFamily / checkCrossFamily", () => {
  it("an all-zero model predicts the prior itself", () => {
    const p = new Map<string, Probs3>([
      [rowId(1, { condition: "spinal_canal_stenosis", level: "l4_l5" }), [0.2, 0.3, 0.5]],
    ]);
    const q = predictCrossFamily(zero, prior, p, 1, leftForaminal)!;
    q.forEach((v, k) => expect(v).toBeCloseTo(priorFor(prior, leftForaminal)[k], 12));
  });

  it("learns the dependence: held out, it beats the prior; fitted, it follows the evidence", () => {
    const { predicted, labels, studies } = correlated(60, 3);
    const folds = new Map(studies.map((s, i) => [s, i % 5]));
    const check = checkCrossFamily(predicted, labels, prior, folds);
    expect(check.foraminal.rows).toBe(60 * 10);
    expect(check.foraminal.crossFamily).toBeLessThan(check.foraminal.prior! - 0.1);
    // no labelled subarticular rows: nothing to judge, nothing claimed
    expect(check.subarticular).toEqual({ rows: 0, prior: null, crossFamily: null });

    const model = fitCrossFamily(predicted, labels, prior, studies);
    const atSeverity = (k: SeverityIndex) => {
      const sure = [0.1, 0.1, 0.1];
      sure[k] = 0.8;
      const p = new Map([
        [rowId(1, { condition: "spinal_canal_stenosis", level: "l4_l5" }), sure as unknown as Probs3],
      ]);
      return predictCrossFamily(model, prior, p, 1, leftForaminal)!;
    };
    expect(atSeverity(2)[2]).toBeGreaterThan(atSeverity(0)[2] + 0.3);
    expect(atSeverity(0)[0]).toBeGreaterThan(atSeverity(2)[0] + 0.3);
  });

  it("is deterministic", () => {
    const { predicted, labels, studies } = correlated(20, 4);
    expect(fitCrossFamily(predicted, labels, prior, studies)).toEqual(
      fitCrossFamily(predicted, labels, prior, studies),
    );
  });
});
