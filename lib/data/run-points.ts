import { COORDINATE_COLUMNS, parseCoordinate, type LabelCoordinate } from "./coordinates";
import { readCsv } from "../util/csv";
import { DataFormatError } from "../util/errors";

/**
 * What placed a point: the localizer (a spinal point at its level point), the projection of level +
 * mean offset into the condition's series, stage 1b's point net (refinement), or a fallback (the
 * condition's own series is missing: the point is shown on a substitute series; its rows come from
 * the cross-family model or the prior). Written in points.csv `placed_by`.
 */
export const PLACED_BY = ["localizer", "projection", "refinement", "fallback"] as const;
export type PlacedBy = (typeof PLACED_BY)[number];

/** The labelled point an out-of-fold point is measured against. */
export interface PointLabel {
  readonly seriesId: number;
  readonly instanceNumber: number;
  readonly x: number;
  readonly y: number;
}

/**
 * One row of a run's points.csv: where the run placed a condition's point (train_label_coordinates.csv's
 * columns), what placed it and how sure it was; out of fold, beside the labelled point and the 3D
 * distance between them.
 */
export interface RunPoint extends LabelCoordinate {
  readonly placedBy: PlacedBy;
  /** In [0, 1]; null when the placing stage gives none. */
  readonly confidence: number | null;
  readonly split: "test" | "oof";
  readonly fold: number | null;
  readonly label: PointLabel | null;
  readonly distanceMm: number | null;
}

export const RUN_POINT_COLUMNS = [
  ...COORDINATE_COLUMNS,
  "placed_by",
  "confidence",
  "split",
  "fold",
  "label_series_id",
  "label_instance_number",
  "label_x",
  "label_y",
  "distance_mm",
];

/** Read a run's points.csv; a bad value is a DataFormatError naming file and line. */
export function loadRunPoints(file: string): RunPoint[] {
  return readCsv(file, RUN_POINT_COLUMNS).rows.map(({ line, values: v }) => {
    const bad = (what: string) => new DataFormatError(file, line, what);
    const optional = (name: string, ok: (x: number) => boolean): number | null => {
      if (v[name] === "") return null;
      const x = Number(v[name]);
      if (!ok(x)) throw bad(`${name} "${v[name]}" is out of range`);
      return x;
    };
    const placedBy = v.placed_by as PlacedBy;
    if (!PLACED_BY.includes(placedBy))
      throw bad(`placed_by must be one of ${PLACED_BY.join(", ")}, got "${v.placed_by}"`);
    if (v.split !== "test" && v.split !== "oof") throw bad(`split must be test or oof, got "${v.split}"`);
    const labelParts = ["label_series_id", "label_instance_number", "label_x", "label_y"].map((n) =>
      optional(n, Number.isFinite),
    );
    const labelled = labelParts.filter((x) => x !== null).length;
    if (labelled !== 0 && labelled !== 4) throw bad("label_* columns must be all empty or all set");
    const [seriesId, instanceNumber, x, y] = labelParts as number[];
    return {
      ...parseCoordinate(v, file, line),
      placedBy,
      confidence: optional("confidence", (c) => c >= 0 && c <= 1),
      split: v.split,
      fold: optional("fold", (f) => Number.isInteger(f) && f >= 0),
      label: labelled ? { seriesId, instanceNumber, x, y } : null,
      distanceMm: optional("distance_mm", (d) => Number.isFinite(d) && d >= 0),
    };
  });
}
