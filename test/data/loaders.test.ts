import { describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  LABEL_COLUMNS,
  loadCoordinates,
  loadSeriesDescriptions,
  loadTrainLabels,
  parseRowId,
  rowId,
  studyRowIds,
} from "../../lib/data";
import { DataFormatError } from "../../lib/util/errors";
import { writeTree } from "../helpers/tmp";

const header = ["study_id", ...LABEL_COLUMNS].join(",");
const row = (id: number, cells: string[]) => [String(id), ...cells].join(",");
const normal = Array(25).fill("Normal/Mild");

function caught(fn: () => unknown): DataFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataFormatError) return e;
    throw e;
  }
  throw new Error("expected a DataFormatError");
}

describe("train.csv loader", () => {
  it("keeps empty cells as missing, not as a class", () => {
    const cells = [...normal];
    cells[15] = "";
    cells[0] = "Severe";
    cells[1] = "Moderate";
    const dir = writeTree({ "train.csv": [header, row(7, cells)].join("\n") + "\n" });
    const labels = loadTrainLabels(join(dir, "train.csv"));
    expect(labels.missingCells).toBe(1);
    expect(labels.studies[0].labels[15]).toBeNull();
    expect(labels.studies[0].labels.slice(0, 3)).toEqual([2, 1, 0]);
  });

  it("names file and line for an unknown severity, a bad id and a short row", () => {
    const bad = [...normal];
    bad[3] = "Mild";
    const dir = writeTree({
      "a.csv": [header, row(1, normal), "", row(2, bad)].join("\n"),
      "b.csv": [header, row(1, normal), "x12," + normal.join(",")].join("\r\n"),
      "c.csv": [header, row(1, normal.slice(0, 24))].join("\n"),
    });
    const a = caught(() => loadTrainLabels(join(dir, "a.csv")));
    expect(a.file).toBe(join(dir, "a.csv"));
    expect(a.line).toBe(4);
    expect(a.message).toContain('unknown severity "Mild"');
    expect(caught(() => loadTrainLabels(join(dir, "b.csv"))).line).toBe(3);
    expect(caught(() => loadTrainLabels(join(dir, "c.csv"))).message).toContain(
      "expected 26 fields, found 25",
    );
  });

  it("reports a missing column and a missing file", () => {
    const dir = writeTree({ "t.csv": "study_id,spinal_canal_stenosis_l1_l2\n1,Severe\n" });
    expect(caught(() => loadTrainLabels(join(dir, "t.csv"))).message).toContain("missing column(s)");
    expect(caught(() => loadTrainLabels(join(dir, "nope.csv"))).message).toContain("cannot read");
  });
});

describe("coordinate and series loaders", () => {
  it("maps titles to schema names and rejects unknown ones with the line", () => {
    const dir = writeTree({
      "c.csv":
        "study_id,series_id,instance_number,condition,level,x,y\n1,2,3,Left Subarticular Stenosis,L5/S1,10.5,20\n1,2,3,Spinal Stenosis,L1/L2,1,1\n",
      "s.csv": "study_id,series_id,series_description\n1,2,Axial T2\n1,3,Coronal T1\n",
    });
    expect(() => loadCoordinates(join(dir, "c.csv"))).toThrow(
      /c\.csv:3: unknown condition "Spinal Stenosis"/,
    );
    expect(() => loadSeriesDescriptions(join(dir, "s.csv"))).toThrow(/s\.csv:3: unknown series_description/);
  });
});

describe("row ids", () => {
  it("round-trips and sorts like sample_submission", () => {
    expect(rowId(44036939, { condition: "spinal_canal_stenosis", level: "l5_s1" })).toBe(
      "44036939_spinal_canal_stenosis_l5_s1",
    );
    expect(parseRowId("44036939_left_neural_foraminal_narrowing_l1_l2")?.target.condition).toBe(
      "left_neural_foraminal_narrowing",
    );
    expect(parseRowId("44036939_spinal_canal_stenosis_l6_s1")).toBeUndefined();
    const ids = studyRowIds(5);
    expect(ids).toHaveLength(25);
    expect(ids[0]).toBe("5_left_neural_foraminal_narrowing_l1_l2");
  });
});
