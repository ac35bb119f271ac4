import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { SeverityIndex, labelsByRowId, loadTrainLabels, rowId } from "../../lib/data";
import { Probs3, scoreSubmission } from "../../lib/metric";
import { MetricInputError } from "../../lib/util/errors";
import { REAL_CSV, haveShared } from "../helpers/shared";

const id = (study: number, column: string) => {
  const cut = column.lastIndexOf("_l");
  return rowId(study, { condition: column.slice(0, cut) as never, level: column.slice(cut + 1) as never });
};
const LN2 = Math.log(2);

describe("scoreSubmission, hand-computed cases", () => {
  const labels = new Map<string, SeverityIndex>([
    [id(1, "spinal_canal_stenosis_l1_l2"), 0],
    [id(1, "spinal_canal_stenosis_l2_l3"), 2],
    [id(1, "left_neural_foraminal_narrowing_l1_l2"), 1],
    [id(1, "right_subarticular_stenosis_l5_s1"), 0],
  ]);
  const preds = new Map<string, Probs3>([
    [id(1, "spinal_canal_stenosis_l1_l2"), [0.5, 0.25, 0.25]],
    [id(1, "spinal_canal_stenosis_l2_l3"), [0.2, 0.3, 0.5]],
    [id(1, "left_neural_foraminal_narrowing_l1_l2"), [0.25, 0.5, 0.25]],
    [id(1, "right_subarticular_stenosis_l5_s1"), [1, 0, 0]],
    // A row with a missing label: predicted, not scored, and (being spinal) not in the any-severe max.
    [id(1, "spinal_canal_stenosis_l3_l4"), [0, 0, 1]],
  ]);

  it("weights 1/2/4 by the true class and averages the four terms", () => {
    const r = scoreSubmission(labels, preds);
    // spinal: (1 * ln 2 + 4 * ln 2) / 5; foraminal: ln 2; subarticular: -ln(1 - 1e-15) after clipping.
    expect(r.spinal).toBeCloseTo(LN2, 12);
    expect(r.foraminal).toBeCloseTo(LN2, 12);
    expect(r.subarticular).toBeGreaterThan(0);
    expect(r.subarticular).toBeLessThan(2e-15);
    // any severe: label true (L2/L3 severe), p = max(0.25, 0.5) over labelled spinal rows, weight 4.
    expect(r.any_severe_spinal).toBeCloseTo(LN2, 12);
    expect(r.score).toBeCloseTo((3 * LN2) / 4, 12);
    expect(r.rows_scored).toBe(4);
  });

  it("row-normalises predictions (scaled rows score the same)", () => {
    const scaled = new Map([...preds].map(([k, p]) => [k, p.map((v) => v * 7) as unknown as Probs3]));
    expect(scoreSubmission(labels, scaled).score).toBeCloseTo(scoreSubmission(labels, preds).score, 12);
    const unnormalised = new Map(preds);
    unnormalised.set(id(1, "left_neural_foraminal_narrowing_l1_l2"), [1, 2, 1]);
    expect(scoreSubmission(labels, unnormalised).foraminal).toBeCloseTo(LN2, 12);
  });

  it("an all-severe study: spinal and any-severe are both -ln P(severe)", () => {
    const l = new Map<string, SeverityIndex>();
    const p = new Map<string, Probs3>();
    for (const level of ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"]) {
      l.set(id(9, `spinal_canal_stenosis_${level}`), 2);
      p.set(id(9, `spinal_canal_stenosis_${level}`), [0.05, 0.05, 0.9]);
    }
    l.set(id(9, "left_subarticular_stenosis_l4_l5"), 2);
    p.set(id(9, "left_subarticular_stenosis_l4_l5"), [0.6, 0.2, 0.2]);
    const r = scoreSubmission(l, p);
    expect(r.spinal).toBeCloseTo(-Math.log(0.9), 12);
    expect(r.any_severe_spinal).toBeCloseTo(-Math.log(0.9), 12);
    expect(r.subarticular).toBeCloseTo(-Math.log(0.2), 12);
    // No foraminal rows: that term is NaN and left out of the mean.
    expect(r.foraminal).toBeNaN();
    expect(r.score).toBeCloseTo((-2 * Math.log(0.9) - Math.log(0.2)) / 3, 12);
  });

  it("any-severe weight is the study's largest spinal weight; a negative study uses 1 - max P(severe)", () => {
    const l = new Map<string, SeverityIndex>([
      [id(2, "spinal_canal_stenosis_l1_l2"), 0],
      [id(2, "spinal_canal_stenosis_l2_l3"), 1],
      [id(3, "spinal_canal_stenosis_l1_l2"), 0],
    ]);
    const p = new Map<string, Probs3>([
      [id(2, "spinal_canal_stenosis_l1_l2"), [0.7, 0.1, 0.2]],
      [id(2, "spinal_canal_stenosis_l2_l3"), [0.3, 0.6, 0.1]],
      [id(3, "spinal_canal_stenosis_l1_l2"), [0.5, 0.1, 0.4]],
    ]);
    const r = scoreSubmission(l, p);
    // study 2: label 0, p = 0.2, weight 2; study 3: label 0, p = 0.4, weight 1.
    expect(r.any_severe_spinal).toBeCloseTo((2 * -Math.log(0.8) + 1 * -Math.log(0.6)) / 3, 12);
    expect(r.spinal).toBeCloseTo((-Math.log(0.7) - 2 * Math.log(0.6) - Math.log(0.5)) / 4, 12);
  });

  it("rejects non-finite and negative predictions and unpredicted labelled rows", () => {
    const k = id(1, "spinal_canal_stenosis_l1_l2");
    const withValue = (v: Probs3) => new Map([...preds, [k, v]]);
    expect(() => scoreSubmission(labels, withValue([NaN, 0.5, 0.5]))).toThrow(MetricInputError);
    expect(() => scoreSubmission(labels, withValue([Infinity, 0.5, 0.5]))).toThrow(/non-finite/);
    expect(() => scoreSubmission(labels, withValue([-0.1, 0.6, 0.5]))).toThrow(/negative/);
    const dropped = new Map(preds);
    dropped.delete(k);
    expect(() => scoreSubmission(labels, dropped)).toThrow(/1 labelled row\(s\) have no prediction/);
  });
});

describe.skipIf(!haveShared(REAL_CSV))("metric on the real train.csv", () => {
  const labels = loadTrainLabels(join(REAL_CSV, "train.csv"));
  const byRow = labelsByRowId(labels);

  it("uniform 1/3 scores 0.9994", () => {
    const uniform = new Map([...byRow.keys()].map((k) => [k, [1, 1, 1] as Probs3]));
    const r = scoreSubmission(byRow, uniform);
    expect(r.score).toBeCloseTo(0.9994, 3);
    expect(r.spinal).toBeCloseTo(Math.log(3), 12);
    expect(r.rows_scored).toBe(1975 * 25 - 572);
  });
});
