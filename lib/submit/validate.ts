import { SUBMISSION_HEADER, SubmissionFileRow, readSubmissionFile } from "../data/submission-file";
import type { Probs3 } from "../metric/log-loss";

/** A row may miss 1 by this much after CSV round-tripping. */
export const ROW_SUM_TOLERANCE = 1e-6;

/**
 * Every problem with a submission, as readable lines; [] means valid. Checks the header, that the
 * row_ids are exactly `expected` (each once), and that each row holds three finite, non-negative
 * numbers summing to 1.
 */
export function submissionProblems(
  header: readonly string[],
  rows: readonly SubmissionFileRow[],
  expected: readonly string[],
): string[] {
  const problems: string[] = [];
  if (header.join(",") !== SUBMISSION_HEADER.join(",")) {
    problems.push(`header is "${header.join(",")}", expected "${SUBMISSION_HEADER.join(",")}"`);
  }
  const want = new Set(expected);
  const seen = new Map<string, number>();
  for (const row of rows) {
    const at = `line ${row.line} (${row.rowId})`;
    const first = seen.get(row.rowId);
    if (first !== undefined) problems.push(`${at}: duplicate row_id, first on line ${first}`);
    else seen.set(row.rowId, row.line);
    if (!want.has(row.rowId)) problems.push(`${at}: unexpected row_id`);
    const values = row.cells.map((c) => (c.trim() === "" ? NaN : Number(c)));
    values.forEach((v, i) => {
      if (!Number.isFinite(v))
        problems.push(`${at}: ${SUBMISSION_HEADER[i + 1]} "${row.cells[i]}" is not a finite number`);
      else if (v < 0) problems.push(`${at}: ${SUBMISSION_HEADER[i + 1]} ${v} is negative`);
    });
    const sum = values[0] + values[1] + values[2];
    if (Number.isFinite(sum) && Math.abs(sum - 1) > ROW_SUM_TOLERANCE)
      problems.push(`${at}: row sums to ${sum}, not 1`);
  }
  const absent = expected.filter((id) => !seen.has(id));
  if (absent.length) {
    problems.push(`${absent.length} expected row_id(s) missing, e.g. ${absent.slice(0, 5).join(", ")}`);
  }
  return problems;
}

/** Validate a submission file against the expected row ids; [] means valid. */
export function validateSubmissionFile(file: string, expected: readonly string[]): string[] {
  const { header, rows } = readSubmissionFile(file);
  return submissionProblems(header, rows, expected);
}

/** Parse a submission file into probabilities (after validation, or for scoring). */
export function readPredictions(file: string): Map<string, Probs3> {
  const out = new Map<string, Probs3>();
  for (const row of readSubmissionFile(file).rows) {
    out.set(row.rowId, [Number(row.cells[0]), Number(row.cells[1]), Number(row.cells[2])]);
  }
  return out;
}
