import { Condition, Level, conditionFromTitle, levelFromTitle } from "./schema";
import { readCsv } from "../util/csv";
import { DataFormatError } from "../util/errors";
import { parseStudyId } from "./train-labels";

/** One row of train_label_coordinates.csv: a labelled point in one image's native pixels. */
export interface LabelCoordinate {
  readonly studyId: number;
  readonly seriesId: number;
  readonly instanceNumber: number;
  readonly condition: Condition;
  readonly level: Level;
  /** Column in pixels (x right). */
  readonly x: number;
  /** Row in pixels (y down). */
  readonly y: number;
}

/** train_label_coordinates.csv's columns, also the first seven of a run's points.csv. */
export const COORDINATE_COLUMNS = [
  "study_id",
  "series_id",
  "instance_number",
  "condition",
  "level",
  "x",
  "y",
];

export function loadCoordinates(file: string): LabelCoordinate[] {
  const table = readCsv(file, COORDINATE_COLUMNS);
  return table.rows.map(({ line, values }) => parseCoordinate(values, file, line));
}

/** One row's point in train_label_coordinates.csv's columns; a bad value is a DataFormatError. */
export function parseCoordinate(
  v: Readonly<Record<string, string>>,
  file: string,
  line: number,
): LabelCoordinate {
  const condition = conditionFromTitle(v.condition);
  if (!condition) throw new DataFormatError(file, line, `unknown condition "${v.condition}"`);
  const level = levelFromTitle(v.level);
  if (!level) throw new DataFormatError(file, line, `unknown level "${v.level}"`);
  const x = Number(v.x);
  const y = Number(v.y);
  if (v.x === "" || v.y === "" || !Number.isFinite(x) || !Number.isFinite(y)) {
    throw new DataFormatError(file, line, `x, y must be finite numbers, got "${v.x}", "${v.y}"`);
  }
  return {
    studyId: parseStudyId(v.study_id, file, line),
    seriesId: parseStudyId(v.series_id, file, line, "series_id"),
    instanceNumber: parseStudyId(v.instance_number, file, line, "instance_number"),
    condition,
    level,
    x,
    y,
  };
}
