import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  CONDITION_INFO,
  LABEL_COLUMNS,
  LEVELS,
  LEVEL_TITLES,
  SEVERITY_LABELS,
  SEVERITY_WEIGHTS,
  TARGETS,
  rowId,
} from "../data/schema";
import { writeCsvAtomic } from "../util/csv";
import { Rng } from "../util/rng";
import { SynthError } from "./errors";
import { LabelModel } from "./label-model";
import { DEFAULT_QUIRKS, type Quirks } from "./quirks";
import { NoiseSource, renderSlice } from "./render";
import { planStudy, type StudyPlan, type SynthSize } from "./study";
import { signalTable } from "./tissue";
import { writeMrSlice } from "./dicom-writer";

/** Bump when the generator's output changes, so cached datasets are regenerated. */
export const SYNTH_VERSION = 5;

export interface GenerateOptions {
  /** Output folder: created if missing; a folder not made by this generator must be empty. */
  readonly out: string;
  readonly train: number;
  readonly test: number;
  readonly seed: number;
  readonly size: SynthSize;
  readonly quirks?: Partial<Quirks>;
  readonly onProgress?: (p: SynthProgress) => void;
}

export interface SynthProgress {
  readonly done: number;
  readonly total: number;
  readonly studyId: number;
  readonly split: "train" | "test";
}

export interface GeneratedDataset {
  readonly dir: string;
  readonly trainStudies: readonly number[];
  readonly testStudies: readonly number[];
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** Relative Rician noise level (CSF on T2 is about 1). */
const NOISE_SIGMA = 0.025;
export const GROUND_TRUTH_DIR = "ground_truth";
const MARKER = "synth.json";

/**
 * Write a synthetic dataset in the competition's layout (CSV files and
 * {train,test}_images/{study}/{series}/{instance}.dcm) plus ground_truth/ beside it.
 * Streams: one slice is in memory at a time. Same options, same bytes.
 */
export async function generateDataset(opts: GenerateOptions): Promise<GeneratedDataset> {
  const started = Date.now();
  const quirks: Quirks = { ...DEFAULT_QUIRKS, ...opts.quirks };
  for (const [k, v] of [
    ["train", opts.train],
    ["test", opts.test],
    ["seed", opts.seed],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new SynthError(`--${k} must be a non-negative integer, got ${v}`);
  }
  if (opts.size !== "small" && opts.size !== "full")
    throw new SynthError(`size must be "small" or "full", got "${opts.size}"`);
  const out = path.resolve(opts.out);
  prepareOutput(out);

  const rng = new Rng(opts.seed);
  const idRng = rng.fork(11);
  const used = new Set<number>();
  const newId = () => {
    for (;;) {
      const digits = idRng.int(7, 10);
      const lo = 10 ** (digits - 1);
      const hi = Math.min(10 ** digits - 1, 4294967295);
      const id = idRng.int(lo, hi);
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const model = new LabelModel();
  const splits: { split: "train" | "test"; studyId: number; index: number }[] = [];
  for (let i = 0; i < opts.train; i++) splits.push({ split: "train", studyId: newId(), index: i });
  for (let i = 0; i < opts.test; i++) splits.push({ split: "test", studyId: newId(), index: i });

  const done: { split: "train" | "test"; plan: StudyPlan }[] = [];
  let files = 0;
  let bytes = 0;
  for (const [k, s] of splits.entries()) {
    const studyRng = rng.fork(1000 + k);
    const dropSagittalT1 = quirks.missingSagittalT1 && s.split === "test" && opts.test >= 2 && s.index === 1;
    const plan = planStudy(studyRng, s.studyId, model, {
      size: opts.size,
      quirks,
      dropSagittalT1,
      newSeriesId: newId,
    });
    const written = writeStudyImages(path.join(out, `${s.split}_images`), plan, studyRng.fork(7));
    files += written.files;
    bytes += written.bytes;
    done.push({ split: s.split, plan });
    opts.onProgress?.({ done: k + 1, total: splits.length, studyId: s.studyId, split: s.split });
    // Let progress bars and signals through between studies.
    await new Promise((r) => setImmediate(r));
  }

  writeCompetitionCsvs(out, done);
  writeGroundTruth(out, done);
  writeFileSync(
    path.join(out, GROUND_TRUTH_DIR, MARKER),
    JSON.stringify(
      {
        generator: "lumbar synth",
        version: SYNTH_VERSION,
        seed: opts.seed,
        train: opts.train,
        test: opts.test,
        size: opts.size,
        quirks,
        raterNoise: model.raterNoise,
      },
      null,
      1,
    ) + "\n",
  );
  const byStudy = (split: string) =>
    done
      .filter((d) => d.split === split)
      .map((d) => d.plan.studyId)
      .sort((a, b) => a - b);
  return {
    dir: out,
    trainStudies: byStudy("train"),
    testStudies: byStudy("test"),
    files,
    bytes,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Refuse to write into a folder we did not make; clear our own previous output. */
function prepareOutput(out: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new SynthError("output exists and is not a folder", out);
    const entries = readdirSync(out);
    if (entries.length > 0 && !existsSync(path.join(out, GROUND_TRUTH_DIR, MARKER))) {
      throw new SynthError(
        "output folder is not empty and was not written by lumbar synth; choose an empty folder",
        out,
      );
    }
    for (const e of ["train_images", "test_images", GROUND_TRUTH_DIR, ...COMPETITION_CSVS])
      rmSync(path.join(out, e), { recursive: true, force: true });
  }
  mkdirSync(path.join(out, GROUND_TRUTH_DIR), { recursive: true });
}

const COMPETITION_CSVS = [
  "train.csv",
  "train_label_coordinates.csv",
  "train_series_descriptions.csv",
  "test_series_descriptions.csv",
  "sample_submission.csv",
];

function writeStudyImages(root: string, plan: StudyPlan, rng: Rng): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const degeneration = plan.anatomy.discs.map((d) => d.degeneration);
  plan.series.forEach((series, k) => {
    const dir = path.join(root, String(plan.studyId), String(series.seriesId));
    mkdirSync(dir, { recursive: true });
    const lut = signalTable(series.sequence, degeneration);
    const noise = new NoiseSource(rng.fork(k));
    series.slices.forEach((slice, i) => {
      const img = renderSlice(plan.phantom, slice, lut, noise, NOISE_SIGMA);
      const file = path.join(dir, `${i + 1}.dcm`);
      writeMrSlice(file, { studyId: plan.studyId, series, seriesNumber: k + 1, instance: i + 1 }, slice, img);
      files++;
      bytes += statSync(file).size;
    });
  });
  return { files, bytes };
}

const label = (v: number | null) => (v === null ? "" : SEVERITY_LABELS[v]);
/** Coordinates as the real file writes them: up to 7 decimals. */
const coord = (v: number) => String(Number(v.toFixed(7)));

function labelRows(plans: readonly StudyPlan[]): string[][] {
  return [...plans]
    .sort((a, b) => a.studyId - b.studyId)
    .map((p) => [String(p.studyId), ...p.labels.labels.map(label)]);
}

function writeCompetitionCsvs(
  out: string,
  done: readonly { split: "train" | "test"; plan: StudyPlan }[],
): void {
  const train = done.filter((d) => d.split === "train").map((d) => d.plan);
  const test = done.filter((d) => d.split === "test").map((d) => d.plan);
  writeCsvAtomic(path.join(out, "train.csv"), ["study_id", ...LABEL_COLUMNS], labelRows(train));

  const coords = train.flatMap((p) =>
    p.coordinates.map((c) => ({
      study: p.studyId,
      ...c,
      title: CONDITION_INFO[c.condition].title,
      levelTitle: LEVEL_TITLES[c.level],
    })),
  );
  coords.sort(
    (a, b) =>
      a.study - b.study ||
      a.seriesId - b.seriesId ||
      a.instance - b.instance ||
      cmp(a.title, b.title) ||
      cmp(a.levelTitle, b.levelTitle),
  );
  writeCsvAtomic(
    path.join(out, "train_label_coordinates.csv"),
    ["study_id", "series_id", "instance_number", "condition", "level", "x", "y"],
    coords.map((c) => [
      String(c.study),
      String(c.seriesId),
      String(c.instance),
      c.title,
      c.levelTitle,
      coord(c.x),
      coord(c.y),
    ]),
  );

  const seriesRows = (plans: readonly StudyPlan[]) =>
    plans
      .flatMap((p) =>
        p.series.map((s) => ({ study: p.studyId, series: s.seriesId, description: s.description })),
      )
      .sort((a, b) => a.study - b.study || a.series - b.series)
      .map((r) => [String(r.study), String(r.series), r.description]);
  const seriesHeader = ["study_id", "series_id", "series_description"];
  writeCsvAtomic(path.join(out, "train_series_descriptions.csv"), seriesHeader, seriesRows(train));
  writeCsvAtomic(path.join(out, "test_series_descriptions.csv"), seriesHeader, seriesRows(test));

  const ids = test.flatMap((p) => TARGETS.map((t) => rowId(p.studyId, t))).sort(cmp);
  writeCsvAtomic(
    path.join(out, "sample_submission.csv"),
    ["row_id", "normal_mild", "moderate", "severe"],
    ids.map((id) => [id, 1 / 3, 1 / 3, 1 / 3]),
  );
}

function writeGroundTruth(out: string, done: readonly { split: "train" | "test"; plan: StudyPlan }[]): void {
  const gt = path.join(out, GROUND_TRUTH_DIR);
  const all = [...done].map((d) => d.plan).sort((a, b) => a.studyId - b.studyId);
  const test = all.filter((p) => done.find((d) => d.plan === p)!.split === "test");
  writeCsvAtomic(path.join(gt, "test_labels.csv"), ["study_id", ...LABEL_COLUMNS], labelRows(test));

  const probRows = (f: (p: [number, number, number]) => number[]) =>
    test
      .flatMap((p) =>
        TARGETS.map((t, i) => [rowId(p.studyId, t), ...f(p.labels.oracle[i])] as [string, ...number[]]),
      )
      .sort((a, b) => cmp(a[0], b[0]));
  const header = ["row_id", "normal_mild", "moderate", "severe"];
  // The competition's weighted log loss is minimised by the posterior reweighted by the class weights.
  writeCsvAtomic(
    path.join(gt, "oracle.csv"),
    header,
    probRows((p) => {
      const w = p.map((v, k) => v * SEVERITY_WEIGHTS[k]);
      const z = w[0] + w[1] + w[2];
      return w.map((v) => v / z);
    }),
  );
  writeCsvAtomic(
    path.join(gt, "posterior.csv"),
    header,
    probRows((p) => [...p]),
  );
  writeCsvAtomic(
    path.join(gt, "latent.csv"),
    ["study_id", "condition", "level", "latent"],
    all.flatMap((p) =>
      TARGETS.map((t, i) => [
        String(p.studyId),
        t.condition,
        t.level,
        String(Number(p.labels.latent[i].toFixed(6))),
      ]),
    ),
  );
  writeCsvAtomic(
    path.join(gt, "levels.csv"),
    ["study_id", "level", "x", "y", "z"],
    all.flatMap((p) =>
      LEVELS.map((l, i) => [
        String(p.studyId),
        l,
        ...p.levelCentres[i].map((v) => String(Number(v.toFixed(4)))),
      ]),
    ),
  );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
