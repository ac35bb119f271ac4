import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { LABEL_COLUMNS, labelsByRowId, loadTrainLabels } from "../../lib/data";
import { scoreSubmission } from "../../lib/metric";
import { fitPrior, priorPredictions } from "../../lib/submit";
import { REAL_CSV, haveShared } from "../helpers/shared";
import { writeTree } from "../helpers/tmp";

describe("prior predictor", () => {
  it("is proportional to class count x metric weight", () => {
    const header = ["study_id", ...LABEL_COLUMNS].join(",");
    const cells = (first: string) => [first, ...Array(24).fill("Normal/Mild")].join(",");
    const dir = writeTree({
      "t.csv": [
        header,
        `1,${cells("Normal/Mild")}`,
        `2,${cells("Normal/Mild")}`,
        `3,${cells("Severe")}`,
        `4,${cells("")}`,
      ].join("\n"),
    });
    const prior = fitPrior(loadTrainLabels(join(dir, "t.csv")), 0);
    // spinal L1/L2: counts 2, 0, 1 -> weighted 2, 0, 4 -> 1/3, 0, 2/3.
    expect(prior.probs[0][0]).toBeCloseTo(1 / 3, 12);
    expect(prior.probs[0][1]).toBe(0);
    expect(prior.probs[0][2]).toBeCloseTo(2 / 3, 12);
    // With Laplace smoothing (default) no class is impossible: (3, 1, 2) x (1, 2, 4) / 13.
    const smooth = fitPrior(loadTrainLabels(join(dir, "t.csv")));
    expect(smooth.probs[0]).toEqual([3 / 13, 2 / 13, 8 / 13]);
  });
});

describe.skipIf(!haveShared(REAL_CSV))("prior predictor in-sample on the real train.csv", () => {
  const labels = loadTrainLabels(join(REAL_CSV, "train.csv"));
  const score = (smoothing: number) =>
    scoreSubmission(
      labelsByRowId(labels),
      priorPredictions(
        fitPrior(labels, smoothing),
        labels.studies.map((s) => s.studyId),
      ),
    );

  it("scores about 0.79 (the README's 0.7897 and its four terms)", () => {
    const exact = score(0);
    expect(exact.score).toBeCloseTo(0.7897, 4);
    expect(exact.spinal).toBeCloseTo(0.7063, 4);
    expect(exact.foraminal).toBeCloseTo(0.8037, 4);
    expect(exact.subarticular).toBeCloseTo(0.9508, 4);
    expect(exact.any_severe_spinal).toBeCloseTo(0.698, 4);
    expect(Math.abs(score(1).score - 0.7897)).toBeLessThan(0.005);
  });
});
