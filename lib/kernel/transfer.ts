import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { LocalizerConfig, Profile, TrainOverrides } from "../config";
import { errorSummary } from "../gates";
import { epochWeightsFile, predictLevels } from "../infer";
import { fitLevelChainPrior, type LevelChainPrior } from "../models";
import { loadModelWeights } from "../models/weights-file";
import { indexDataset } from "../data/dataset";
import type { Vec3 } from "../geometry";
import { frameToLps, loadStudy, localizerStack, midSlice, type LocalizerSample } from "../study";
import { UsageError } from "../util/errors";
import { levelPointErrors } from "../train/localizer";
import { foldSplit, studyFolds } from "../train/folds";
import type { LocalizerJob } from "../train/unit-job";
import { trainUnits } from "../train/unit-pool";
import { commonEpoch, unitCurves, type CommonEpoch } from "./common-epoch";
import { openRun } from "./context";
import { loadTrain } from "./train-split";
import { unitId } from "./unit-ids";

/** A named data set's labelled localizer samples (images in memory). */
export interface LabelledSet {
  readonly name: string;
  readonly samples: readonly LocalizerSample[];
}

/**
 * The localizer samples of a competition-layout folder's train split, cut by the kernel's pass 1
 * (lib/kernel train-split) into the cache folder `cache`, which later calls reuse while its key holds.
 * Only studies with labelled level points are kept.
 */
export async function labelledLocalizerSet(opts: {
  name: string;
  data: string;
  /** Scratch folder of the kernel context pass 1 runs in (its config.json and log). */
  out: string;
  cache: string;
  profile: Profile;
  overrides: TrainOverrides;
  quiet?: boolean;
}): Promise<LabelledSet> {
  const { data, out, cache, profile, overrides, quiet } = opts;
  const ctx = openRun({ data, out, cache, profile, overrides, quiet });
  const train = await loadTrain(ctx);
  try {
    const samples = train.inputs.localizers(train.prepared.map((p) => p.localizer));
    return { name: opts.name, samples: samples.filter((s) => s.points) };
  } finally {
    train.inputs.close();
  }
}

/** A set's studies in `folds` seeded folds: each fold's train and validation samples. */
export function setFolds(
  set: LabelledSet,
  folds: number,
  seed: number,
): { train: LocalizerSample[]; valid: LocalizerSample[] }[] {
  const fold = studyFolds(
    set.samples.map((s) => s.studyId),
    folds,
    seed,
  );
  return Array.from({ length: folds }, (_, f) => {
    const { train, valid } = foldSplit(fold, f);
    const of = (ids: number[]) => set.samples.filter((s) => ids.includes(s.studyId));
    return { train: of(train), valid: of(valid) };
  });
}

/** Point errors (mm) of one set: each labelled level of each study, one entry per model that predicted it. */
export interface SetPointErrors {
  readonly set: string;
  readonly role: "seen" | "held-out";
  readonly studies: number;
  readonly summary: ReturnType<typeof errorSummary>;
  readonly errorsMm: readonly number[];
}

export interface TransferResult {
  /** Every fold's localizer at the common epoch, and the level-chain prior of every seen study. */
  readonly models: readonly tf.LayersModel[];
  readonly prior: LevelChainPrior | null;
  /** The localizers' common epoch (lowest mean out-of-fold curve over the seen sets' folds). */
  readonly epoch: CommonEpoch;
  /** Seen sets: out of fold (each study by the fold that did not train on it); held-out: by every fold. */
  readonly sets: readonly SetPointErrors[];
  readonly seen: ReturnType<typeof errorSummary>;
  readonly heldOut: ReturnType<typeof errorSummary> | null;
}

/**
 * Train the localizer k-fold on the seen sets' studies together (folds drawn per set, so each fold
 * holds every set in proportion), choose the common epoch as the kernel does, and measure level
 * point errors in mm with chain decoding (each fold's prior from its train studies): out of fold on
 * the seen sets, and on every study of the held-out sets with each fold's model (the same single-
 * model condition as out of fold). Checkpoints go to `dir`/localizer/foldF; finished folds are reused.
 */
export async function localizerTransfer(opts: {
  seen: readonly LabelledSet[];
  heldOut: readonly LabelledSet[];
  cfg: LocalizerConfig;
  folds: number;
  seed: number;
  patience: number;
  dir: string;
  threads: number;
  quiet?: boolean;
}): Promise<TransferResult> {
  const splits = opts.seen.map((set) => setFolds(set, opts.folds, opts.seed));
  const foldTrain = (f: number) => splits.flatMap((s) => s[f].train);
  const jobs = Array.from({ length: opts.folds }, (_, f): LocalizerJob => ({
    kind: "localizer",
    dir: join(opts.dir, unitId("localizer", f)),
    name: `localizer f${f}`,
    train: foldTrain(f),
    valid: splits.flatMap((s) => s[f].valid),
    cfg: opts.cfg,
    patience: opts.patience,
    seed: opts.seed + 101 * f,
  }));
  const models = await trainUnits(jobs, {
    threads: opts.threads,
    label: "train localizers",
    quiet: opts.quiet,
  });
  const epoch = commonEpoch(unitCurves(jobs.map((j) => j.dir)));
  jobs.forEach((j, f) => loadModelWeights(epochWeightsFile(j.dir, epoch.epoch), models[f]));
  const priors = jobs.map((_, f) => fitLevelChainPrior(foldTrain(f)));
  const errorsOf = (m: tf.LayersModel, prior: LevelChainPrior | null, samples: readonly LocalizerSample[]) =>
    levelPointErrors(predictLevels([m], samples, opts.cfg, prior), samples, "mm");
  const sets: SetPointErrors[] = [
    ...opts.seen.map((set, i) =>
      setErrors(
        set,
        "seen",
        models.flatMap((m, f) => errorsOf(m, priors[f], splits[i][f].valid)),
      ),
    ),
    ...opts.heldOut.map((set) =>
      setErrors(
        set,
        "held-out",
        models.flatMap((m, f) => errorsOf(m, priors[f], set.samples)),
      ),
    ),
  ];
  const pooled = (role: SetPointErrors["role"]) =>
    errorSummary(sets.filter((s) => s.role === role).flatMap((s) => s.errorsMm));
  return {
    models,
    prior: fitLevelChainPrior(opts.seen.flatMap((s) => s.samples)),
    epoch,
    sets,
    seen: pooled("seen"),
    heldOut: opts.heldOut.length ? pooled("held-out") : null,
  };
}

function setErrors(set: LabelledSet, role: SetPointErrors["role"], errorsMm: number[]): SetPointErrors {
  return { set: set.name, role, studies: set.samples.length, summary: errorSummary(errorsMm), errorsMm };
}

/** Where the localizer puts the five levels of an unlabelled study: a number to look at, never a score. */
export interface StudyLevels {
  readonly studyId: number;
  /** Each level's point in LPS mm, L1/L2 first. */
  readonly lps: readonly Vec3[];
  /** Distance of each level from L1/L2 along the chain of levels, mm. */
  readonly alongMm: readonly number[];
  /** Straight distance L1/L2 -> L5/S1, mm. */
  readonly spanMm: number;
}

/**
 * The first study of `dir`'s test split, localized by every model averaged (as the kernel predicts
 * test studies) with chain decoding under `prior`. Its mid-sagittal slice is read as the kernel reads it.
 */
export async function predictStudyLevels(
  dir: string,
  models: readonly tf.LayersModel[],
  cfg: LocalizerConfig,
  prior: LevelChainPrior | null,
): Promise<StudyLevels> {
  const [entry] = indexDataset(dir, "test").studies;
  if (!entry) throw new UsageError(`${dir}: no study in test_images/`);
  const view = localizerStack(await loadStudy(entry));
  if (!view) throw new UsageError(`${dir}: study ${entry.studyId} has no usable sagittal series`);
  const mid = midSlice(view.stack, cfg.inputPx);
  const [points] = predictLevels(models, [mid], cfg, prior);
  const lps = points.map(([u, v]) => frameToLps(mid, u, v));
  const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const alongMm = lps.map((_, k) => lps.slice(1, k + 1).reduce((t, p, i) => t + dist(lps[i], p), 0));
  return { studyId: entry.studyId, lps, alongMm, spanMm: dist(lps[0], lps[lps.length - 1]) };
}
