import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { LABEL_COLUMNS, studyRowIds } from "../../lib/data";
import { writeTree } from "../helpers/tmp";

const BIN = resolve(__dirname, "../../bin/lumbar.js");
const lumbar = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("npx lumbar score / validate-submission", () => {
  const labels = ["study_id," + LABEL_COLUMNS.join(","), "5," + Array(25).fill("Moderate").join(",")].join(
    "\n",
  );
  const sub = (p: string) =>
    ["row_id,normal_mild,moderate,severe", ...studyRowIds(5).map((id) => `${id},${p}`)].join("\n");
  const dir = writeTree({
    "labels.csv": labels,
    "good.csv": sub("0.25,0.5,0.25"),
    "bad.csv": sub("0.5,0.5,0.5"),
  });

  it("score prints the metric as one JSON object", () => {
    const r = lumbar("score", "--labels", join(dir, "labels.csv"), "--submission", join(dir, "good.csv"));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      "score",
      "spinal",
      "foraminal",
      "subarticular",
      "any_severe_spinal",
      "rows_scored",
    ]);
    expect(out.spinal).toBeCloseTo(Math.log(2), 12);
    expect(out.any_severe_spinal).toBeCloseTo(-Math.log(0.75), 12);
    expect(out.rows_scored).toBe(25);
  });

  it("validate-submission exits 1 listing the problems, 0 when valid", () => {
    const bad = lumbar(
      "validate-submission",
      "--sample",
      join(dir, "good.csv"),
      "--submission",
      join(dir, "bad.csv"),
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("25 problem(s)");
    expect(bad.stderr).toContain("row sums to 1.5, not 1");
    const good = lumbar(
      "validate-submission",
      "--sample",
      join(dir, "good.csv"),
      "--submission",
      join(dir, "good.csv"),
    );
    expect(good.status).toBe(0);
  });

  it("a missing file is a clear error with exit status 2", () => {
    const r = lumbar("score", "--labels", join(dir, "nope.csv"), "--submission", join(dir, "good.csv"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DataFormatError: .*nope\.csv: cannot read/);
  });
});
