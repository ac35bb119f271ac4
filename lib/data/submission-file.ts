import { SEVERITIES, studyIdOfRow } from "./schema";
import { readCsv } from "../util/csv";

/** One raw row of a submission-format file; cells are kept as text so a validator can report them. */
export interface SubmissionFileRow {
  readonly line: number;
  readonly rowId: string;
  readonly cells: readonly [string, string, string];
}

export const SUBMISSION_HEADER = ["row_id", ...SEVERITIES] as const;

/** Read sample_submission.csv or a submission.csv without judging it (see lib/submit for that). */
export function readSubmissionFile(file: string): { header: readonly string[]; rows: SubmissionFileRow[] } {
  const table = readCsv(file, SUBMISSION_HEADER);
  const rows = table.rows.map(({ line, values }) => ({
    line,
    rowId: values.row_id,
    cells: [values.normal_mild, values.moderate, values.severe] as const,
  }));
  return { header: table.header, rows };
}

export interface SampleSubmission {
  /** In file order. */
  readonly rowIds: readonly string[];
  /** Distinct study ids, in order of first appearance. */
  readonly studyIds: readonly number[];
}

/** Load sample_submission.csv: which rows a submission must contain. */
export function loadSampleSubmission(file: string): SampleSubmission {
  const rowIds = readSubmissionFile(file).rows.map((r) => r.rowId);
  const studyIds = [...new Set(rowIds.map(studyIdOfRow))];
  return { rowIds, studyIds };
}
