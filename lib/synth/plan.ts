import type { SeriesDescription } from "../data/schema";
import { add, cross, dot, scale, sub, type Vec3 } from "./vec";

/** Geometry of one image: DICOM conventions (row = direction of increasing column index). */
export interface SlicePlan {
  /** ImagePositionPatient: centre of the first pixel (row 0, column 0). */
  readonly position: Vec3;
  /** First half of ImageOrientationPatient: direction along a row (increasing column index). */
  readonly rowDir: Vec3;
  /** Second half: direction down a column (increasing row index). */
  readonly colDir: Vec3;
  readonly rows: number;
  readonly cols: number;
  /** PixelSpacing as DICOM orders it: [between rows, between columns] in mm. */
  readonly spacing: readonly [number, number];
  readonly thickness: number;
}

export interface SeriesPlan {
  readonly seriesId: number;
  readonly description: SeriesDescription;
  readonly sequence: "T1" | "T2" | "STIR";
  /** Slices in instance order: slices[k] is InstanceNumber k + 1. */
  readonly slices: SlicePlan[];
  readonly spacingBetweenSlices: number;
  /** Stored as signed 16-bit with a rescale (a quirk of some real series). */
  readonly signedRescaled: { slope: number; intercept: number } | null;
  readonly bitsStored: 12 | 16;
  /** Per-series scanner gain on the relative signal. */
  readonly gain: number;
  /** Stored inverted with PhotometricInterpretation MONOCHROME1 (unsigned only); absent: MONOCHROME2. */
  readonly monochrome1?: boolean;
  /** Written as implicit VR little endian; absent: explicit VR little endian. */
  readonly implicitVr?: boolean;
}

export function sliceNormal(p: SlicePlan): Vec3 {
  return cross(p.rowDir, p.colDir);
}

/** Patient point -> (x = column, y = row) in pixels, and signed distance from the slice plane in mm. */
export function projectToPixel(p: SlicePlan, point: Vec3): { x: number; y: number; distance: number } {
  const d = sub(point, p.position);
  return {
    x: dot(d, p.rowDir) / p.spacing[1],
    y: dot(d, p.colDir) / p.spacing[0],
    distance: dot(d, sliceNormal(p)),
  };
}

/** (x = column, y = row) in pixels -> patient point. */
export function pixelToPatient(p: SlicePlan, x: number, y: number): Vec3 {
  return add(p.position, add(scale(p.rowDir, x * p.spacing[1]), scale(p.colDir, y * p.spacing[0])));
}

/** A centred slice: the first pixel's position from the slice centre. */
export function centredSlice(
  centre: Vec3,
  rowDir: Vec3,
  colDir: Vec3,
  rows: number,
  cols: number,
  spacing: readonly [number, number],
  thickness: number,
): SlicePlan {
  const position = sub(
    sub(centre, scale(rowDir, ((cols - 1) / 2) * spacing[1])),
    scale(colDir, ((rows - 1) / 2) * spacing[0]),
  );
  return { position, rowDir, colDir, rows, cols, spacing, thickness };
}
