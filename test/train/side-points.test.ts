import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { DEFAULT_CONFIG, type SidePointConfig } from "../../lib/config";
import { loadTrainSplit } from "../../lib/data/train-split";
import { initBackend } from "../../lib/engine";
import { pixelToLps } from "../../lib/geometry";
import { buildSidePoints, refineSidePoints } from "../../lib/infer";
import {
  groundTruthPoints,
  loadStudy,
  sideFamilyOf,
  sidePointSamples,
  type PointLocation,
  type SidePointSample,
} from "../../lib/study";
import { generateDataset } from "../../lib/synth";
import { fitSidePoints } from "../../lib/train";
import { tempDir } from "../helpers/tmp";

/**
 * Stage 1b on generated studies: a side-point net trained briefly on windows around the labelled
 * points moves projections that are off by a few mm (and, for foramina, a slice) back onto them;
 * an untrained or absent net leaves the projection, with the reason.
 */
// Small batches: six studies give ~110 windows per family, so more steps per epoch.
const cfg: SidePointConfig = { ...DEFAULT_CONFIG.sidePoints, epochs: 12, batchSize: 8 };
const points: PointLocation[][] = [];
const samples: SidePointSample[] = [];
let root: string;

beforeAll(async () => {
  await initBackend({ log: false });
  root = tempDir("lumbar-side-points-");
  const data = join(root, "data");
  await generateDataset({ out: data, train: 6, test: 0, seed: 5, size: "small" });
  const split = loadTrainSplit(data);
  for (const entry of split.studies) {
    const study = await loadStudy(entry);
    const gt = groundTruthPoints(study, split.coordsByStudy.get(entry.studyId) ?? []).points;
    const side = gt.filter((p) => sideFamilyOf(p.condition));
    points.push(side);
    samples.push(...sidePointSamples(entry.studyId, side, cfg));
  }
}, 120_000);

/** The labelled point moved in-plane by (dxMm, dyMm) and `dSlice` slices: a projection's typical error. */
function displaced(p: PointLocation, dxMm: number, dyMm: number, dSlice: number): PointLocation {
  const slice = Math.min(p.stack.planes.length - 1, Math.max(0, p.slice + dSlice));
  const x = p.x + dxMm / p.stack.pixels.colSpacing;
  const y = p.y + dyMm / p.stack.pixels.rowSpacing;
  return { ...p, slice, x, y, lps: pixelToLps(p.stack.planes[slice], x, y) };
}

const dist = (a: PointLocation, b: PointLocation) =>
  Math.hypot(a.lps[0] - b.lps[0], a.lps[1] - b.lps[1], a.lps[2] - b.lps[2]);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

describe("side-point nets", () => {
  it("cut one window stack per labelled side point, the labelled slice weighing most", () => {
    expect(samples.length).toBe(points.flat().length);
    for (const s of samples) {
      expect(s.crop.depth).toBe(2 * cfg.slicesEachSide + 1);
      expect(s.amplitudes[cfg.slicesEachSide]).toBe(1);
      expect(Math.max(...s.amplitudes.filter((_, k) => k !== cfg.slicesEachSide))).toBeLessThan(0.6);
    }
  });

  it("after a short training, move projections off by ~6 mm back to within 3 mm (median)", async () => {
    const models: Record<"foraminal" | "subarticular", tf.LayersModel[]> = {
      foraminal: [],
      subarticular: [],
    };
    for (const family of ["foraminal", "subarticular"] as const) {
      const mine = samples.filter((s) => s.family === family);
      const dir = join(root, `${family}-points`);
      const model = await fitSidePoints({
        dir,
        name: family,
        family,
        train: mine,
        valid: [],
        cfg,
        patience: 100,
        seed: 3,
        quiet: true,
      });
      models[family].push(model);
    }
    const truth = points.flat();
    const projected = truth.map((p, i) => displaced(p, i % 2 ? 4 : -4, i % 3 ? -4 : 4, 0));
    const { points: refined, outcomes } = refineSidePoints(projected, models, cfg);
    const before = projected.map((p, i) => dist(p, truth[i]));
    const after = refined.map((p, i) => dist(p, truth[i]));
    expect(median(before)).toBeGreaterThan(5);
    expect(median(after)).toBeLessThan(3);
    expect(outcomes.filter((o) => o.outcome === "refined").length).toBeGreaterThan(truth.length * 0.8);
  }, 240_000);

  it("keep the projection when the peak is low (an untrained net) or there is no net, saying why", () => {
    const truth = points.flat();
    const projected = truth.map((p) => displaced(p, 5, 0, 0));
    const untrained = {
      foraminal: [buildSidePoints(cfg, "foraminal")],
      subarticular: [] as tf.LayersModel[],
    };
    const { points: out, outcomes } = refineSidePoints(projected, untrained, cfg);
    expect(out).toEqual(projected);
    const foraminal = outcomes.filter((o) => o.family === "foraminal");
    const subarticular = outcomes.filter((o) => o.family === "subarticular");
    expect(foraminal.length).toBeGreaterThan(0);
    expect(foraminal.every((o) => o.outcome === "low peak")).toBe(true);
    expect(subarticular.every((o) => o.outcome === "no model")).toBe(true);
  });
});
