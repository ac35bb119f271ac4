/**
 * What the report page reads of a run folder: the kernel's report.json (or predict's
 * predict-report.json), its training log, points and predictions. lib/viz imports nothing from
 * lib/kernel, so the report is read as JSON with the fields the page uses typed loosely: a field the
 * page does not know is left out of it, a missing one leaves its section out.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MetricResult, Probs3 } from "../../metric";
import type { RunPoint } from "../../data/run-points";
import { loadRunPoints } from "../../data/run-points";
import { readPredictions } from "../../submit/validate";
import { RunFolderError } from "../errors";
import { POINTS_FILE } from "../run-folder";
import { readTrainLog, type TrainLogRecord } from "../train";

export interface ReportJson {
  readonly profile?: string;
  readonly seed?: number;
  readonly data?: string;
  readonly weights?: string;
  readonly backend?: Record<string, unknown>;
  readonly cvScore?: number | null;
  readonly cvHonestScore?: number | null;
  readonly testScore?: number | null;
  readonly priorScore?: number | null;
  readonly oracleScore?: number | null;
  readonly cv?: {
    readonly localized?: MetricResult | null;
    readonly honest?: MetricResult | null;
    readonly groundTruthCoords?: MetricResult | null;
    readonly prior?: MetricResult | null;
    readonly crossFamily?: unknown;
    readonly studies?: number;
  };
  readonly test?: {
    readonly studies?: number;
    readonly test?: MetricResult | null;
    readonly prior?: MetricResult | null;
    readonly oracle?: MetricResult | null;
  };
  readonly epochs?: Record<string, { epoch: number; meanCurve: number[]; foldBest: number[] }>;
  readonly localization?: unknown;
  readonly sidePoints?: unknown;
  readonly timings?: Record<string, number>;
  readonly cpuSeconds?: Record<string, number>;
  readonly memoryMb?: Record<string, { rss: number; peakRss: number }>;
  readonly peakRssMb?: number;
  readonly fallbacks?: { studyId: number; rows: number; reason: string }[];
  readonly failures?: { studyId: number; stage: string; reason: string; file?: string; code?: string }[];
  readonly failuresOmitted?: number;
  readonly unusableFiles?: number;
  readonly failureSummary?: Record<string, Record<string, number>>;
  readonly gates?: unknown;
  readonly [key: string]: unknown;
}

/** A kernel run (report.json, out-of-fold predictions) or a predict run (predict-report.json). */
export type RunKind = "kernel" | "predict";

export interface RunFiles {
  readonly dir: string;
  readonly kind: RunKind;
  readonly report: ReportJson;
  readonly log: readonly TrainLogRecord[];
  /** points.csv; null for a run written before it existed. */
  readonly points: readonly RunPoint[] | null;
  readonly oof: ReadonlyMap<string, Probs3> | null;
  readonly submission: ReadonlyMap<string, Probs3> | null;
}

export const REPORT_FILES: Readonly<Record<RunKind, string>> = {
  kernel: "report.json",
  predict: "predict-report.json",
};

/** Read a run folder; one with neither report is a RunFolderError. */
export function readRunFiles(dir: string): RunFiles {
  const kind = (["kernel", "predict"] as const).find((k) => existsSync(join(dir, REPORT_FILES[k])));
  if (!kind)
    throw new RunFolderError(dir, "no report.json or predict-report.json (a finished kernel or predict run)");
  const file = (name: string) => (existsSync(join(dir, name)) ? join(dir, name) : null);
  const reportFile = join(dir, REPORT_FILES[kind]);
  let report: ReportJson;
  try {
    report = JSON.parse(readFileSync(reportFile, "utf8")) as ReportJson;
  } catch (e) {
    throw new RunFolderError(dir, `${REPORT_FILES[kind]} is not JSON: ${(e as Error).message}`);
  }
  const log = file("train-log.jsonl");
  const points = file(POINTS_FILE);
  const oof = file("oof.csv");
  const submission = file("submission.csv");
  return {
    dir,
    kind,
    report,
    log: log ? readTrainLog(log) : [],
    points: points ? loadRunPoints(points) : null,
    oof: oof ? readPredictions(oof) : null,
    submission: submission ? readPredictions(submission) : null,
  };
}
