import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONDITION_INFO, FAMILIES, LEVELS, TARGETS, rowId, studyRowIds, type Family } from "../data/schema";
import { datasetPaths, indexDataset, type StudyEntry } from "../data/dataset";
import { loadSampleSubmission } from "../data/submission-file";
import { buildLocalizer, type LevelChainPrior } from "../models";
import type { MetricResult, Probs3 } from "../metric";
import { priorPredictions, writeSubmission, type PriorModel } from "../submit";
import type { Vec3 } from "../geometry";
import {
  atomicWrite,
  CheckpointError,
  finalWeightsFile,
  loadModelWeights,
  type UnitState,
} from "./checkpoint";
import { buildFamilyClassifier, familyOf, predictSamples } from "./classifier";
import { isProfile, type Profile, type TrainConfig } from "./config";
import { groundTruthScores } from "./ground-truth";
import { localizerSpec, predictLevels } from "./localizer";
import { localizedCrops, type Failure } from "./prepare";
import { progressBar } from "./progress";
import { frameToLps, loadStudy, localizerStack, midSlice, type OffsetModel } from "./study";

/** Models of the k folds (trained by runKernel, or rebuilt from a weights folder by loadTrained). */
export interface Trained {
  localizers: tf.LayersModel[];
  classifiers: Record<Family, tf.LayersModel[]>;
  offsets: OffsetModel;
  /** Step prior between consecutive levels for chain decoding (null: independent peaks). */
  levelPrior: LevelChainPrior | null;
}

/** A weights folder read back: the models plus what inference needs besides them. */
export interface LoadedWeights extends Trained {
  /** The checkpoints folder the models came from. */
  readonly dir: string;
  readonly config: TrainConfig;
  readonly prior: PriorModel;
  /** Each unit's weights file and the epoch it holds. */
  readonly units: { unit: string; file: string; epoch: number | null }[];
}

export interface Fallback {
  readonly studyId: number;
  readonly rows: number;
  readonly reason: string;
}

/** Beside config.json in a checkpoints folder: the non-network parts of the trained predictor. */
export const OFFSETS_FILE = "offsets.json";
export const PRIOR_FILE = "prior.json";
export const LEVEL_PRIOR_FILE = "level-prior.json";
const FORMAT_VERSION = 1;

/**
 * Save the offset model (condition point relative to its level's spinal point, mm), the level chain
 * prior and the class prior beside the checkpoints, atomically: with them a checkpoints folder predicts
 * on its own (Kaggle test data has no train.csv to refit the class prior from, nor train coordinates
 * for the offsets and the level steps).
 */
export function writeInferenceModels(
  dir: string,
  parts: { offsets: OffsetModel; levelPrior: LevelChainPrior | null; prior: PriorModel },
): void {
  mkdirSync(dir, { recursive: true });
  const json = (v: unknown) => JSON.stringify(v, null, 1) + "\n";
  atomicWrite(
    join(dir, OFFSETS_FILE),
    json({ version: FORMAT_VERSION, offsets: Object.fromEntries([...parts.offsets].sort()) }),
  );
  atomicWrite(join(dir, LEVEL_PRIOR_FILE), json({ version: FORMAT_VERSION, levelPrior: parts.levelPrior }));
  atomicWrite(join(dir, PRIOR_FILE), json({ version: FORMAT_VERSION, probs: parts.prior.probs }));
}

/** The checkpoints folder inside DIR: DIR itself, or DIR/checkpoints (a kernel --out folder). */
export function checkpointsDir(dir: string): string {
  if (existsSync(join(dir, "config.json"))) return dir;
  if (existsSync(join(dir, "checkpoints", "config.json"))) return join(dir, "checkpoints");
  throw new CheckpointError(
    join(dir, "config.json"),
    "missing: not a weights folder (expected the checkpoints folder of a `lumbar kernel` run, or its --out folder)",
  );
}

/**
 * Rebuild every fold's localizer and classifiers from a checkpoints folder: config.json gives the
 * architectures, each unit's best.weights (the last epoch's when no epoch ever improved, as in
 * fitUnit) the weights; offsets.json and prior.json the rest. Anything missing, corrupt, unfinished or
 * made for another architecture is a CheckpointError naming the file.
 */
export function loadTrained(dir: string): LoadedWeights {
  const config = readSavedConfig(join(dir, "config.json"));
  const offsets = readOffsets(join(dir, OFFSETS_FILE));
  const prior = readPrior(join(dir, PRIOR_FILE));
  const levelPrior = readLevelPrior(join(dir, LEVEL_PRIOR_FILE));
  // Without enough studies for CV the kernel trains one model on everything, in fold0.
  const folds = Array.from({ length: config.folds }, (_, f) => f).filter(
    (f) => f === 0 || existsSync(join(dir, "localizer", `fold${f}`)),
  );
  const units: LoadedWeights["units"] = [];
  const made: tf.LayersModel[] = [];
  const load = (unit: string, model: tf.LayersModel) => {
    made.push(model);
    units.push(loadUnit(join(dir, unit), unit, model));
    return model;
  };
  try {
    const localizers = folds.map((f) =>
      load(`localizer/fold${f}`, buildLocalizer(localizerSpec(config.localizer))),
    );
    const classifiers = Object.fromEntries(
      FAMILIES.map((family) => [
        family,
        folds.map((f) => load(`${family}/fold${f}`, buildFamilyClassifier(config.classifier, family))),
      ]),
    ) as Record<Family, tf.LayersModel[]>;
    return { dir, config, prior, offsets, levelPrior, localizers, classifiers, units };
  } catch (e) {
    disposeModels(made);
    throw e;
  }
}

/** Free the weights of models built here (tfjs keeps variables until disposed). */
export function disposeTrained(trained: Trained): void {
  disposeModels([...trained.localizers, ...Object.values(trained.classifiers).flat()]);
}

function disposeModels(models: readonly tf.LayersModel[]): void {
  tf.dispose(models.flatMap((m) => m.weights.map((w) => w.read())));
}

function loadUnit(
  unitDir: string,
  unit: string,
  model: tf.LayersModel,
): { unit: string; file: string; epoch: number | null } {
  const stateFile = join(unitDir, "state.json");
  const state = readJson(stateFile) as Partial<UnitState>;
  if (state.done !== true)
    throw new CheckpointError(
      stateFile,
      `training of ${unit} did not finish (epoch ${state.epoch ?? "?"}); rerun \`lumbar kernel\` with the same --out to finish it`,
    );
  const file = finalWeightsFile(unitDir, state as UnitState);
  if (!file) throw new CheckpointError(join(unitDir, "best.weights"), "missing");
  let meta: unknown;
  try {
    meta = loadModelWeights(file, model);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(file, `corrupt: ${(e as Error).message}`);
  }
  const epoch = (meta as { epoch?: unknown } | undefined)?.epoch;
  return { unit, file, epoch: typeof epoch === "number" ? epoch : null };
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new CheckpointError(file, "missing");
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CheckpointError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** config.json, checked for the fields the model builders read: another version's file is an error, not a crash. */
function readSavedConfig(file: string): TrainConfig {
  const c = readJson(file) as Partial<TrainConfig> | null;
  const bad = (what: string) => new CheckpointError(file, `not a training configuration: ${what}`);
  if (!c || typeof c !== "object") throw bad("not an object");
  if (typeof c.profile !== "string" || !isProfile(c.profile))
    throw bad(`profile ${JSON.stringify(c.profile)}`);
  if (!Number.isInteger(c.folds) || (c.folds as number) < 1) throw bad(`folds ${JSON.stringify(c.folds)}`);
  if (typeof c.tta !== "boolean") throw bad("tta");
  const loc = c.localizer;
  if (!loc || !Number.isFinite(loc.inputPx) || !isNumbers(loc.filters)) throw bad("localizer");
  const cls = c.classifier;
  if (!cls || !Number.isFinite(cls.cropPx) || !isNumbers(cls.filters) || !Number.isFinite(cls.dense))
    throw bad("classifier");
  for (const f of FAMILIES) {
    const spec = cls.crops?.[f];
    if (!spec || !Number.isFinite(spec.sizeMm) || !Number.isInteger(spec.slicesEachSide))
      throw bad(`classifier.crops.${f}`);
  }
  return c as TrainConfig;
}

function isNumbers(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isFinite(x));
}

function readOffsets(file: string): OffsetModel {
  const j = readJson(file) as { version?: unknown; offsets?: Record<string, unknown> } | null;
  if (!j || j.version !== FORMAT_VERSION || typeof j.offsets !== "object" || j.offsets === null)
    throw new CheckpointError(file, `not an offsets file of version ${FORMAT_VERSION}`);
  const out = new Map<string, Vec3>();
  for (const [key, v] of Object.entries(j.offsets)) {
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => Number.isFinite(x)))
      throw new CheckpointError(file, `offset ${key} is not three finite numbers`);
    out.set(key, v as unknown as Vec3);
  }
  return out;
}

function readLevelPrior(file: string): LevelChainPrior | null {
  const j = readJson(file) as { version?: unknown; levelPrior?: unknown } | null;
  if (!j || j.version !== FORMAT_VERSION || j.levelPrior === undefined)
    throw new CheckpointError(file, `not a level prior file of version ${FORMAT_VERSION}`);
  if (j.levelPrior === null) return null;
  const gaps = (j.levelPrior as { gaps?: unknown }).gaps;
  const ok = (g: unknown) => {
    const { mean, sd } = g as { mean?: unknown; sd?: unknown };
    return Array.isArray(mean) && mean.length === 2 && mean.every(Number.isFinite) && Number(sd) > 0;
  };
  if (!Array.isArray(gaps) || gaps.length !== LEVELS.length - 1 || !gaps.every(ok))
    throw new CheckpointError(
      file,
      `level prior is not ${LEVELS.length - 1} gaps of (mean [u, v] mm, sd mm)`,
    );
  return j.levelPrior as LevelChainPrior;
}

function readPrior(file: string): PriorModel {
  const j = readJson(file) as { version?: unknown; probs?: unknown } | null;
  if (!j || j.version !== FORMAT_VERSION || !Array.isArray(j.probs))
    throw new CheckpointError(file, `not a prior file of version ${FORMAT_VERSION}`);
  const probs = j.probs as unknown[];
  if (probs.length !== TARGETS.length)
    throw new CheckpointError(file, `has ${probs.length} rows, expected ${TARGETS.length}`);
  probs.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 3 || !p.every((x) => Number.isFinite(x) && x > 0))
      throw new CheckpointError(file, `row ${i} is not three positive numbers`);
  });
  return { probs: probs as Probs3[] };
}

/**
 * Predict one test study: localize (fold-averaged), place and crop every condition, classify with
 * every fold model and the mirror TTA. Rows that cannot be predicted get the prior, with the reason.
 */
export async function predictStudy(
  entry: StudyEntry | undefined,
  studyId: number,
  trained: Trained,
  config: TrainConfig,
  prior: PriorModel,
): Promise<{
  predictions: Map<string, Probs3>;
  fallbacks: Fallback[];
  levels: Vec3[] | null;
  /** Slices that failed to decode (read as their nearest good neighbour): logged, not a fallback. */
  problems?: string[];
}> {
  const predictions = priorPredictions(prior, [studyId]);
  const fallbacks: Fallback[] = [];
  const fallbackAll = (reason: string) => {
    fallbacks.push({ studyId, rows: TARGETS.length, reason });
    return { predictions, fallbacks, levels: null };
  };
  if (!entry) return fallbackAll("study has no image folder");
  try {
    const study = await loadStudy(entry);
    const view = localizerStack(study);
    if (!view)
      return fallbackAll(`no usable sagittal series (${study.problems.join("; ") || "none listed"})`);
    const mid = midSlice(view.stack, config.localizer.inputPx);
    const [pts] = predictLevels(trained.localizers, [mid], config.localizer, trained.levelPrior);
    const levels = pts.map(([u, v]) => frameToLps(mid, u, v));
    const { crops, missing, problems } = await localizedCrops(
      entry,
      levels,
      trained.offsets,
      config.classifier,
      undefined,
      study,
    );
    const done = new Set<string>();
    for (const family of FAMILIES) {
      const mine = crops.filter((c) => familyOf(c) === family);
      if (!mine.length || !trained.classifiers[family].length) continue;
      const probs = predictSamples(trained.classifiers[family], mine, config.classifier, family, config.tta);
      mine.forEach((c, i) => {
        const id = rowId(studyId, { condition: c.condition, level: LEVELS[c.levelIndex] });
        predictions.set(id, probs[i]);
        done.add(id);
      });
    }
    const byReason = new Map<string, number>();
    for (const t of TARGETS) {
      if (done.has(rowId(studyId, t))) continue;
      const reason = missing.get(t.condition) ?? `${CONDITION_INFO[t.condition].family}: no crop`;
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    for (const [reason, rows] of byReason) fallbacks.push({ studyId, rows, reason });
    return { predictions, fallbacks, levels, problems };
  } catch (e) {
    return fallbackAll(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

export interface PredictOptions {
  /** Competition-layout folder; only its test split is read. */
  readonly data: string;
  /** A checkpoints folder written by runKernel (or the kernel's --out folder holding it). */
  readonly weights: string;
  readonly out: string;
  readonly quiet?: boolean;
  /** When given, the weights must have been trained with this profile (a clear error otherwise). */
  readonly profile?: Profile;
  /** Backend description for the report (the caller initialised it). */
  readonly backend?: Record<string, unknown>;
}

/** What predicting a test split gives: the expected rows, predictions and what fell back or failed. */
export interface TestSplitPredictions {
  /** Row ids to submit: sample_submission.csv's, else every target of every test study folder. */
  readonly expected: string[];
  readonly studies: number[];
  readonly predictions: Map<string, Probs3>;
  readonly levels: Map<number, Vec3[]>;
  readonly fallbacks: Fallback[];
  /** Files that failed to decode (each read as its nearest good slice), per study. */
  readonly failures: Failure[];
}

/** Predict DATA's test split one study at a time (memory stays bounded); used by the kernel and predict. */
export async function predictTestSplit(
  data: string,
  trained: Trained,
  config: TrainConfig,
  prior: PriorModel,
  quiet?: boolean,
): Promise<TestSplitPredictions> {
  const testIndex = indexDataset(data, "test");
  const testPaths = datasetPaths(data, "test");
  const expected = existsSync(testPaths.sampleSubmission)
    ? [...loadSampleSubmission(testPaths.sampleSubmission).rowIds]
    : testIndex.studies.flatMap((s) => studyRowIds(s.studyId));
  const studies = [...new Set(expected.map((id) => Number(id.slice(0, id.indexOf("_")))))];
  const out: TestSplitPredictions = {
    expected,
    studies,
    predictions: new Map(),
    levels: new Map(),
    fallbacks: [],
    failures: [],
  };
  const bar = progressBar("inference (test)", studies.length, { quiet });
  for (const studyId of studies) {
    const entry = testIndex.studies.find((s) => s.studyId === studyId);
    const r = await predictStudy(entry, studyId, trained, config, prior);
    r.predictions.forEach((v, k) => out.predictions.set(k, v));
    out.fallbacks.push(...r.fallbacks);
    for (const reason of r.problems ?? []) out.failures.push({ studyId, stage: "test decode", reason });
    if (r.levels) out.levels.set(studyId, r.levels);
    bar.tick();
  }
  bar.stop();
  return out;
}

export interface PredictReport {
  readonly data: string;
  readonly weights: string;
  readonly profile: TrainConfig["profile"];
  readonly seed: number;
  readonly backend: Record<string, unknown>;
  readonly testScore: number | null;
  readonly priorScore: number | null;
  readonly oracleScore: number | null;
  readonly test: {
    studies: number;
    test?: MetricResult | null;
    prior?: MetricResult | null;
    oracle?: MetricResult | null;
  };
  readonly timings: Record<string, number>;
  readonly fallbacks: Fallback[];
  /** Files that failed to decode (each read as its nearest good slice), per study. */
  readonly failures: TestSplitPredictions["failures"];
  readonly units: LoadedWeights["units"];
}

/**
 * Predict-only: load a weights folder and predict DATA's test split one study at a time (memory stays
 * bounded), write OUT/submission.csv (validated, always complete: the prior, with a reason, for
 * whatever fails) and OUT/predict-report.json. Needs no train.csv: the prior comes from the weights.
 */
export async function predictTest(opts: PredictOptions): Promise<PredictReport> {
  const timings: Record<string, number> = {};
  let t0 = Date.now();
  const dir = checkpointsDir(resolve(opts.weights));
  if (opts.profile) {
    // Checked before any model is built: a quick run's weights do not fit a full run's expectations.
    const saved = readSavedConfig(join(dir, "config.json"));
    if (saved.profile !== opts.profile)
      throw new CheckpointError(
        join(dir, "config.json"),
        `weights trained with profile ${saved.profile}, but profile ${opts.profile} was asked for`,
      );
  }
  const trained = loadTrained(dir);
  const { config, prior } = trained;
  timings.loadWeights = (Date.now() - t0) / 1000;
  try {
    mkdirSync(opts.out, { recursive: true });
    t0 = Date.now();
    const { expected, studies, predictions, levels, fallbacks, failures } = await predictTestSplit(
      opts.data,
      trained,
      config,
      prior,
      opts.quiet,
    );
    timings.inference = (Date.now() - t0) / 1000;
    writeSubmission(join(opts.out, "submission.csv"), predictions, expected);

    // Scores only when DATA holds the generator's ground truth (never on Kaggle).
    const gt = groundTruthScores(opts.data, predictions, prior, studies, levels);
    const report: PredictReport = {
      data: opts.data,
      weights: dir,
      profile: config.profile,
      seed: config.seed,
      backend: opts.backend ?? { tfBackend: tf.getBackend() },
      testScore: gt?.test?.score ?? null,
      priorScore: gt?.prior?.score ?? null,
      oracleScore: gt?.oracle?.score ?? null,
      test: { studies: studies.length, ...(gt ? { test: gt.test, prior: gt.prior, oracle: gt.oracle } : {}) },
      timings,
      fallbacks,
      failures,
      units: trained.units,
    };
    atomicWrite(join(opts.out, "predict-report.json"), JSON.stringify(report, null, 2) + "\n");
    return report;
  } finally {
    disposeTrained(trained);
  }
}
