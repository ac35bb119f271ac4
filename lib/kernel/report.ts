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
import type { GatesReport } from "./gates-stage";
import { CONDITION_INFO, FAMILIES, parseRowId, type Family } from "../data/schema";
import { gateSummary, INPUT_KINDS, unsupportedParts, type DegradationRow, type InputKind } from "../gates";

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
  /** Which optional parts run and the out-of-fold evidence each was decided on (lib/gates). */
  readonly gates: {
    decisions: GatesReport["decisions"];
    evidence: GatesReport["evidence"];
    /** What runs although its evidence says otherwise: empty with `--gates auto` (lib/gates/audit). */
    unsupported: string[];
  };
  /**
   * Rows by what they were made from (input kind) and family: out of fold, the rows and losses each
   * group's weight toward the prior was decided on (missing series: the cross-family model's check);
   * on test, how many rows of each kind there were.
   */
  readonly degradation: DegradationRow[];
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
    gates: GatesReport;
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
  const degradation = degradationTable(results.gates, test.inputs);
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
    gates: gatesSection(results.gates, degradation),
    degradation,
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

function gatesSection(gates: GatesReport, degradation: readonly DegradationRow[]): KernelReport["gates"] {
  const { decisions, evidence } = gates;
  return {
    decisions,
    evidence,
    unsupported: unsupportedParts(gateSummary(decisions, evidence), degradation),
  };
}

function degradationTable(gates: GatesReport, testInputs: ReadonlyMap<string, InputKind>): DegradationRow[] {
  const testRows = (kind: InputKind, family: Family) =>
    [...testInputs].filter(([id, k]) => {
      const row = parseRowId(id);
      return k === kind && row !== undefined && CONDITION_INFO[row.target.condition].family === family;
    }).length;
  return INPUT_KINDS.flatMap((kind) =>
    FAMILIES.map((family): DegradationRow => {
      if (kind === "missing-series") {
        const check = family === "spinal" ? undefined : gates.evidence.crossFamily?.[family];
        const used = family !== "spinal" && gates.decisions.crossFamily[family];
        return {
          kind,
          family,
          oofRows: check?.rows ?? 0,
          model: check?.crossFamily ?? null,
          prior: check?.prior ?? null,
          chosen: (used ? check?.crossFamily : check?.prior) ?? null,
          weight: used ? 0 : 1,
          testRows: testRows(kind, family),
        };
      }
      const d = gates.degradation[kind][family];
      return {
        kind,
        family,
        oofRows: d.rows,
        model: d.model,
        prior: d.prior,
        chosen: d.chosen,
        weight: d.weight,
        testRows: testRows(kind, family),
      };
    }),
  );
}
