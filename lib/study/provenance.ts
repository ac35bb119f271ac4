import type { SeriesDescription } from "../data/schema";
import type { CropInputKind, InputKind } from "../gates";
import { dot, sub, type Vec3 } from "../geometry";
import { sliceDistanceMm } from "./side-points";
import { goodSlice, type SeriesStack } from "./stacks";

/** The levels' own input kind: from the middle sagittal T2/STIR slice, a substituted one, or Sagittal T1. */
export type LevelsInputKind = Extract<InputKind, "own" | "substituted-levels" | "levels-from-sagittal-t1">;

/**
 * What the localizer reads (lib/study midSlice): the middle slice of a Sagittal T2/STIR stack ("own"),
 * a neighbour because the middle slice's file does not decode, or a Sagittal T1 series.
 */
export function levelsInputKind(view: { type: SeriesDescription; stack: SeriesStack }): LevelsInputKind {
  if (view.type !== "Sagittal T2/STIR") return "levels-from-sagittal-t1";
  const middle = Math.floor((view.stack.planes.length - 1) / 2);
  return goodSlice(view.stack.pixels, middle) === middle ? "own" : "substituted-levels";
}

/** Distance (mm) of a point from the plane of a slice. */
export function offSliceMm(stack: SeriesStack, slice: number, lps: Vec3): number {
  const plane = stack.planes[slice];
  return Math.abs(dot(sub(lps, plane.position), plane.normal));
}

/** The gap (mm) between a slice and its nearer neighbour; null for a one-slice stack. */
function localSpacingMm(stack: SeriesStack, slice: number): number | null {
  const gaps = [slice - 1, slice + 1]
    .filter((j) => j >= 0 && j < stack.planes.length)
    .map((j) => Math.abs(sliceDistanceMm(stack, slice, j)));
  return gaps.length ? Math.min(...gaps) : null;
}

/**
 * Farther than this fraction of the slice gap from its slice, a point lies between slices (a file
 * of the stack is missing): its crop shows anatomy beside it.
 */
const OFF_SLICE_FRACTION = 0.75;

/**
 * A crop row's input kind: "substituted-slice" when the slice its point lies on could not be decoded
 * (the crop reads a neighbour) or the point lies off every slice, else what the levels were made from.
 */
export function cropInputKind(
  p: { stack: SeriesStack; slice: number; lps: Vec3 },
  levels: LevelsInputKind,
): CropInputKind {
  if (goodSlice(p.stack.pixels, p.slice) !== p.slice) return "substituted-slice";
  const gap = localSpacingMm(p.stack, p.slice);
  if (gap !== null && offSliceMm(p.stack, p.slice, p.lps) > OFF_SLICE_FRACTION * gap)
    return "substituted-slice";
  return levels;
}
