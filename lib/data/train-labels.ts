import { LABEL_COLUMNS, SeverityIndex, TARGETS, rowId, severityFromLabel } from "./schema";
import { readCsv } from "../util/csv";
import { DataFormatError } from "../util/errors";

/** One study's 25 labels in TARGETS order; null = missing (an empty cell), never a class. */
export interface StudyLabels {
  readonly studyId: number;
  readonly labels: readonly (SeverityIndex | null)[];
}

export interface TrainLabels {
  readonly file: string;
  /** In file order. */
  readonly studies: readonly StudyLabels[];
  readonly missingCells: number;
}

/** Load train.csv (or any file in its format, e.g. a generator's test_labels.csv). */
export function loadTrainLabels(file: string): TrainLabels {
  const table = readCsv(file, ["study_id", ...LABEL_COLUMNS]);
  const seen = new Set<number>();
  let missingCells = 0;
  const studies = table.rows.map(({ line, values }) => {
    const studyId = parseStudyId(values.study_id, file, line);
    if (seen.has(studyId)) throw new DataFormatError(file, line, `duplicate study_id ${studyId}`);
    seen.add(studyId);
    const labels = LABEL_COLUMNS.map((col) => {
      const cell = values[col];
      if (cell === "") {
        missingCells++;
        return null;
      }
      const sev = severityFromLabel(cell);
      if (sev === undefined) {
        throw new DataFormatError(file, line, `column ${col}: unknown severity "${cell}"`);
      }
      return sev;
    });
    return { studyId, labels };
  });
  return { file, studies, missingCells };
}

export function parseStudyId(text: string, file: string, line: number, column = "study_id"): number {
  if (!/^\d+$/.test(text))
    throw new DataFormatError(file, line, `${column} "${text}" is not a positive integer`);
  return Number(text);
}

/** Labels keyed by row_id (`{study}_{condition}_{level}`); missing cells are left out. */
export function labelsByRowId(labels: TrainLabels): Map<string, SeverityIndex> {
  const out = new Map<string, SeverityIndex>();
  for (const s of labels.studies) {
    s.labels.forEach((sev, i) => {
      if (sev !== null) out.set(rowId(s.studyId, TARGETS[i]), sev);
    });
  }
  return out;
}
