import * as tf from "@tensorflow/tfjs";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Profile } from "../config";
import type { MetricResult } from "../metric";
import { CONDITION_INFO, parseRowId } from "../data/schema";
import type { Gates, InputKind } from "../gates";
import { defaultThreads } from "../engine";
import { CheckpointError } from "../models/weights-file";
import { writeSubmission } from "../submit";
import { failureReport, type FailureReport } from "../study";
import { writeFileAtomic } from "../util/atomic-write";
import { peakRssMb, stageClock } from "../util/stage-clock";
import { groundTruthScores } from "./ground-truth";
import { disposeTrained, loadTrained, type LoadedWeights } from "./models";
import type { Fallback } from "./predict-study";
import { POINTS_FILE, writePointsCsv } from "./points-file";
import { predictTestSplit } from "./test-split";
import { checkpointsDir, CONFIG_FILE, readConfigFile } from "./weights-folder";

export interface PredictTestOptions {
  /** Competition-layout folder; only its test split is read. */
  readonly data: string;
  /** A checkpoints folder written by runKernel (or the kernel's --out folder holding it). */
  readonly weights: string;
  readonly out: string;
  readonly quiet?: boolean;
  /** Threads predicting studies at once (default: one per core, 1 on a GPU); the same result for any. */
  readonly threads?: number;
  /** When given, the weights must have been trained with this profile (a clear error otherwise). */
  readonly profile?: Profile;
  /** Backend description for the report (the caller initialised it). */
  readonly backend?: Record<string, unknown>;
}

export interface PredictReport extends FailureReport {
  readonly data: string;
  readonly weights: string;
  readonly profile: Profile;
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
  /** Wall seconds per stage (loadWeights, inference). */
  readonly timings: Record<string, number>;
  /** CPU seconds per stage (the whole process). */
  readonly cpuSeconds: Record<string, number>;
  /** The process's peak resident set, MB, when the report is written. */
  readonly peakRssMb: number;
  readonly fallbacks: Fallback[];
  /** Stage 1b per family: side points moved by the nets or kept at the projection, by outcome. */
  readonly sidePoints: Record<string, Record<string, number>>;
  /** The parts the weights folder's gates run (lib/gates), as applied here. */
  readonly gates: Gates;
  /** Test rows by what they were made from: input kind -> family -> rows. */
  readonly rowInputs: Record<string, Record<string, number>>;
  readonly units: LoadedWeights["units"];
}

/**
 * Predict-only: load a weights folder and predict DATA's test split one study at a time (memory stays
 * bounded), write OUT/submission.csv (validated, always complete: the prior, with a reason, for
 * whatever fails) and OUT/predict-report.json. Needs no train.csv: the prior comes from the weights.
 */
export async function predictTest(opts: PredictTestOptions): Promise<PredictReport> {
  const { timings, cpuSeconds, clock } = stageClock();
  const dir = checkpointsDir(resolve(opts.weights));
  if (opts.profile) {
    // Checked before any model is built: a quick run's weights do not fit a full run's expectations.
    const saved = readConfigFile(dir);
    if (saved && saved.profile !== opts.profile)
      throw new CheckpointError(
        join(dir, CONFIG_FILE),
        `weights trained with profile ${saved.profile}, but profile ${opts.profile} was asked for`,
      );
  }
  const trained = await clock("loadWeights", () => loadTrained(dir));
  const { config, prior } = trained;
  try {
    mkdirSync(opts.out, { recursive: true });
    const { expected, studies, predictions, levels, fallbacks, failures, sidePointOutcomes, points, inputs } =
      await clock("inference", () =>
        predictTestSplit(opts.data, trained, config, prior, {
          quiet: opts.quiet,
          threads: opts.threads ?? defaultThreads(),
        }),
      );
    writeSubmission(join(opts.out, "submission.csv"), predictions, expected);
    writePointsCsv(join(opts.out, POINTS_FILE), points);

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
      cpuSeconds,
      peakRssMb: peakRssMb(),
      fallbacks,
      sidePoints: sidePointOutcomes,
      gates: trained.gates,
      rowInputs: countInputs(inputs),
      ...failureReport(failures),
      units: trained.units,
    };
    writeFileAtomic(join(opts.out, "predict-report.json"), JSON.stringify(report, null, 2) + "\n");
    return report;
  } finally {
    disposeTrained(trained);
  }
}

/** Rows per input kind and family. */
function countInputs(inputs: ReadonlyMap<string, InputKind>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [id, kind] of inputs) {
    const row = parseRowId(id);
    if (!row) continue;
    const family = CONDITION_INFO[row.target.condition].family;
    const byFamily = (out[kind] ??= {});
    byFamily[family] = (byFamily[family] ?? 0) + 1;
  }
  return out;
}
