import * as tf from "@tensorflow/tfjs";
import type { Family } from "../data/schema";
import { localizerSpec, type ClassifierConfig, type LocalizerConfig, type SidePointConfig } from "../config";
import { buildFamilyClassifier, buildSidePoints, finalWeightsFile, readState } from "../infer";
import { buildLocalizer } from "../models";
import { loadModelWeights } from "../models/weights-file";
import type { SideFamily } from "../study";
import {
  loadCropLikes,
  SampleStore,
  type CropSampleLike,
  type LocalizerSampleLike,
  type SidePointSampleLike,
} from "../cache";
import { LumbarError } from "../util/errors";
import { fitClassifier } from "./classifier";
import { fitLocalizer } from "./localizer";
import { fitSidePoints } from "./side-points";
import type { JsonlLog } from "./log";

/**
 * One training unit (a model on one fold) as plain data: everything fitLocalizer / fitClassifier
 * need, so it can be trained in this thread or posted to a worker (structured clone). Samples are
 * record references into the `cache` folder (lib/cache), so a job is small wherever it goes and the
 * unit reads its crops or images a batch at a time; samples held in memory work too.
 */
export type UnitJob = LocalizerJob | SidePointJob | ClassifierJob;

interface JobBase {
  /** Shown in logs, progress and errors, e.g. "localizer f2". */
  readonly name: string;
  /** Checkpoint folder of the unit. */
  readonly dir: string;
  readonly seed: number;
  readonly patience: number;
  /** The cache folder the samples' record references point into (lib/cache). */
  readonly cache?: string;
}

export interface LocalizerJob extends JobBase {
  readonly kind: "localizer";
  readonly cfg: LocalizerConfig;
  readonly train: readonly LocalizerSampleLike[];
  readonly valid: readonly LocalizerSampleLike[];
}

export interface SidePointJob extends JobBase {
  readonly kind: "side-points";
  readonly family: SideFamily;
  readonly cfg: SidePointConfig;
  readonly train: readonly SidePointSampleLike[];
  readonly valid: readonly SidePointSampleLike[];
}

export interface ClassifierJob extends JobBase {
  readonly kind: "classifier";
  readonly family: Family;
  readonly cfg: ClassifierConfig;
  readonly tta: boolean;
  readonly train: readonly CropSampleLike[];
  readonly trainAlternates: readonly CropSampleLike[];
  readonly valid: readonly CropSampleLike[];
}

/** A unit whose training failed (in this thread or a worker): names the unit, keeps the cause. */
export class UnitTrainingError extends LumbarError {
  readonly name = "UnitTrainingError";
  constructor(
    readonly unit: string,
    readonly problem: string,
    readonly causeStack?: string,
  ) {
    super(`training unit "${unit}" failed: ${problem}`);
  }
}

/** Train (or resume, or just load when finished) one unit in this thread; returns its best model. */
export async function fitJob(job: UnitJob, log?: JsonlLog, quiet?: boolean): Promise<tf.LayersModel> {
  const store = job.cache !== undefined ? new SampleStore(job.cache) : undefined;
  const common = { dir: job.dir, name: job.name, patience: job.patience, seed: job.seed, log, quiet, store };
  try {
    if (job.kind === "localizer")
      return await fitLocalizer({ ...common, train: job.train, valid: job.valid, cfg: job.cfg });
    if (job.kind === "side-points") {
      // A family's windows are few and small (a unit's worth, not the dataset): read once, up front.
      const read = (s: readonly SidePointSampleLike[]) => loadCropLikes(s, store);
      return await fitSidePoints({
        ...common,
        family: job.family,
        train: read(job.train),
        valid: read(job.valid),
        cfg: job.cfg,
      });
    }
    return await fitClassifier({
      ...common,
      family: job.family,
      train: job.train,
      trainAlternates: job.trainAlternates,
      valid: job.valid,
      cfg: job.cfg,
      tta: job.tta,
    });
  } finally {
    store?.close();
  }
}

/** Whether the unit's checkpoint folder holds a finished run (it will not be trained again). */
export function isJobDone(job: UnitJob): boolean {
  return readState(job.dir).done;
}

/** The model a finished unit ended with, read from its folder (see finalWeightsFile). */
export function loadFinishedJob(job: UnitJob): tf.LayersModel {
  const state = readState(job.dir);
  const file = finalWeightsFile(job.dir, state);
  if (!state.done || !file) throw new UnitTrainingError(job.name, `no finished checkpoint in ${job.dir}`);
  const model =
    job.kind === "localizer"
      ? buildLocalizer(localizerSpec(job.cfg))
      : job.kind === "side-points"
        ? buildSidePoints(job.cfg, job.family)
        : buildFamilyClassifier(job.cfg, job.family);
  loadModelWeights(file, model);
  return model;
}
