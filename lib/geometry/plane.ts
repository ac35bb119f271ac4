import { add, dot, orientationAxes, scale, sub, type Orientation, type Vec3 } from "./vec";

/** Where one image lies in the patient: enough to map pixels to LPS mm and back. */
export interface ImagePlane {
  /** ImagePositionPatient: LPS mm of the centre of pixel (x=0, y=0). */
  position: Vec3;
  /** Unit direction of increasing column index x (first IOP triplet). */
  rowDir: Vec3;
  /** Unit direction of increasing row index y (second IOP triplet). */
  colDir: Vec3;
  /** rowDir x colDir. */
  normal: Vec3;
  /** PixelSpacing[0]: mm between rows (a step in y). */
  rowSpacing: number;
  /** PixelSpacing[1]: mm between columns (a step in x). */
  colSpacing: number;
  rows: number;
  columns: number;
}

/**
 * Build a plane from DICOM attributes. `pixelSpacing` is DICOM order: [row spacing, column spacing].
 */
export function makePlane(
  position: Vec3,
  orientation: Orientation,
  pixelSpacing: readonly [number, number],
  rows: number,
  columns: number,
): ImagePlane {
  const { rowDir, colDir, normal } = orientationAxes(orientation);
  return {
    position,
    rowDir,
    colDir,
    normal,
    rowSpacing: pixelSpacing[0],
    colSpacing: pixelSpacing[1],
    rows,
    columns,
  };
}

/** Pixel (col x, row y; may be fractional) -> LPS mm: IPP + x*colSpacing*rowDir + y*rowSpacing*colDir. */
export function pixelToLps(p: ImagePlane, x: number, y: number): Vec3 {
  return add(p.position, add(scale(p.rowDir, x * p.colSpacing), scale(p.colDir, y * p.rowSpacing)));
}

export interface PlanePoint {
  /** Column index (fractional). */
  x: number;
  /** Row index (fractional). */
  y: number;
  /** Signed distance (mm) of the point from the plane along its normal. */
  distanceMm: number;
}

/** LPS mm -> pixel (x, y) of the point's orthogonal projection on the plane, and its distance. */
export function lpsToPixel(p: ImagePlane, point: Vec3): PlanePoint {
  const d = sub(point, p.position);
  return {
    x: dot(d, p.rowDir) / p.colSpacing,
    y: dot(d, p.colDir) / p.rowSpacing,
    distanceMm: dot(d, p.normal),
  };
}

/** True when (x, y) lies on the image (pixel centres span 0..columns-1, 0..rows-1; half a pixel of margin). */
export function insideImage(p: Pick<ImagePlane, "rows" | "columns">, x: number, y: number): boolean {
  return x >= -0.5 && y >= -0.5 && x <= p.columns - 0.5 && y <= p.rows - 0.5;
}
