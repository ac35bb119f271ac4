import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appearanceOptions } from "../../lib/cli/commands/synth";
import { CONDITION_INFO, LEVEL_TITLES } from "../../lib/data/schema";
import { loadSeries, readDicomSync } from "../../lib/dicom";
import { pixelToLps, type Vec3 } from "../../lib/geometry";
import { generateDataset } from "../../lib/synth";
import { bodyAxis, toBody } from "../../lib/synth/anatomy";
import { LabelModel } from "../../lib/synth/label-model";
import { pixelToPatient } from "../../lib/synth/plan";
import { PROTOCOLS } from "../../lib/synth/protocol";
import { NO_QUIRKS } from "../../lib/synth/quirks";
import { planStudy, type StudyPlan } from "../../lib/synth/study";
import { Tissue } from "../../lib/synth/tissue";
import { dot } from "../../lib/synth/vec";
import { readCsv } from "../../lib/util/csv";
import { UsageError } from "../../lib/util/errors";
import { Rng } from "../../lib/util/rng";

const model = new LabelModel();
function randomPlan(seed: number): StudyPlan {
  let id = 1000;
  return planStudy(new Rng(seed), 1, model, {
    protocol: PROTOCOLS.random,
    appearance: { mode: "random" },
    quirks: NO_QUIRKS,
    dropSagittalT1: false,
    newSeriesId: () => id++,
  });
}
const PLANS = Array.from({ length: 24 }, (_, s) => randomPlan(s));

/** The phantom's tissue under a labelled point (its pixel on its slice, mapped back into the body). */
function tissueAt(plan: StudyPlan, c: StudyPlan["coordinates"][number]): Tissue {
  const series = plan.series.find((s) => s.seriesId === c.seriesId)!;
  const p = toBody(plan.anatomy, pixelToPatient(series.slices[c.instance - 1], c.x, c.y));
  const sc = new Float64Array(3);
  plan.phantom.spineCoords(p[0], p[1], p[2], sc);
  return plan.phantom.tissue(sc[0], sc[1], sc[2]);
}

describe("random protocols (plans)", () => {
  it("draw matrices of 320-640 px at real spacings, 3-6 mm apart, covering 50 mm or more left to right", () => {
    for (const plan of PLANS)
      for (const s of plan.series) {
        const sl = s.slices[0];
        const sagittal = s.description.startsWith("Sagittal");
        expect(sl.rows).toBeGreaterThanOrEqual(320);
        expect(sl.rows).toBeLessThanOrEqual(640);
        expect(sl.spacing[0]).toBeGreaterThanOrEqual(sagittal ? 200 / 640 : 150 / 512);
        expect(sl.spacing[0]).toBeLessThanOrEqual(sagittal ? 340 / 320 : 260 / 320);
        expect(s.spacingBetweenSlices).toBeGreaterThanOrEqual(3);
        expect(s.spacingBetweenSlices).toBeLessThanOrEqual(6);
        if (sagittal) expect(s.slices.length * s.spacingBetweenSlices).toBeGreaterThanOrEqual(50);
      }
  });

  it("rotate sagittal images in plane by up to 15 degrees and widen lordosis beyond the fixed range", () => {
    const angles = PLANS.map((p) => {
      const sl = p.series[0].slices[0];
      // Rows run posterior (body +y) before rotation; the in-plane angle is between them.
      return (Math.acos(Math.min(1, dot(sl.rowDir, bodyAxis(p.anatomy, 1)))) * 180) / Math.PI;
    });
    expect(Math.max(...angles)).toBeGreaterThan(8);
    // 15 degrees drawn, plus the technologist's alignment jitter (about 1.5 degrees per axis).
    expect(Math.max(...angles)).toBeLessThan(15 + 6);
    const kappas = PLANS.map((p) => p.anatomy.kappa);
    expect(Math.min(...kappas)).toBeLessThan(PROTOCOLS.small.kappa[0]);
    expect(Math.max(...kappas)).toBeGreaterThan(PROTOCOLS.small.kappa[1]);
  });

  it("put the canal point on CSF, the foraminal points on foramen fat or root, wherever the spine sits", () => {
    const tally = { spinal: [0, 0], foraminal: [0, 0], subarticular: [0, 0] };
    for (const plan of PLANS)
      for (const c of plan.coordinates) {
        const family = CONDITION_INFO[c.condition].family;
        const t = tissueAt(plan, c);
        const hit =
          family === "foraminal"
            ? t === Tissue.Fat || t === Tissue.Nerve
            : t === Tissue.Csf || t === Tissue.Nerve;
        tally[family][hit ? 0 : 1]++;
      }
    const rate = ([hit, miss]: number[]) => hit / (hit + miss);
    expect(rate(tally.spinal)).toBeGreaterThan(0.95);
    expect(rate(tally.foraminal)).toBe(1);
    // Subarticular narrowing fills the lateral recess with ligament and disc: most, not all, stay on CSF or root.
    expect(rate(tally.subarticular)).toBeGreaterThan(0.7);
  });

  it("place the spine off-centre, mostly posterior of the image centre, with every level in view", () => {
    const offsets = PLANS.map((p) => {
      const c = p.coordinates.find((x) => x.condition === "spinal_canal_stenosis")!;
      const sl = p.series[0].slices[c.instance - 1];
      expect(c.x).toBeGreaterThan(0.04 * sl.cols);
      expect(c.x).toBeLessThan(0.96 * sl.cols);
      return (c.x - (sl.cols - 1) / 2) / sl.cols; // + = posterior of centre (rows run posterior)
    });
    expect(offsets.filter((o) => o > 0.1).length).toBeGreaterThan(PLANS.length / 3);
  });
});

describe("random appearance (written files)", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "synth-random-"));
  const dir = path.join(tmp, "data");
  beforeAll(async () => {
    await generateDataset({
      out: dir,
      train: 1,
      test: 0,
      seed: 9,
      size: "small",
      appearance: { mode: "random" },
    });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("decodes with lib/dicom, and the canal point lies on the canal behind each written disc centre", () => {
    const series = readCsv(path.join(dir, "train_series_descriptions.csv")).rows.map((r) => r.values);
    const coords = readCsv(path.join(dir, "train_label_coordinates.csv")).rows.map((r) => r.values);
    const levels = readCsv(path.join(dir, "ground_truth/levels.csv")).rows.map((r) => r.values);
    const looks = readCsv(path.join(dir, "ground_truth/appearance.csv")).rows.map((r) => r.values);
    expect(looks).toHaveLength(series.length);
    let checked = 0;
    for (const r of series) {
      const s = loadSeries(path.join(dir, "train_images", r.study_id, r.series_id));
      expect(s.warnings).toEqual([]);
      const first = s.stacks[0].slices[0];
      const stored = readDicomSync(first.file).storedFrame();
      expect(stored.length).toBe(first.header.rows * first.header.columns);
      // Bias and gamma never push the signal into the stored range's ceiling (12 or 16 bits).
      const top = 2 ** first.header.bitsStored - 1;
      expect(stored.filter((v) => v >= top).length).toBeLessThan(0.001 * stored.length);
      expect(first.header.rows).toBeGreaterThanOrEqual(320);
      if (r.series_description !== "Sagittal T2/STIR") continue;
      for (const c of coords.filter((x) => x.series_id === r.series_id)) {
        const ref = s.instances.get(Number(c.instance_number))!;
        const plane = s.stacks[ref.stack].slices[ref.slice].plane;
        const click = pixelToLps(plane, Number(c.x), Number(c.y));
        const lv = Object.entries(LEVEL_TITLES).find(([, t]) => t === c.level)![0];
        const truth = levels.find((x) => x.study_id === r.study_id && x.level === lv)!;
        const centre: Vec3 = [Number(truth.x), Number(truth.y), Number(truth.z)];
        // Canal centre = body half depth (14-17) + 1.5 + sac half depth (6-7.8) behind the disc centre,
        // give or take the slice's distance from the midline and the annotator's millimetre.
        const d = Math.hypot(click[0] - centre[0], click[1] - centre[1], click[2] - centre[2]);
        expect(d).toBeGreaterThan(19);
        expect(d).toBeLessThan(30);
        checked++;
      }
    }
    expect(checked).toBe(5);
  });
});

describe("lumbar synth --appearance", () => {
  it("parses modes and families, and refuses unknown ones and options of another mode", () => {
    const parse = (o: Partial<Parameters<typeof appearanceOptions>[0]>) =>
      appearanceOptions({ appearance: "fixed", ...o });
    expect(parse({})).toEqual({ mode: "fixed" });
    expect(parse({ appearance: "random", families: "t1, inverted" })).toEqual({
      mode: "random",
      families: ["t1", "inverted"],
    });
    for (const [o, message] of [
      [{ appearance: "sepia" }, '--appearance must be one of fixed, random, got "sepia"'],
      [{ families: "t1" }, "--families needs --appearance random"],
      [
        { appearance: "random", families: "t1,pd" },
        '--families takes t1, t2, stir, random, inverted; got "t1,pd"',
      ],
      [
        { appearance: "random", size: "full" },
        "--size is the fixed appearance's; --appearance random draws matrices of 320-640 px",
      ],
    ] as const)
      expect(() => parse(o)).toThrow(new UsageError(message));
  });

  it("exits 2 when the cartoon writer is given the phantom's --appearance", () => {
    const bin = path.resolve(__dirname, "../../bin/lumbar.js");
    const out = path.join(os.tmpdir(), `synth-never-${process.pid}`);
    const r = spawnSync(
      process.execPath,
      [bin, "synth", "--out", out, "--writer", "cartoon", "--appearance", "random"],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      "lumbar: UsageError: --appearance and --families are the phantom's; the cartoon's looks come with --style",
    );
    expect(existsSync(out)).toBe(false);
  });
});
