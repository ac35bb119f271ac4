import { describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { indexDataset } from "../../lib/data";
import { writeTree } from "../helpers/tmp";

describe("indexDataset", () => {
  it("tolerates missing folders, empty folders and series listed without files", () => {
    const root = writeTree({
      "test_series_descriptions.csv":
        "study_id,series_id,series_description\n10,100,Sagittal T1\n10,101,Axial T2\n10,102,Sagittal T2/STIR\n20,200,Axial T2\n",
      "sample_submission.csv":
        "row_id,normal_mild,moderate,severe\n30_spinal_canal_stenosis_l1_l2,0.3,0.3,0.4\n",
      "test_images/10/100/2.dcm": "x",
      "test_images/10/100/10.dcm": "x",
      "test_images/10/100/1.dcm": "x",
      "test_images/10/102/notes.txt": "x",
      "test_images/10/999/1.dcm": "x",
    });
    mkdirSync(join(root, "test_images/10/101"));
    const index = indexDataset(root, "test");
    expect(index.studies.map((s) => s.studyId)).toEqual([10, 20, 30]);
    const [s10, s20, s30] = index.studies;
    expect(s10.series.map((s) => s.seriesId)).toEqual([100, 101, 102, 999]);
    expect(s10.series[0].files.map((f) => f.instanceNumber)).toEqual([1, 2, 10]);
    expect(s10.series[0].problems).toEqual([]);
    expect(s10.series[1].problems[0]).toMatch(/holds no \.dcm files/);
    expect(s10.series[2].files).toEqual([]);
    expect(s10.series[3].description).toBeNull();
    expect(s20.problems[0]).toMatch(/no image folder/);
    expect(s20.series[0].problems.some((p) => p.includes("listed but has no folder"))).toBe(true);
    expect(s30.series).toEqual([]);
  });

  it("indexes an empty root without throwing", () => {
    expect(indexDataset(writeTree({}), "train").studies).toEqual([]);
  });
});
