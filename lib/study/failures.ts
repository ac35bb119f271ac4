import type { UnusableStudyFile } from "./study";

/**
 * Something of one study that could not be read or placed: listed in the report, never fatal. File
 * failures name the file and its DicomError code; their stage is the split and when it failed
 * ("train header", "test decode", ...).
 */
export interface Failure {
  readonly studyId: number;
  readonly stage: string;
  readonly reason: string;
  readonly file?: string;
  readonly code?: string;
}

/** A study's unusable files as failures of the train or test split. */
export function fileFailures(
  studyId: number,
  split: "train" | "test",
  files: readonly UnusableStudyFile[],
): Failure[] {
  return files.map((f) => ({
    studyId,
    stage: `${split} ${f.stage}`,
    reason: `series ${f.seriesId}: ${f.code}: ${f.detail}`,
    file: f.file,
    code: f.code,
  }));
}

/**
 * Append failures to a list, a file at most once (a train study is read in pass 1 and again in
 * pass 2: its skipped headers are found twice).
 */
export function addFailures(list: Failure[], more: readonly Failure[]): void {
  const seen = new Set(list.flatMap((f) => (f.file ? [`${f.stage}\0${f.file}`] : [])));
  for (const f of more) {
    const key = f.file ? `${f.stage}\0${f.file}` : null;
    if (key && seen.has(key)) continue;
    if (key) seen.add(key);
    list.push(f);
  }
}

/** Code under which failures without one (a study-level problem) are counted. */
export const NO_CODE = "OTHER";

/** What report.json holds of the failures: a capped list, how many were left out, counts never capped. */
export interface FailureReport {
  readonly failures: Failure[];
  readonly failuresOmitted: number;
  /** How many distinct files were unusable (every one, listed or not). */
  readonly unusableFiles: number;
  /** stage -> code -> count, over every failure (file failures by DicomError code, others as OTHER). */
  readonly failureSummary: Record<string, Record<string, number>>;
}

/** Failures listed in report.json at most; the summary counts them all. */
export const FAILURES_LISTED = 500;

export function failureReport(failures: readonly Failure[], cap = FAILURES_LISTED): FailureReport {
  const failureSummary: Record<string, Record<string, number>> = {};
  for (const f of failures) {
    const byCode = (failureSummary[f.stage] ??= {});
    const code = f.code ?? NO_CODE;
    byCode[code] = (byCode[code] ?? 0) + 1;
  }
  return {
    failures: failures.slice(0, cap),
    failuresOmitted: Math.max(0, failures.length - cap),
    unusableFiles: new Set(failures.flatMap((f) => (f.file ? [f.file] : []))).size,
    failureSummary,
  };
}
