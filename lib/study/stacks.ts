import type { CropSource } from "../crop/crop";
import {
  loadSeries,
  type LazySlices,
  type Series,
  type Stack as DicomStack,
  type UnusableFile,
} from "../dicom";
import { projectToStacks, type ImagePlane, type Vec3 } from "../geometry";

/**
 * A stack's pixels as the pipeline reads them (lib/dicom's LazySlices): slice i decoded on first use;
 * a slice that cannot be decoded reads as zeros and is listed in `failures` / `unusable`.
 */
export type StackPixels = Pick<
  LazySlices,
  | "slices"
  | "rows"
  | "columns"
  | "rowSpacing"
  | "colSpacing"
  | "slice"
  | "hasFailed"
  | "failures"
  | "unusable"
  | "decoded"
>;

/**
 * One geometric stack of a series: lib/dicom's Stack (headers only, slices sorted along the normal,
 * never by instance number or file name) with pixels decoded lazily, a slice at a time, when a
 * crop or the localizer first reads it.
 */
export interface SeriesStack {
  readonly seriesId: number;
  /** lib/dicom's stack (headers, instance map) this one reads its pixels from. */
  readonly dicom: DicomStack;
  /** Slice planes in stack order (the stack grid: odd-sized images are resampled onto it). */
  readonly planes: readonly ImagePlane[];
  readonly rows: number;
  readonly columns: number;
  /** MONOCHROME1 inverted; a file that cannot be decoded reads as zeros, its reason in `failures`. */
  readonly pixels: StackPixels;
}

export interface LoadedSeries {
  readonly seriesId: number;
  readonly series: Series;
  /** Largest stack first: for sagittal series the main block, for axial the order does not matter. */
  readonly stacks: readonly SeriesStack[];
}

/**
 * Scan a series' files (headers only) into stacks via lib/dicom. Files without geometry or that
 * cannot be parsed are skipped with a warning in `series.warnings`; a file whose pixels fail to
 * decode later costs that slice only (see goodSlice). Throws a DicomError when no file is usable.
 * `onSkip` is told of each skipped file (also when none is usable).
 */
export async function loadSeriesStacks(
  seriesId: number,
  dir: string,
  files: readonly string[],
  onSkip?: (skipped: UnusableFile) => void,
): Promise<LoadedSeries> {
  const series = loadSeries(dir, { files, requireGeometry: true, onSkip });
  const stacks: SeriesStack[] = [];
  for (const stack of series.stacks) {
    stacks.push({
      seriesId,
      dicom: stack,
      planes: stack.planes,
      rows: stack.rows,
      columns: stack.columns,
      pixels: await stack.openSlices({ invertMonochrome1: true, onError: "zero", storage: "slices" }),
    });
  }
  stacks.sort((a, b) => b.planes.length - a.planes.length);
  return { seriesId, series, stacks };
}

/** The stack and slice holding an instance number (its first frame), if any. */
export function findInstance(
  series: LoadedSeries,
  instanceNumber: number,
): { stack: SeriesStack; slice: number } | undefined {
  const ref = series.series.instances.get(instanceNumber);
  if (!ref) return undefined;
  const stack = series.stacks.find((s) => s.dicom === series.series.stacks[ref.stack]);
  return stack ? { stack, slice: ref.slice } : undefined;
}

/** Nearest slice over several stacks (e.g. all axial series of a study) to an LPS point. */
export function projectPoint(
  stacks: readonly SeriesStack[],
  point: Vec3,
):
  | { stack: SeriesStack; slice: number; x: number; y: number; distanceMm: number; inside: boolean }
  | undefined {
  const p = projectToStacks(stacks, point);
  return p ? { ...p, stack: stacks[p.stack] } : undefined;
}

/**
 * Slice i if its file decodes, else the nearest slice that does (i+1, i-1, i+2, ...): a corrupt
 * file then shows its neighbour's pixels rather than a black slice. Throws when none decodes.
 */
export function goodSlice(pixels: StackPixels, i: number): number {
  for (let d = 0; d < pixels.slices; d++) {
    for (const j of d === 0 ? [i] : [i + d, i - d]) {
      if (j < 0 || j >= pixels.slices) continue;
      pixels.slice(j);
      if (!pixels.hasFailed(j)) return j;
    }
  }
  throw new Error(
    `no slice of the stack decodes (${pixels.failures.size} failed, e.g. ${[...pixels.failures.values()][0] ?? "?"})`,
  );
}

/** The stack's pixels as a crop source that reads a failed slice's nearest good neighbour instead. */
export function goodSource(pixels: StackPixels): CropSource {
  return {
    slices: pixels.slices,
    rows: pixels.rows,
    columns: pixels.columns,
    rowSpacing: pixels.rowSpacing,
    colSpacing: pixels.colSpacing,
    slice: (i) => pixels.slice(goodSlice(pixels, i)),
  };
}

/**
 * The stack as if the files of `unreadable` slices could not be decoded: they read as their nearest
 * good neighbour, as a truncated file does. How the kernel makes, on train studies, the degradations
 * it must judge out of fold; the masked slices are not listed among the study's failures.
 */
export function withUnreadableSlices(stack: SeriesStack, unreadable: ReadonlySet<number>): SeriesStack {
  const px = stack.pixels;
  const pixels: StackPixels = {
    slices: px.slices,
    rows: px.rows,
    columns: px.columns,
    rowSpacing: px.rowSpacing,
    colSpacing: px.colSpacing,
    slice: (i) => px.slice(i),
    hasFailed: (i) => unreadable.has(i) || px.hasFailed(i),
    failures: px.failures,
    unusable: px.unusable,
    get decoded() {
      return px.decoded;
    },
  };
  return { ...stack, pixels };
}
