import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { generateDataset } from "../../lib/synth";
import { rowId, TARGETS } from "../../lib/data/schema";
import type { Probs3 } from "../../lib/metric";
import { leafRows, recordTableHtml, studyScores } from "../../lib/viz/report";
import { findChromium } from "../../lib/viz/render";
import { loadOffline } from "../helpers/page";

describe("report tables and rankings", () => {
  it("turn nested JSON into rows named by their path, leaves as columns", () => {
    const gates = {
      stage1b: { foraminal: { on: true, with: 0.41, without: 0.5 }, subarticular: { on: false, with: 0.6 } },
      tta: { on: true, evidence: [0.3, 0.31] },
    };
    expect(leafRows(gates)).toEqual([
      { path: "stage1b / foraminal", cells: { on: "yes", with: 0.41, without: 0.5 } },
      { path: "stage1b / subarticular", cells: { on: "no", with: 0.6 } },
      { path: "tta", cells: { on: "yes", evidence: "0.3, 0.31" } },
    ]);
    const groups = [
      { kind: "missing series", rows: 10, score: 0.7, prior: 0.8 },
      { kind: "truncated slice", rows: 3, score: 0.9, prior: 0.85 },
    ];
    expect(leafRows({ groups }).map((r) => r.path)).toEqual([
      "groups / missing series",
      "groups / truncated slice",
    ]);
  });

  it("one table for all rows: the union of their keys as columns, missing cells a dash", () => {
    const gates = { tta: { spinal: true, foraminal: false }, refine: { spinal: { on: true, minPeak: 0.1 } } };
    const html = recordTableHtml(gates, { caption: "Gates", rowHeader: "" });
    expect(html.match(/<table/g)!.length).toBe(1);
    const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
      [...m[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1]),
    );
    expect(rows).toEqual([
      ["", "spinal", "foraminal", "on", "minPeak"],
      ["tta", "yes", "no", "–", "–"],
      ["refine / spinal", "–", "–", "yes", "0.1000"],
    ]);
  });

  it("rank studies by their own metric, worst first", () => {
    // Study 1 predicts 1/3 everywhere, study 2 0.9 Normal/Mild; every label Normal/Mild.
    const predictions = new Map<string, Probs3>();
    const labels = new Map<string, 0>();
    for (const [study, p] of [
      [1, [1 / 3, 1 / 3, 1 / 3]],
      [2, [0.9, 0.05, 0.05]],
    ] as const)
      for (const t of TARGETS) {
        predictions.set(rowId(study, t), p as Probs3);
        labels.set(rowId(study, t), 0);
      }
    const ranked = studyScores(predictions, labels);
    expect(ranked.map((s) => s.studyId)).toEqual([1, 2]);
    // Three families at ln 3, any-severe at -ln(1 - 1/3); then -ln 0.9 three times and -ln 0.95.
    expect(ranked[0].result.score).toBeCloseTo((3 * Math.log(3) - Math.log(2 / 3)) / 4, 12);
    expect(ranked[1].result.score).toBeCloseTo((-3 * Math.log(0.9) - Math.log(0.95)) / 4, 12);
  });
});

const hasChromium = (() => {
  try {
    return existsSync(findChromium());
  } catch {
    return false;
  }
})();
if (!hasChromium) console.warn("test/viz/run-report: no Chromium (apt-get install chromium); skipping");

/**
 * The report pages of a smoke kernel run and of `lumbar predict` on its weights, as the CLI writes
 * them at the end of each run, opened in headless Chromium without a network: no console error, no
 * request, every figure drawn. 8 + 2 small synthetic studies: about 40 s.
 */
describe.skipIf(!hasChromium)("OUT/report.html", () => {
  let root: string;
  let data: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "lumbar-report-"));
    data = join(root, "data");
    await generateDataset({ out: data, train: 8, test: 2, seed: 5, size: "small" });
    const kernel = ["kernel", "--data", data, "--out", join(root, "run"), "--profile", "smoke", "--quiet"];
    expect(await main(kernel)).toBe(0);
    const predict = [
      "predict",
      "--data",
      data,
      "--weights",
      join(root, "run"),
      "--out",
      join(root, "predict"),
      "--quiet",
    ];
    expect(await main(predict)).toBe(0);
  }, 300_000);

  it("the kernel's opens offline with every figure drawn and its sections", async () => {
    const file = join(root, "run", "report.html");
    const page = await loadOffline(file);
    expect(page.errors).toEqual([]);
    expect(page.blocked).toEqual([]);
    expect(page.figures).toBeGreaterThanOrEqual(5);
    expect([page.drawn, page.figuresWithSvg]).toEqual([page.figures, page.figures]);
    expect(page.sections).toEqual([
      "Scores",
      "Training",
      "Gates",
      "Points",
      "Worst out-of-fold studies",
      "Fallbacks and failures",
      "Run",
    ]);
    // The worst study's picture: the run's points with its out-of-fold probabilities.
    const html = readFileSync(file, "utf8");
    expect(/Study \d+ \(train\): run's points/.test(html)).toBe(true);
    // The gates: their with/without picture and table, and the audit of what runs.
    expect(html).toContain("Which parts earn their place (out of fold)");
    expect(html).toContain("Every part that runs is supported by its out-of-fold evidence.");
  }, 120_000);

  it("predict's opens offline with the test studies' pictures", async () => {
    const page = await loadOffline(join(root, "predict", "report.html"));
    expect(page.errors).toEqual([]);
    expect(page.blocked).toEqual([]);
    expect([page.drawn, page.figuresWithSvg]).toEqual([page.figures, page.figures]);
    expect(page.sections).toEqual([
      "Scores",
      "Gates",
      "Points",
      "Test studies",
      "Fallbacks and failures",
      "Run",
    ]);
    // The test scores' figure and one picture per test study (test points have no labelled distance).
    expect(page.figures).toBe(1 + 2);
  }, 120_000);
});
