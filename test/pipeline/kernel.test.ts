import { describe, expect, it, beforeAll } from "vitest";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/engine";
import { generateDataset } from "../../lib/synth";
import { runKernel, type KernelReport } from "../../lib/kernel";
import { loadSampleSubmission } from "../../lib/data/submission-file";
import { loadSeriesDescriptions } from "../../lib/data/series-descriptions";
import { validateSubmissionFile } from "../../lib/submit";

/**
 * The smoke kernel end to end on a tiny generated set whose test split is damaged the ways real
 * downloads are: a study without its Sagittal T2 series, a truncated DICOM file, an axial series
 * split in two, a listed series whose folder is missing. Every test row must still be predicted.
 */
let data: string;
let out: string;
let report: KernelReport;
const damaged: Record<"missing" | "truncated" | "split" | "noFolder", number> = {
  missing: 0,
  truncated: 0,
  split: 0,
  noFolder: 0,
};

function seriesRows(dir: string) {
  return loadSeriesDescriptions(join(dir, "test_series_descriptions.csv"));
}
function writeSeriesRows(dir: string, rows: { studyId: number; seriesId: number; description: string }[]) {
  writeFileSync(
    join(dir, "test_series_descriptions.csv"),
    [
      "study_id,series_id,series_description",
      ...rows.map((r) => `${r.studyId},${r.seriesId},${r.description}`),
    ].join("\n") + "\n",
  );
}
function dcmFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".dcm"))
    .sort((a, b) => parseInt(a) - parseInt(b));
}

beforeAll(async () => {
  await initBackend({ log: false });
  const root = mkdtempSync(join(tmpdir(), "lumbar-kernel-"));
  data = join(root, "data");
  out = join(root, "out");
  // No quirks from the generator: the damage below is placed deliberately, one kind per study.
  await generateDataset({
    out: data,
    train: 8,
    test: 4,
    seed: 11,
    size: "small",
    quirks: { missingSagittalT1: false, splitAxialSeries: false },
  });
  const rows = seriesRows(data);
  const studies = [...new Set(rows.map((r) => r.studyId))].sort((a, b) => a - b);
  [damaged.missing, damaged.truncated, damaged.split, damaged.noFolder] = studies;
  const img = (s: number, series?: number) =>
    join(data, "test_images", String(s), ...(series ? [String(series)] : []));
  const find = (s: number, d: string) => rows.find((r) => r.studyId === s && r.description === d)!;

  // 1. missing series: Sagittal T2/STIR neither listed nor on disk
  const t2 = find(damaged.missing, "Sagittal T2/STIR");
  rmSync(img(damaged.missing, t2.seriesId), { recursive: true });
  let kept = rows.filter((r) => r !== t2);

  // 2. a truncated DICOM: the middle Sagittal T2 file cut to 40% of its bytes
  const t2b = find(damaged.truncated, "Sagittal T2/STIR");
  const files = dcmFiles(img(damaged.truncated, t2b.seriesId));
  const victim = join(img(damaged.truncated, t2b.seriesId), files[Math.floor(files.length / 2)]);
  truncateSync(victim, Math.floor(statSync(victim).size * 0.4));

  // 3. the axial series split in two: the upper half of its files moved to a new series
  const ax = find(damaged.split, "Axial T2");
  const axFiles = dcmFiles(img(damaged.split, ax.seriesId));
  const newId = ax.seriesId + 1;
  mkdirSync(img(damaged.split, newId));
  for (const f of axFiles.slice(Math.floor(axFiles.length / 2)))
    renameSync(join(img(damaged.split, ax.seriesId), f), join(img(damaged.split, newId), f));
  kept = [...kept, { studyId: damaged.split, seriesId: newId, description: "Axial T2" }];

  // 4. listed series with no folder: Sagittal T1 stays in the CSV, its folder is gone
  rmSync(img(damaged.noFolder, find(damaged.noFolder, "Sagittal T1").seriesId), { recursive: true });
  writeSeriesRows(data, kept);

  report = await runKernel(smokeRun(3));
}, 600_000);

/**
 * The smoke profile with 3 epochs per unit (smoke's patience 1 may stop folds at different epochs),
 * so the common epoch is a choice among several.
 */
function smokeRun(seed: number) {
  const overrides = { localizer: { epochs: 3 }, classifier: { epochs: 3 } };
  return { data, out, profile: "smoke" as const, seed, overrides, quiet: true };
}

describe("smoke kernel on damaged test studies", () => {
  it("writes a complete, valid submission with exactly the sample submission's rows", () => {
    const file = join(out, "submission.csv");
    const expected = loadSampleSubmission(join(data, "sample_submission.csv")).rowIds;
    expect(expected.length).toBe(4 * 25);
    expect(validateSubmissionFile(file, expected)).toEqual([]);
  });

  it("reports scores, the oracle, localization errors and timings", () => {
    const r = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    for (const k of ["cvScore", "cvHonestScore", "testScore", "priorScore", "oracleScore"])
      expect(Number.isFinite(r[k]), k).toBe(true);
    expect(r.oracleScore).toBeLessThan(r.priorScore);
    expect(r.cv.localized.rows_scored).toBeGreaterThan(0);
    expect(r.localization.oofTrain.spinal.n).toBeGreaterThan(0);
    expect(r.localization.test.n).toBeGreaterThan(0);
    for (const k of ["prepareTrain", "trainLocalizer", "trainClassifiers", "inference"])
      expect(r.timings[k]).toBeGreaterThan(0);
    expect(existsSync(join(out, "checkpoints", "config.json"))).toBe(true);
    expect(readFileSync(join(out, "train-log.jsonl"), "utf8").trim().split("\n").length).toBeGreaterThan(0);
  });

  it("reports the honest CV: one epoch per unit type, from the folds' mean validation curve", () => {
    const r = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as KernelReport;
    expect(Number.isFinite(r.cvHonestScore)).toBe(true);
    expect(r.cv.honest!.rows_scored).toBe(r.cv.localized!.rows_scored);
    expect(Object.keys(r.epochs).sort()).toEqual([
      "foraminal",
      "foraminal-points",
      "localizer",
      "spinal",
      "spinal-points",
      "subarticular",
      "subarticular-points",
    ]);
    const chosen = JSON.parse(readFileSync(join(out, "checkpoints", "epochs.json"), "utf8")).epochs;
    for (const [unit, e] of Object.entries(r.epochs)) {
      const states = [0, 1].map((f) =>
        JSON.parse(readFileSync(join(out, "checkpoints", unit, `fold${f}`, "state.json"), "utf8")),
      );
      // the curve covers the epochs every fold trained; the epoch is its minimum
      expect(e.meanCurve).toHaveLength(Math.min(...states.map((s) => s.epoch)));
      expect(e.meanCurve[e.epoch]).toBe(Math.min(...e.meanCurve));
      expect(e.foldBest).toEqual(states.map((s) => s.bestEpoch));
      expect(chosen[unit]).toBe(e.epoch);
      // every epoch's weights are kept
      for (const [f, s] of states.entries())
        for (let k = 0; k < s.epoch; k++)
          expect(existsSync(join(out, "checkpoints", unit, `fold${f}`, `last-e${k}.weights`))).toBe(true);
    }
  });

  it("falls back to the prior for the rows a missing series cannot serve, with the reason", () => {
    const spinal = report.fallbacks.filter(
      (f) => f.studyId === damaged.missing && /Sagittal T2\/STIR/.test(f.reason),
    );
    expect(spinal.map((f) => f.rows)).toEqual([5]);
    const noFolder = report.fallbacks.filter(
      (f) => f.studyId === damaged.noFolder && /Sagittal T1/.test(f.reason),
    );
    expect(noFolder.reduce((s, f) => s + f.rows, 0)).toBe(10);
  });

  it("a truncated file or a split axial series costs no study: neither falls back wholesale", () => {
    for (const id of [damaged.truncated, damaged.split]) {
      const rows = report.fallbacks.filter((f) => f.studyId === id).reduce((s, f) => s + f.rows, 0);
      expect(
        rows,
        `study ${id}: ${JSON.stringify(report.fallbacks.filter((f) => f.studyId === id))}`,
      ).toBeLessThan(25);
      expect(report.fallbacks.some((f) => f.studyId === id && /Error/.test(f.reason))).toBe(false);
    }
    // The truncated file is decoded lazily: its failure is logged (it read as its neighbour).
    expect(
      report.failures.some(
        (f) => f.studyId === damaged.truncated && f.stage === "test decode" && /TRUNCATED/.test(f.reason),
      ),
      JSON.stringify(report.failures.filter((f) => f.studyId === damaged.truncated)),
    ).toBe(true);
  });

  it("refuses to resume into checkpoints made with another configuration", async () => {
    await expect(runKernel(smokeRun(4))).rejects.toThrow(/different configuration/);
  });

  it("a rerun resumes from the finished checkpoints and writes the same bytes", async () => {
    const files = ["submission.csv", "oof.csv", "checkpoints/epochs.json"];
    const before = files.map((f) => readFileSync(join(out, f), "utf8"));
    const reportBefore = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    // the training inputs' cache (lib/cache): read back, not cut again (same inodes, same mtimes)
    const cache = join(out, "cache");
    const cacheFiles = readdirSync(cache).sort();
    expect(cacheFiles.filter((f) => f.endsWith(".rec")).length).toBeGreaterThanOrEqual(3);
    const stamp = () =>
      cacheFiles.map((f) => [f, statSync(join(cache, f)).ino, statSync(join(cache, f)).mtimeMs]);
    const stampBefore = stamp();
    const again = await runKernel(smokeRun(3));
    expect(readdirSync(cache).sort()).toEqual(cacheFiles);
    expect(stamp()).toEqual(stampBefore);
    expect(files.map((f) => readFileSync(join(out, f), "utf8"))).toEqual(before);
    expect(again.cvScore).toBe(report.cvScore);
    expect(again.cvHonestScore).toBe(report.cvHonestScore);
    // report.json differs only in what the machine measured: stage times and peak memory
    const measured = { timings: null, cpuSeconds: null, peakRssMb: null, memoryMb: null };
    const reportAfter = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect({ ...reportAfter, ...measured }).toEqual({ ...reportBefore, ...measured });
  });
});
