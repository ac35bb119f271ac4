import { describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  LABEL_COLUMNS,
  loadCoordinates,
  loadSampleSubmission,
  loadSeriesDescriptions,
  loadTrainLabels,
  CONDITION_INFO,
} from "../../lib/data";
import { REAL_CSV, haveShared } from "../helpers/shared";

describe.skipIf(!haveShared(REAL_CSV))("the real competition CSVs (../shared/rsna2024-csv)", () => {
  it("train.csv: 1,975 studies, 25 label columns, 572 missing cells", () => {
    const labels = loadTrainLabels(join(REAL_CSV, "train.csv"));
    expect(labels.studies).toHaveLength(1975);
    expect(labels.missingCells).toBe(572);
    expect(labels.studies[0].studyId).toBe(4003253);
    expect(LABEL_COLUMNS).toHaveLength(25);
    // Label mix from the README: spinal 8,664 / 736 / 470.
    const spinal = [0, 0, 0];
    for (const s of labels.studies) for (const sev of s.labels.slice(0, 5)) if (sev !== null) spinal[sev]++;
    expect(spinal).toEqual([8664, 736, 470]);
  });

  it("train_series_descriptions.csv: 6,294 series of the 3 known types", () => {
    const series = loadSeriesDescriptions(join(REAL_CSV, "train_series_descriptions.csv"));
    expect(series).toHaveLength(6294);
    expect(new Set(series.map((s) => s.studyId)).size).toBe(1975);
    expect(new Set(series.map((s) => s.description))).toEqual(
      new Set(["Sagittal T1", "Sagittal T2/STIR", "Axial T2"]),
    );
  });

  it("train_label_coordinates.csv: 48,809 points, each condition on its series type", () => {
    const coords = loadCoordinates(join(REAL_CSV, "train_label_coordinates.csv"));
    expect(coords).toHaveLength(48809);
    expect(coords[0]).toMatchObject({
      studyId: 4003253,
      seriesId: 702807833,
      instanceNumber: 8,
      condition: "spinal_canal_stenosis",
      level: "l1_l2",
    });
    const series = loadSeriesDescriptions(join(REAL_CSV, "train_series_descriptions.csv"));
    const typeOf = new Map(series.map((s) => [s.seriesId, s.description]));
    const agree = coords.filter((c) => typeOf.get(c.seriesId) === CONDITION_INFO[c.condition].series).length;
    expect(agree / coords.length).toBeGreaterThan(0.999);
  });

  it("sample_submission.csv and test_series_descriptions.csv: the one visible test study", () => {
    const sample = loadSampleSubmission(join(REAL_CSV, "sample_submission.csv"));
    expect(sample.rowIds).toHaveLength(25);
    expect(sample.studyIds).toEqual([44036939]);
    expect([...sample.rowIds]).toEqual([...sample.rowIds].sort());
    const test = loadSeriesDescriptions(join(REAL_CSV, "test_series_descriptions.csv"));
    expect(test.map((s) => s.seriesId).sort()).toEqual([2828203845, 3481971518, 3844393089]);
  });
});
