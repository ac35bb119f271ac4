import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { LEVELS } from "../data/schema";
import type { Profile, TrainConfig } from "../config";
import type { Vec3 } from "../geometry";
import {
  groundTruthScores,
  type Fallback,
  type GroundTruthReport,
  type TestSplitPredictions,
} from "../infer";
import { failureReport, type FailureReport } from "../study";
import { writeFileAtomic } from "../util/atomic-write";
import { peakRssMb } from "../util/stage-clock";
import type { ClassifierStage } from "./classifier-stage";
import type { CommonEpoch } from "./common-epoch";
import type { KernelContext } from "./context";
import { localizationErrors, type CvScores } from "./cv";
import type { LocalizedPass } from "./localized-pass";
import type { LocalizerStage } from "./localizer-stage";
import type { PreparedTrain } from "./train-split";

export interface KernelReport extends FailureReport {
  readonly profile: Profile;
  readonly data: string;
  readonly seed: number;
  readonly backend: Record<string, unknown>;
  /** Out-of-fold score with each fold's classifiers at their own best epoch (optimistic). */
  readonly cvScore: number | null;
  /** Out-of-fold score with every fold at its unit type's common epoch (see `epochs`). */
  readonly cvHonestScore: number | null;
  /** Per unit type (localizer, each family): the common epoch, the mean curve, each fold's best. */
  readonly epochs: Record<string, CommonEpoch>;
  readonly testScore: number | null;
  readonly priorScore: number | null;
  readonly oracleScore: number | null;
  readonly cv: CvScores;
  readonly test: (GroundTruthReport & { studies: number }) | { studies: number };
  readonly localization: Record<string, unknown>;
  /** Stage 1b per family: side points moved by the nets or kept at the projection, by outcome. */
  readonly sidePoints: {
    oofTrain: Record<string, Record<string, number>>;
    test: Record<string, Record<string, number>>;
  };
  /** Wall seconds per stage. */
  readonly timings: Record<string, number>;
  /** CPU seconds per stage (the whole process, worker threads included). */
  readonly cpuSeconds: Record<string, number>;
  /** The process's peak resident set, MB, when the report is written. */
  readonly peakRssMb: number;
  /** Per stage, when it ended: resident set and peak so far, MB (where the memory went). */
  readonly memoryMb: Record<string, { rss: number; peakRss: number }>;
  readonly fallbacks: Fallback[];
  readonly config: TrainConfig;
}

/**
 * Assemble OUT/report.json: CV, the test scores when DATA has the generator's ground truth (never
 * needed to run), localization errors, wall and CPU seconds, peak RSS, fallbacks and failures (every
 * unusable file by path, stage and code; the list capped, the per-stage-and-code summary not).
 */
export function writeReport(
  ctx: KernelContext,
  train: PreparedTrain,
  results: {
    cv: CvScores;
    stage1: LocalizerStage;
    pass: LocalizedPass;
    stage2: ClassifierStage;
    test: TestSplitPredictions;
  },
): KernelReport {
  const { config, opts } = ctx;
  const { cv, test } = results;
  const gt = groundTruthScores(
    opts.data,
    test.predictions,
    train.prior,
    test.studies,
    test.levels,
    trainSpinal(train),
  );
  const report: KernelReport = {
    profile: config.profile,
    data: opts.data,
    seed: config.seed,
    backend: opts.backend ?? { tfBackend: tf.getBackend() },
    cvScore: cv.localized?.score ?? null,
    cvHonestScore: cv.honest?.score ?? null,
    epochs: { localizer: results.stage1.epoch, ...results.stage1.sidePointEpochs, ...results.stage2.epochs },
    testScore: gt?.test?.score ?? null,
    priorScore: gt?.prior?.score ?? null,
    oracleScore: gt?.oracle?.score ?? null,
    cv,
    test: { studies: test.studies.length, ...(gt ?? {}) },
    localization: {
      oofTrain: localizationErrors(results.pass),
      ...(gt?.localization ? { test: gt.localization } : {}),
    },
    sidePoints: { oofTrain: results.pass.sidePointOutcomes, test: test.sidePointOutcomes },
    timings: ctx.timings,
    cpuSeconds: ctx.cpuSeconds,
    peakRssMb: peakRssMb(),
    memoryMb: ctx.memoryMb,
    fallbacks: test.fallbacks,
    ...failureReport(train.failures),
    config,
  };
  writeFileAtomic(join(opts.out, "report.json"), JSON.stringify(report, null, 2) + "\n");
  return report;
}

/** Labelled spinal point per level of each train study (null where unlabelled). */
function trainSpinal(train: PreparedTrain): Map<number, (Vec3 | null)[]> {
  const spinalAt = (p: PreparedTrain["prepared"][number], k: number) =>
    p.gtPoints.find((q) => q.condition === "spinal_canal_stenosis" && q.levelIndex === k)?.lps ?? null;
  return new Map(train.prepared.map((p) => [p.studyId, LEVELS.map((_, k) => spinalAt(p, k))]));
}
