import { pixelToLps, makePlane } from "../geometry/plane";
import { projectToStacks } from "../geometry/project";
import type { Vec3 } from "../geometry/vec";
import { DicomError } from "./errors";
import { readDicomHeader } from "./image";
import { loadSeries, type Series } from "./series";

export interface CrossProjection {
  /** The source pixel in LPS mm. */
  lps: Vec3;
  /** Nearest file of the target series (absolute path) and its place. */
  file: string;
  instanceNumber: number | null;
  stack: number;
  slice: number;
  /** Column/row on that file, fractional pixels. */
  col: number;
  row: number;
  /** Signed distance (mm) from that slice's plane. */
  distanceMm: number;
  inside: boolean;
  /** False when the two frames of reference differ (the projection is then meaningless). */
  sameFrameOfReference: boolean;
}

/** Pixel (col, row) of `fromFile` -> the nearest slice of the series in `toDir` (or a loaded Series). */
export function projectPixelToSeries(
  fromFile: string,
  col: number,
  row: number,
  to: string | Series,
): CrossProjection {
  const h = readDicomHeader(fromFile);
  if (!h.imagePositionPatient || !h.imageOrientationPatient || !h.pixelSpacing) {
    throw new DicomError(
      "BAD_HEADER",
      fromFile,
      "no ImagePositionPatient/ImageOrientationPatient/PixelSpacing to place the pixel",
    );
  }
  const plane = makePlane(
    h.imagePositionPatient,
    h.imageOrientationPatient,
    h.pixelSpacing,
    h.rows,
    h.columns,
  );
  const series = typeof to === "string" ? loadSeries(to) : to;
  return projectLps(pixelToLps(plane, col, row), series, h.frameOfReferenceUid);
}

/**
 * A labelled point (InstanceNumber, col x, row y) of one loaded series -> the nearest slice of
 * another (e.g. a Sagittal T2 level -> its Axial T2 slice for subarticular crops). Undefined when
 * the instance is not in `from`.
 */
export function projectInstancePoint(
  from: Series,
  instanceNumber: number,
  x: number,
  y: number,
  to: Series,
): CrossProjection | undefined {
  const ref = from.instances.get(instanceNumber);
  if (!ref) return undefined;
  const lps = pixelToLps(from.stacks[ref.stack].slices[ref.slice].plane, x, y);
  return projectLps(lps, to, from.frameOfReferenceUid);
}

/** An LPS point -> the nearest slice of `to`, with where it lands there. */
function projectLps(lps: Vec3, to: Series, fromFrameOfReference: string): CrossProjection {
  const best = projectToStacks(to.stacks, lps)!;
  const slice = to.stacks[best.stack].slices[best.slice];
  return {
    lps,
    file: slice.file,
    instanceNumber: slice.instanceNumber,
    stack: best.stack,
    slice: best.slice,
    col: best.x,
    row: best.y,
    distanceMm: best.distanceMm,
    inside: best.inside,
    sameFrameOfReference: fromFrameOfReference === to.frameOfReferenceUid,
  };
}
