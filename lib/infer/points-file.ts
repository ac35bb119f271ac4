import { CONDITION_INFO, LEVEL_TITLES, LEVELS } from "../data/schema";
import type { LabelCoordinate } from "../data/coordinates";
import { RUN_POINT_COLUMNS } from "../data/run-points";
import type { InputKind } from "../gates";
import type { Vec3 } from "../geometry";
import type { PlacedBy, PlacedPoint } from "../study";
import { writeCsvAtomic } from "../util/csv";

/** OUT/points.csv: where a run placed every point, in train_label_coordinates.csv's first seven columns. */
export const POINTS_FILE = "points.csv";

/** The columns lib/data/run-points.ts reads, then what the row's crop was made from. */
export const POINTS_HEADER = [...RUN_POINT_COLUMNS, "input"] as const;

/** One placed point as points.csv holds it (x, y: column and row in that instance's pixels). */
export interface PointRow {
  readonly studyId: number;
  readonly seriesId: number;
  readonly instanceNumber: number | null;
  readonly condition: PlacedPoint["condition"];
  readonly levelIndex: number;
  readonly x: number;
  readonly y: number;
  readonly placedBy: PlacedBy;
  readonly confidence: number | null;
  /** "test": a test study; "oof": a train study placed by models of the folds it was not trained in. */
  readonly split: "test" | "oof";
  readonly fold: number | null;
  /** The labelled point (out of fold, where labelled) and the 3D distance to it, mm. */
  readonly label: Pick<LabelCoordinate, "seriesId" | "instanceNumber" | "x" | "y"> | null;
  readonly distanceMm: number | null;
  /** What the point's row was made from (lib/gates InputKind). */
  readonly input: InputKind;
}

/** A placed point as a row; out of fold with its labelled coordinate and that point in LPS. */
export function pointRow(
  studyId: number,
  p: PlacedPoint,
  input: InputKind,
  where: { split: "test" } | { split: "oof"; fold: number; label?: LabelCoordinate; labelLps?: Vec3 },
): PointRow {
  const label = where.split === "oof" ? where.label : undefined;
  const truth = where.split === "oof" ? where.labelLps : undefined;
  return {
    studyId,
    seriesId: p.stack.seriesId,
    instanceNumber: p.stack.dicom.slices[p.slice]?.instanceNumber ?? null,
    condition: p.condition,
    levelIndex: p.levelIndex,
    x: p.x,
    y: p.y,
    placedBy: p.placedBy,
    confidence: p.confidence,
    split: where.split,
    fold: where.split === "oof" ? where.fold : null,
    label: label
      ? { seriesId: label.seriesId, instanceNumber: label.instanceNumber, x: label.x, y: label.y }
      : null,
    distanceMm: truth ? Math.hypot(p.lps[0] - truth[0], p.lps[1] - truth[1], p.lps[2] - truth[2]) : null,
    input,
  };
}

const num = (v: number | null, digits: number) => (v === null ? "" : String(Number(v.toFixed(digits))));

/** Write rows sorted by study, condition and level (the coordinates file's order within a study). */
export function writePointsCsv(file: string, rows: readonly PointRow[]): void {
  const title = (r: PointRow) => CONDITION_INFO[r.condition].title;
  const sorted = [...rows].sort(
    (a, b) =>
      a.studyId - b.studyId ||
      (title(a) < title(b) ? -1 : title(a) > title(b) ? 1 : 0) ||
      a.levelIndex - b.levelIndex,
  );
  writeCsvAtomic(
    file,
    POINTS_HEADER,
    sorted.map((r) => [
      r.studyId,
      r.seriesId,
      r.instanceNumber ?? "",
      title(r),
      LEVEL_TITLES[LEVELS[r.levelIndex]],
      num(r.x, 4),
      num(r.y, 4),
      r.placedBy,
      num(r.confidence, 4),
      r.split,
      r.fold ?? "",
      r.label?.seriesId ?? "",
      r.label?.instanceNumber ?? "",
      num(r.label?.x ?? null, 4),
      num(r.label?.y ?? null, 4),
      num(r.distanceMm, 3),
      r.input,
    ]),
  );
}
