import { describe, expect, it } from "vitest";
import { LABEL_COLUMNS, SeverityIndex, TARGETS } from "../../lib/data/schema";
import type { TrainLabels } from "../../lib/data/train-labels";
import {
  conditionAbbrev,
  missingLabelsFigure,
  phi,
  seriesPerStudyFigure,
  severityCounts,
  severityDistributionFigure,
  strideSample,
} from "../../lib/viz/eda";
import { wrapTitle, domains } from "../../lib/viz/figure";

/** Studies whose first two targets are given; the other 23 are Normal/Mild (0). */
function labelsOf(pairs: [SeverityIndex | null, SeverityIndex | null][]): TrainLabels {
  const studies = pairs.map(([a, b], i) => ({
    studyId: 100 + i,
    labels: [a, b, ...Array.from({ length: LABEL_COLUMNS.length - 2 }, () => 0 as SeverityIndex)],
  }));
  const missingCells = pairs.flat().filter((v) => v === null).length;
  return { file: "hand-made", studies, missingCells };
}

describe("EDA statistics", () => {
  const labels = labelsOf([
    [1, 1],
    [0, 0],
    [2, 0],
    [0, null],
  ]);

  it("counts severities and missing cells per target", () => {
    const { counts, missing } = severityCounts(labels);
    expect(counts[0]).toEqual([2, 1, 1]);
    expect(counts[1]).toEqual([2, 1, 0]);
    expect(missing[1]).toBe(1);
    expect(counts[2]).toEqual([4, 0, 0]);
  });

  it("phi of moderate-or-worse over pairwise-labelled studies (hand-computed 0.5)", () => {
    // pairs used: (1,1) n11, (0,0) n00, (2,0) n10; the study with a missing label is skipped.
    // phi = (1*1 - 1*0) / sqrt(2*1*1*2) = 0.5
    expect(phi(labels, 0, 1)).toBeCloseTo(0.5, 12);
    // A target that is never moderate-or-worse has no defined correlation.
    expect(phi(labels, 0, 2)).toBeNull();
  });

  it("abbreviates condition titles from the schema", () => {
    expect(conditionAbbrev("left_neural_foraminal_narrowing")).toBe("LNFN");
    expect(conditionAbbrev("spinal_canal_stenosis")).toBe("SCS");
  });

  it("severity figure: percentages per level sum to 100 including missing", () => {
    const fig = severityDistributionFigure(labels);
    // First condition panel: 4 traces (3 severities + missing), x = 5 levels.
    const panel = fig.data.filter((t) => t.xaxis === "x");
    expect(panel).toHaveLength(4);
    const sums = [0, 1, 2, 3, 4].map((l) => panel.reduce((s, t) => s + (t.y as number[])[l], 0));
    for (const s of sums) expect(s).toBeCloseTo(100, 9);
    // L1/L2 of spinal: 2 normal, 1 moderate, 1 severe out of 4.
    expect(panel.map((t) => (t.y as number[])[0])).toEqual([50, 25, 25, 0]);
    expect(fig.data).toHaveLength(4 * 5);
  });

  it("missing-labels heatmap puts the count at its condition and level", () => {
    const fig = missingLabelsFigure(labels);
    const z = fig.data[0].z as number[][];
    // TARGETS[1] is spinal canal stenosis at L2/L3.
    expect(TARGETS[1]).toMatchObject({ condition: "spinal_canal_stenosis", level: "l2_l3" });
    expect(z[0][1]).toBe(1);
    expect(z.flat().reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("series per study counts studies lacking a type as 0", () => {
    const fig = seriesPerStudyFigure(
      [
        { studyId: 1, seriesId: 10, description: "Sagittal T1" },
        { studyId: 1, seriesId: 11, description: "Axial T2" },
        { studyId: 1, seriesId: 12, description: "Axial T2" },
        { studyId: 2, seriesId: 20, description: "Axial T2" },
      ],
      [1, 2, 3],
    );
    const byName = Object.fromEntries(fig.data.map((t) => [t.name, t.y]));
    expect(byName["Sagittal T1"]).toEqual([2, 1, 0, 0]);
    expect(byName["Sagittal T2/STIR"]).toEqual([3, 0, 0, 0]);
    expect(byName["Axial T2"]).toEqual([1, 1, 1, 0]);
  });
});

describe("figure helpers", () => {
  it("strideSample keeps order and size", () => {
    expect(strideSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8]);
    expect(strideSample([1, 2], 5)).toEqual([1, 2]);
  });
  it("wrapTitle breaks at the space nearest the middle", () => {
    expect(wrapTitle("Left Neural Foraminal Narrowing", 22)).toBe("Left Neural<br>Foraminal Narrowing");
    expect(wrapTitle("Short title", 22)).toBe("Short title");
  });
  it("domains tile [0, 1] with gaps", () => {
    expect(domains(2, 0.1)).toEqual([
      [0, 0.45],
      [0.55, 1],
    ]);
  });
});
