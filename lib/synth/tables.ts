import path from "node:path";
import {
  CONDITION_INFO,
  LABEL_COLUMNS,
  LEVELS,
  LEVEL_TITLES,
  SEVERITY_LABELS,
  TARGETS,
  rowId,
  type Condition,
  type Level,
  type SeriesDescription,
  type SeverityIndex,
} from "../data/schema";
import type { Split } from "../data/dataset";
import { writeCsvAtomic } from "../util/csv";
import type { Vec3 } from "./vec";

/** One row of train_label_coordinates.csv. */
export interface CoordinateRow {
  readonly seriesId: number;
  readonly instance: number;
  readonly condition: Condition;
  readonly level: Level;
  readonly x: number;
  readonly y: number;
}

/** What the competition's CSVs and the shared ground-truth tables need of a written study. */
export interface StudyRecord {
  readonly studyId: number;
  /** Rater labels per target, TARGETS order; null = missing. */
  readonly labels: { readonly labels: readonly (SeverityIndex | null)[] };
  readonly series: readonly { readonly seriesId: number; readonly description: SeriesDescription }[];
  /** Labelled points (train.csv's studies only reach train_label_coordinates.csv). */
  readonly coordinates: readonly CoordinateRow[];
  /** True disc centres (patient LPS mm), LEVELS order. */
  readonly levelCentres: readonly Vec3[];
}

export interface SplitRecord<P extends StudyRecord = StudyRecord> {
  readonly split: Split;
  readonly plan: P;
}

const label = (v: SeverityIndex | null) => (v === null ? "" : SEVERITY_LABELS[v]);
/** Coordinates as the real file writes them: up to 7 decimals. */
const coord = (v: number) => String(Number(v.toFixed(7)));
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const plansOf = <P extends StudyRecord>(done: readonly SplitRecord<P>[], split: Split): P[] =>
  done.filter((d) => d.split === split).map((d) => d.plan);

function labelRows(plans: readonly StudyRecord[]): string[][] {
  return [...plans]
    .sort((a, b) => a.studyId - b.studyId)
    .map((p) => [String(p.studyId), ...p.labels.labels.map(label)]);
}

/** The five competition CSVs, sorted as the real files are. */
export function writeCompetitionCsvs(out: string, done: readonly SplitRecord[]): void {
  const train = plansOf(done, "train");
  const test = plansOf(done, "test");
  writeCsvAtomic(path.join(out, "train.csv"), ["study_id", ...LABEL_COLUMNS], labelRows(train));

  const coords = train.flatMap((p) =>
    p.coordinates.map((c) => ({
      study: p.studyId,
      ...c,
      title: CONDITION_INFO[c.condition].title,
      levelTitle: LEVEL_TITLES[c.level],
    })),
  );
  coords.sort(
    (a, b) =>
      a.study - b.study ||
      a.seriesId - b.seriesId ||
      a.instance - b.instance ||
      cmp(a.title, b.title) ||
      cmp(a.levelTitle, b.levelTitle),
  );
  writeCsvAtomic(
    path.join(out, "train_label_coordinates.csv"),
    ["study_id", "series_id", "instance_number", "condition", "level", "x", "y"],
    coords.map((c) => [
      String(c.study),
      String(c.seriesId),
      String(c.instance),
      c.title,
      c.levelTitle,
      coord(c.x),
      coord(c.y),
    ]),
  );

  const seriesRows = (plans: readonly StudyRecord[]) =>
    plans
      .flatMap((p) =>
        p.series.map((s) => ({ study: p.studyId, series: s.seriesId, description: s.description })),
      )
      .sort((a, b) => a.study - b.study || a.series - b.series)
      .map((r) => [String(r.study), String(r.series), r.description]);
  const seriesHeader = ["study_id", "series_id", "series_description"];
  writeCsvAtomic(path.join(out, "train_series_descriptions.csv"), seriesHeader, seriesRows(train));
  writeCsvAtomic(path.join(out, "test_series_descriptions.csv"), seriesHeader, seriesRows(test));

  const ids = test.flatMap((p) => TARGETS.map((t) => rowId(p.studyId, t))).sort(cmp);
  writeCsvAtomic(
    path.join(out, "sample_submission.csv"),
    ["row_id", "normal_mild", "moderate", "severe"],
    ids.map((id) => [id, 1 / 3, 1 / 3, 1 / 3]),
  );
}

/**
 * The ground-truth tables every writer can give (lib/infer/ground-truth.ts reads them):
 * test_labels.csv (train.csv's format, the test studies) and levels.csv (true disc centres, LPS mm).
 */
export function writeSharedGroundTruth(gt: string, done: readonly SplitRecord[]): void {
  writeCsvAtomic(
    path.join(gt, "test_labels.csv"),
    ["study_id", ...LABEL_COLUMNS],
    labelRows(plansOf(done, "test")),
  );
  const all = done.map((d) => d.plan).sort((a, b) => a.studyId - b.studyId);
  writeCsvAtomic(
    path.join(gt, "levels.csv"),
    ["study_id", "level", "x", "y", "z"],
    all.flatMap((p) =>
      LEVELS.map((l, i) => [
        String(p.studyId),
        l,
        ...p.levelCentres[i].map((v) => String(Number(v.toFixed(4)))),
      ]),
    ),
  );
}
