import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { studyRowIds } from "../../lib/data";
import type { Probs3 } from "../../lib/metric";
import {
  readPredictions,
  submissionProblems,
  validateSubmissionFile,
  writeSubmission,
} from "../../lib/submit";
import { SubmissionError } from "../../lib/util/errors";
import { tempDir } from "../helpers/tmp";

const expected = [...studyRowIds(5), ...studyRowIds(12)];
const rowsOf = (cells: [string, string, string][], ids = expected) =>
  ids.map((rowId, i) => ({
    line: i + 2,
    rowId,
    cells: cells[i] ?? (["0.5", "0.25", "0.25"] as [string, string, string]),
  }));
const header = ["row_id", "normal_mild", "moderate", "severe"];

describe("submission validator", () => {
  it("accepts a complete, normalised submission", () => {
    expect(submissionProblems(header, rowsOf([]), expected)).toEqual([]);
  });

  it("lists every problem: header, duplicate, unexpected, missing, non-numeric, negative, bad sum", () => {
    const rows = rowsOf([
      ["nan", "0.5", "0.5"],
      ["-0.1", "0.6", "0.5"],
      ["0.5", "0.5", "0.5"],
      ["", "1", "0"],
    ]);
    rows[5] = { ...rows[5], rowId: rows[4].rowId };
    rows.push({ line: 99, rowId: "77_spinal_canal_stenosis_l1_l2", cells: ["1", "0", "0"] });
    const problems = submissionProblems(["row_id", "normal_mild", "severe", "moderate"], rows, expected);
    expect(problems[0]).toMatch(/^header is/);
    expect(problems.some((p) => /line 2 .*normal_mild "nan" is not a finite number/.test(p))).toBe(true);
    expect(problems.some((p) => /line 3 .*normal_mild -0.1 is negative/.test(p))).toBe(true);
    expect(problems.some((p) => /line 4 .*row sums to 1.5, not 1/.test(p))).toBe(true);
    expect(problems.some((p) => /line 5 .*normal_mild "" is not a finite number/.test(p))).toBe(true);
    expect(problems.some((p) => /line 7 .*duplicate row_id, first on line 6/.test(p))).toBe(true);
    expect(problems.some((p) => /line 99 .*unexpected row_id/.test(p))).toBe(true);
    expect(problems.some((p) => /1 expected row_id\(s\) missing/.test(p))).toBe(true);
  });
});

describe("submission writer", () => {
  it("writes sorted, normalised rows that validate and read back", () => {
    const dir = tempDir();
    const preds = new Map<string, Probs3>(expected.map((id, i) => [id, [1 + i, 2, 3]]));
    writeSubmission(join(dir, "submission.csv"), preds, expected);
    const text = readFileSync(join(dir, "submission.csv"), "utf8").split("\n");
    expect(text[0]).toBe("row_id,normal_mild,moderate,severe");
    expect(text).toHaveLength(51 + 1);
    expect(text.slice(1, -1).map((l) => l.split(",")[0])).toEqual([...expected].sort());
    expect(validateSubmissionFile(join(dir, "submission.csv"), expected)).toEqual([]);
    const back = readPredictions(join(dir, "submission.csv")).get(expected[0])!;
    expect(back[0]).toBeCloseTo(1 / 6, 15);
  });

  it("refuses to write an incomplete or invalid submission", () => {
    const dir = tempDir();
    const preds = new Map<string, Probs3>(expected.slice(1).map((id) => [id, [1, 1, 1]]));
    expect(() => writeSubmission(join(dir, "s.csv"), preds, expected)).toThrow(SubmissionError);
    preds.set(expected[0], [NaN, 1, 1]);
    expect(() => writeSubmission(join(dir, "s.csv"), preds, expected)).toThrow(/not a finite number/);
  });
});
