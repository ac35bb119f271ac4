import { SUBMISSION_HEADER } from "../data/submission-file";
import type { Probs3 } from "../metric/log-loss";
import { writeCsvAtomic } from "../util/csv";
import { SubmissionError } from "../util/errors";
import { submissionProblems } from "./validate";

/** Rescale to sum 1; the metric does too, but the file must already be normalised. */
export function normalise(p: Probs3): Probs3 {
  const s = p[0] + p[1] + p[2];
  return [p[0] / s, p[1] / s, p[2] / s];
}

/**
 * Write submission.csv: exactly `expected` row ids, sorted like sample_submission (by row_id),
 * rows normalised. Runs the validator on what it is about to write and throws SubmissionError instead
 * of writing an invalid file; the write itself is atomic.
 */
export function writeSubmission(
  file: string,
  predictions: ReadonlyMap<string, Probs3>,
  expected: readonly string[],
): void {
  const ids = [...expected].sort();
  const problems: string[] = [];
  const rows = ids.map((id) => {
    const p = predictions.get(id);
    if (!p) {
      problems.push(`no prediction for ${id}`);
      return [id, "", "", ""];
    }
    const q = normalise(p);
    return [id, ...q.map((v) => String(v))];
  });
  if (!problems.length) {
    const asRows = rows.map((r, i) => ({
      line: i + 2,
      rowId: String(r[0]),
      cells: [r[1], r[2], r[3]] as [string, string, string],
    }));
    problems.push(...submissionProblems(SUBMISSION_HEADER, asRows, expected));
  }
  if (problems.length) throw new SubmissionError(problems, file);
  writeCsvAtomic(file, SUBMISSION_HEADER, rows);
}
