/**
 * The competition's domain constants, defined once. Everything else imports these;
 * no other file re-types a condition, level or severity string.
 */

export const CONDITIONS = [
  "spinal_canal_stenosis",
  "left_neural_foraminal_narrowing",
  "right_neural_foraminal_narrowing",
  "left_subarticular_stenosis",
  "right_subarticular_stenosis",
] as const;
export type Condition = (typeof CONDITIONS)[number];

export const LEVELS = ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"] as const;
export type Level = (typeof LEVELS)[number];

/** Submission column names, in submission order. */
export const SEVERITIES = ["normal_mild", "moderate", "severe"] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Index into SEVERITIES: 0 normal_mild, 1 moderate, 2 severe. */
export type SeverityIndex = 0 | 1 | 2;

/** How train.csv spells each severity. */
export const SEVERITY_LABELS = ["Normal/Mild", "Moderate", "Severe"] as const;
export type SeverityLabel = (typeof SEVERITY_LABELS)[number];

/** Sample weights of the competition metric, per true class. */
export const SEVERITY_WEIGHTS: readonly [number, number, number] = [1, 2, 4];

export const SERIES_DESCRIPTIONS = ["Sagittal T1", "Sagittal T2/STIR", "Axial T2"] as const;
export type SeriesDescription = (typeof SERIES_DESCRIPTIONS)[number];

/** Condition families: each is scored as one group of the metric and has one model. */
export const FAMILIES = ["spinal", "foraminal", "subarticular"] as const;
export type Family = (typeof FAMILIES)[number];

export type Side = "left" | "right";

export interface ConditionInfo {
  readonly condition: Condition;
  /** train_label_coordinates.csv spelling, e.g. "Left Neural Foraminal Narrowing". */
  readonly title: string;
  readonly family: Family;
  readonly side: Side | null;
  /** The series type the condition is annotated on. */
  readonly series: SeriesDescription;
}

export const CONDITION_INFO: Readonly<Record<Condition, ConditionInfo>> = {
  spinal_canal_stenosis: {
    condition: "spinal_canal_stenosis",
    title: "Spinal Canal Stenosis",
    family: "spinal",
    side: null,
    series: "Sagittal T2/STIR",
  },
  left_neural_foraminal_narrowing: {
    condition: "left_neural_foraminal_narrowing",
    title: "Left Neural Foraminal Narrowing",
    family: "foraminal",
    side: "left",
    series: "Sagittal T1",
  },
  right_neural_foraminal_narrowing: {
    condition: "right_neural_foraminal_narrowing",
    title: "Right Neural Foraminal Narrowing",
    family: "foraminal",
    side: "right",
    series: "Sagittal T1",
  },
  left_subarticular_stenosis: {
    condition: "left_subarticular_stenosis",
    title: "Left Subarticular Stenosis",
    family: "subarticular",
    side: "left",
    series: "Axial T2",
  },
  right_subarticular_stenosis: {
    condition: "right_subarticular_stenosis",
    title: "Right Subarticular Stenosis",
    family: "subarticular",
    side: "right",
    series: "Axial T2",
  },
};

/** train_label_coordinates.csv level spelling, e.g. "L1/L2". */
export const LEVEL_TITLES: Readonly<Record<Level, string>> = {
  l1_l2: "L1/L2",
  l2_l3: "L2/L3",
  l3_l4: "L3/L4",
  l4_l5: "L4/L5",
  l5_s1: "L5/S1",
};

export interface Target {
  readonly condition: Condition;
  readonly level: Level;
  /** `{condition}_{level}`, the train.csv column name. */
  readonly column: string;
}

/** The 25 label columns of train.csv, in train.csv's column order (condition-major). */
export const TARGETS: readonly Target[] = CONDITIONS.flatMap((condition) =>
  LEVELS.map((level) => ({ condition, level, column: `${condition}_${level}` })),
);
export const LABEL_COLUMNS: readonly string[] = TARGETS.map((t) => t.column);

export function rowId(studyId: number | string, target: Pick<Target, "condition" | "level">): string {
  return `${studyId}_${target.condition}_${target.level}`;
}

const TARGET_BY_COLUMN = new Map(TARGETS.map((t) => [t.column, t]));
/** Parse `{study_id}_{condition}_{level}`; undefined when it is not one. */
export function parseRowId(id: string): { studyId: number; target: Target } | undefined {
  const studyId = studyIdOfRow(id);
  const target = TARGET_BY_COLUMN.get(id.slice(id.indexOf("_") + 1));
  if (Number.isNaN(studyId) || !target) return undefined;
  return { studyId, target };
}

/** The study a row id belongs to (its digits before the first "_"); NaN when it has none. */
export function studyIdOfRow(id: string): number {
  const cut = id.indexOf("_");
  const studyText = id.slice(0, cut);
  return cut > 0 && /^\d+$/.test(studyText) ? Number(studyText) : NaN;
}

export function targetByColumn(column: string): Target | undefined {
  return TARGET_BY_COLUMN.get(column);
}

const CONDITION_BY_TITLE = new Map(CONDITIONS.map((c) => [CONDITION_INFO[c].title, c]));
export function conditionFromTitle(title: string): Condition | undefined {
  return CONDITION_BY_TITLE.get(title);
}
const LEVEL_BY_TITLE = new Map(LEVELS.map((l) => [LEVEL_TITLES[l], l]));
export function levelFromTitle(title: string): Level | undefined {
  return LEVEL_BY_TITLE.get(title);
}
export function severityFromLabel(label: string): SeverityIndex | undefined {
  const i = (SEVERITY_LABELS as readonly string[]).indexOf(label);
  return i < 0 ? undefined : (i as SeverityIndex);
}
export function isSeriesDescription(s: string): s is SeriesDescription {
  return (SERIES_DESCRIPTIONS as readonly string[]).includes(s);
}

/** The conditions of one family, in CONDITIONS order. */
export function conditionsOf(family: Family): Condition[] {
  return CONDITIONS.filter((c) => CONDITION_INFO[c].family === family);
}

/** Row ids of one study, sorted as sample_submission.csv sorts them (lexicographic). */
export function studyRowIds(studyId: number): string[] {
  return TARGETS.map((t) => rowId(studyId, t)).sort();
}
