import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadRunPoints } from "../../lib/data/run-points";
import { loadSampleSubmission } from "../../lib/data/submission-file";
import { initBackend } from "../../lib/engine";
import { gateSummary, legacyGates, placedLoss, SIDE_POINT_FAMILIES, unsupportedParts } from "../../lib/gates";
import { runKernel, type KernelReport } from "../../lib/kernel";
import { validateSubmissionFile } from "../../lib/submit";
import { generateCartoonDataset } from "../../lib/synth/cartoon";
import { tempDir } from "../helpers/tmp";

/**
 * The smoke kernel on studies the phantom did not make: the cartoon writer's dark-canal style (inverted
 * contrasts, 448-512 px, foraminal signs two and three slices lateral of the labelled one, squares,
 * files cut inside their pixel data, a missing Sagittal T1). Nothing the kernel fixed on the phantom
 * holds here, so every part must earn its place out of fold, and a gate that always says yes must show
 * up as a part its own evidence does not support.
 */
let data: string;
let out: string;
let report: KernelReport;

beforeAll(async () => {
  await initBackend({ log: false });
  const root = tempDir("lumbar-other-source-");
  data = join(root, "data");
  out = join(root, "out");
  await generateCartoonDataset({ out: data, train: 12, test: 4, seed: 5, style: "dark-canal" });
  report = await runKernel({ data, out, profile: "smoke", seed: 1, quiet: true });
}, 900_000);

describe("the kernel on another source (cartoon dark-canal, smoke)", () => {
  it("runs only what its out-of-fold evidence supports", () => {
    expect(report.gates.unsupported).toEqual([]);
  });

  it("would flag every part forced on: a gate that always says yes fails", () => {
    const yes = legacyGates(report.config.sidePoints, true);
    const asIs = report.degradation.map((g) => ({ ...g, chosen: g.model }));
    const flagged = unsupportedParts(gateSummary(yes, report.gates.evidence), asIs);
    expect(flagged.length).toBeGreaterThan(0);
  });

  it("places each family's points no worse out of fold than the projection from the levels", () => {
    const placement = report.gates.evidence.placement!;
    const spinal = placement.spinal;
    expect(placedLoss(spinal)).toBeLessThanOrEqual(spinal.projection.clippedMeanMm!);
    for (const f of SIDE_POINT_FAMILIES) {
      const e = placement[f][placement[f].from];
      expect(placedLoss(e), f).toBeLessThanOrEqual(e.projection.clippedMeanMm!);
    }
  });

  it("expects no group of rows, degraded or not, to score worse than the prior out of fold", () => {
    const judged = report.degradation.filter((g) => g.chosen !== null);
    expect(judged.length).toBeGreaterThan(0);
    for (const g of judged) expect(g.chosen!, `${g.kind} ${g.family}`).toBeLessThanOrEqual(g.prior!);
    // The canal's slice unreadable (made so on train studies): judged, and no worse than the prior.
    const canalSlice = report.degradation.find(
      (g) => g.kind === "substituted-slice" && g.family === "spinal",
    )!;
    expect(canalSlice.oofRows).toBeGreaterThan(0);
  });

  it("writes a complete, valid submission and 25 points per test study", () => {
    const expected = loadSampleSubmission(join(data, "sample_submission.csv")).rowIds;
    expect(validateSubmissionFile(join(out, "submission.csv"), expected)).toEqual([]);
    const test = loadRunPoints(join(out, "points.csv")).filter((p) => p.split === "test");
    expect(test.length).toBe(25 * report.test.studies);
  });
});
