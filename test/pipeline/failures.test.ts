import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/engine";
import { generateDataset } from "../../lib/synth";
import { loadSeries } from "../../lib/dicom";
import { runKernel, type KernelReport } from "../../lib/kernel";
import { predictTest, type PredictReport } from "../../lib/infer";
import { loadSampleSubmission } from "../../lib/data/submission-file";
import { loadSeriesDescriptions } from "../../lib/data/series-descriptions";
import { validateSubmissionFile } from "../../lib/submit";
import { failureReport } from "../../lib/study";

/**
 * Every unusable file accounted for: a smoke set whose train and test studies hold files corrupted
 * the six ways real downloads are (cut in the pixel data, cut in the header, byte flips, empty,
 * random bytes, a huge length field). The kernel must still write a complete, valid submission, and
 * report.json must name each corrupted file with its stage and DicomError code: those that fail at
 * their header read (skipped from their series) as well as those that fail to decode.
 */
type Damage = "cutPixel" | "cutHeader" | "byteFlip" | "empty" | "randomBytes" | "hugeLength";

/** What each damage gives, read the way the kernel reads a file (header first, pixels lazily). */
const EXPECTED: Record<Damage, { stage: "header" | "decode"; code: string }> = {
  cutPixel: { stage: "decode", code: "TRUNCATED" },
  byteFlip: { stage: "decode", code: "UNSUPPORTED_TRANSFER_SYNTAX" }, // flipped bytes in the transfer syntax UID
  cutHeader: { stage: "header", code: "TRUNCATED" },
  empty: { stage: "header", code: "NOT_DICOM" },
  randomBytes: { stage: "header", code: "NOT_DICOM" },
  hugeLength: { stage: "header", code: "BAD_HEADER" }, // (0002,0001)'s length: the meta header swallows the rest
};

function damage(file: string, how: Damage, seed: number): void {
  const bytes = readFileSync(file);
  const pixelTag = bytes.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  switch (how) {
    case "cutPixel":
      truncateSync(file, pixelTag + 12 + Math.floor((bytes.length - pixelTag - 12) / 2));
      return;
    case "cutHeader":
      truncateSync(file, 300);
      return;
    case "byteFlip": {
      const at = bytes.indexOf("1.2.840.10008.1.2");
      for (let k = 0; k < 4; k++) bytes[at + 6 + k] ^= 0x5a;
      break;
    }
    case "empty":
      truncateSync(file, 0);
      return;
    case "randomBytes": {
      let x = seed;
      for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      break;
    }
    case "hugeLength": {
      const at = bytes.indexOf(Buffer.from([0x02, 0x00, 0x01, 0x00, 0x4f, 0x42])); // (0002,0001) OB
      bytes.writeUInt32LE(0xfffffff0, at + 8);
      break;
    }
  }
  writeFileSync(file, bytes);
}

let data: string;
let out: string;
let report: KernelReport;
/** path -> the failure it must be reported as. */
const corrupted = new Map<string, { stage: string; code: string }>();

beforeAll(async () => {
  await initBackend({ log: false });
  const root = mkdtempSync(join(tmpdir(), "lumbar-failures-"));
  data = join(root, "data");
  out = join(root, "out");
  await generateDataset({
    out: data,
    train: 8,
    test: 3,
    seed: 21,
    size: "small",
    quirks: { missingSagittalT1: false, splitAxialSeries: false },
  });
  const seed = { n: 1 };
  for (const split of ["train", "test"] as const) {
    const rows = loadSeriesDescriptions(join(data, `${split}_series_descriptions.csv`));
    const studies = [...new Set(rows.map((r) => r.studyId))].sort((a, b) => a - b);
    const dir = (s: number, d: string) =>
      join(
        data,
        `${split}_images`,
        String(s),
        String(rows.find((r) => r.studyId === s && r.description === d)!.seriesId),
      );
    const put = (file: string, how: Damage) => {
      damage(file, how, seed.n++);
      corrupted.set(file, { stage: `${split} ${EXPECTED[how].stage}`, code: EXPECTED[how].code });
    };
    // Pixel damage where it is sure to be read: the middle slice of Sagittal T2, the localizer's view.
    const midSagittal = (s: number) => {
      const stacks = [...loadSeries(dir(s, "Sagittal T2/STIR"), { requireGeometry: true }).stacks];
      const stack = stacks.sort((a, b) => b.length - a.length)[0];
      return stack.slices[Math.floor((stack.length - 1) / 2)].file;
    };
    const nth = (s: number, d: string, k: number) => {
      const files = readdirSync(dir(s, d)).sort((a, b) => parseInt(a) - parseInt(b));
      return join(dir(s, d), files[k]);
    };
    put(midSagittal(studies[0]), "cutPixel");
    put(midSagittal(studies[1]), "byteFlip");
    put(nth(studies[2], "Sagittal T1", 0), "cutHeader");
    put(nth(studies[2], "Axial T2", 3), "empty");
    put(nth(studies[split === "train" ? 3 : 0], "Axial T2", 1), "randomBytes");
    put(nth(studies[split === "train" ? 4 : 1], "Sagittal T1", 2), "hugeLength");
  }
  report = await runKernel({ data, out, profile: "smoke", seed: 2, quiet: true });
}, 600_000);

describe("smoke kernel on studies with files corrupted six ways", () => {
  it("writes a complete, valid submission", () => {
    const expected = loadSampleSubmission(join(data, "sample_submission.csv")).rowIds;
    expect(validateSubmissionFile(join(out, "submission.csv"), expected)).toEqual([]);
  });

  it("names every corrupted file in report.json, with its stage and code, and no other file", () => {
    const saved = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as KernelReport;
    const files = saved.failures.filter((f) => f.file);
    const got = new Map(files.map((f) => [f.file!, { stage: f.stage, code: f.code! }]));
    expect(files.length).toBe(got.size); // each file once
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(corrupted));
    expect(saved.failuresOmitted).toBe(0);
    expect(saved.unusableFiles).toBe(12);
    expect(report.failureSummary).toEqual(saved.failureSummary);
    expect(saved.failureSummary["train header"]).toEqual({ TRUNCATED: 1, NOT_DICOM: 2, BAD_HEADER: 1 });
    expect(saved.failureSummary["test decode"]).toEqual({ TRUNCATED: 1, UNSUPPORTED_TRANSFER_SYNTAX: 1 });
  });

  it("reports peak RSS and CPU seconds beside the wall seconds of each stage", () => {
    const saved = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as KernelReport;
    expect(saved.peakRssMb).toBeGreaterThan(50);
    expect(saved.peakRssMb).toBeLessThan(64 * 1024);
    expect(Object.keys(saved.cpuSeconds).sort()).toEqual(Object.keys(saved.timings).sort());
    for (const k of ["prepareTrain", "trainLocalizer", "trainClassifiers", "inference"]) {
      expect(saved.cpuSeconds[k], k).toBeGreaterThan(0);
      // Worker threads count in the process's CPU: at most one core-second per core and wall second.
      expect(saved.cpuSeconds[k], k).toBeLessThan(saved.timings[k] * 64 + 1);
    }
  });

  it("lumbar predict's report names the test split's corrupted files the same way", async () => {
    const r: PredictReport = await predictTest({
      data,
      weights: out,
      out: join(out, "predict"),
      quiet: true,
    });
    const test = [...corrupted].filter(([, v]) => v.stage.startsWith("test"));
    expect(
      Object.fromEntries(
        r.failures.filter((f) => f.file).map((f) => [f.file, { stage: f.stage, code: f.code }]),
      ),
    ).toEqual(Object.fromEntries(test));
    expect(r.failureSummary["test header"]).toEqual({ TRUNCATED: 1, NOT_DICOM: 2, BAD_HEADER: 1 });
    expect(r.peakRssMb).toBeGreaterThan(50);
    expect(r.cpuSeconds.inference).toBeGreaterThan(0);
  }, 300_000);
});

describe("failureReport", () => {
  it("caps the list, says how many were left out, and counts every failure per stage and code", () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({
      studyId: i,
      stage: i % 3 ? "train header" : "test decode",
      reason: "x",
      ...(i % 5 ? { file: `/f${i}.dcm`, code: i % 2 ? "NOT_DICOM" : "TRUNCATED" } : {}),
    }));
    const r = failureReport(many, 100);
    expect(r.failures).toEqual(many.slice(0, 100));
    expect(r.failuresOmitted).toBe(1100);
    expect(r.unusableFiles).toBe(many.filter((f) => f.file).length);
    const total = Object.values(r.failureSummary)
      .flatMap((c) => Object.values(c))
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(1200);
    expect(r.failureSummary["test decode"].OTHER).toBe(
      many.filter((f) => f.stage === "test decode" && !f.file).length,
    );
  });
});
