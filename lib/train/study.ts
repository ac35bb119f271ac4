import {
  CONDITION_INFO,
  CONDITIONS,
  LEVELS,
  type Condition,
  type Family,
  type SeriesDescription,
} from "../data/schema";
import type { StudyEntry } from "../data/dataset";
import type { LabelCoordinate } from "../data/coordinates";
import { add, lpsToPixel, pixelToLps, type ImagePlane, type Vec3 } from "../geometry";
import {
  sampleFrame,
  squareFrame,
  toFrame,
  fromFrame,
  robustNormalize,
  type SquareFrame,
  type StoredCrop,
} from "./augment";
import type { ClassifierConfig } from "./config";
import {
  cropStack,
  findInstance,
  goodSlice,
  loadSeriesStacks,
  projectPoint,
  type LoadedSeries,
  type Stack,
} from "./volume";

/**
 * A study's series by type, as headers and stacks; pixels are decoded lazily, only the slices the
 * localizer and the crops read. An absent type is an empty list (a fallback reason, not an error).
 */
export interface StudyImages {
  readonly studyId: number;
  readonly byType: Readonly<Record<SeriesDescription, readonly LoadedSeries[]>>;
  /** Index problems, load-time warnings (files skipped, sizes resampled) and, live, decodeProblems. */
  readonly problems: readonly string[];
}

export async function loadStudy(entry: StudyEntry): Promise<StudyImages> {
  const problems = [...entry.problems];
  const byType: Record<SeriesDescription, LoadedSeries[]> = {
    "Sagittal T1": [],
    "Sagittal T2/STIR": [],
    "Axial T2": [],
  };
  for (const s of entry.series) {
    problems.push(...s.problems);
    if (!s.description || s.files.length === 0) continue;
    let loaded: LoadedSeries;
    try {
      loaded = await loadSeriesStacks(
        s.seriesId,
        s.dir,
        s.files.map((f) => f.path),
      );
    } catch (e) {
      // No usable file at all: the series is absent, as before, with the reason.
      problems.push(`series ${s.seriesId}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    problems.push(...loaded.series.warnings.map((w) => `series ${s.seriesId}: ${w}`));
    if (loaded.stacks.length) byType[s.description].push(loaded);
  }
  const study: StudyImages = {
    studyId: entry.studyId,
    byType,
    // Decoding is lazy: slices that fail are known only once read, so the list is computed on access.
    get problems() {
      return [...problems, ...decodeProblems(study)];
    },
  };
  return study;
}

/** Slices that failed to decode so far (they read as their nearest good neighbour), one line each. */
export function decodeProblems(study: StudyImages): string[] {
  return Object.values(study.byType)
    .flat()
    .flatMap((series) =>
      series.stacks.flatMap((st) =>
        [...st.pixels.failures].map(([i, why]) => `series ${series.seriesId}: slice ${i} unreadable: ${why}`),
      ),
    );
}

export function stacksOf(study: StudyImages, type: SeriesDescription): Stack[] {
  return study.byType[type].flatMap((s) => s.stacks);
}

/**
 * The series that shows the mid-sagittal view the localizer reads: T2/STIR, else T1 (logged by the
 * caller). A stack none of whose files decodes does not count (the reason is in decodeProblems).
 */
export function localizerStack(study: StudyImages): { stack: Stack; type: SeriesDescription } | undefined {
  for (const type of ["Sagittal T2/STIR", "Sagittal T1"] as const) {
    const stack = stacksOf(study, type)[0];
    if (stack && decodes(stack)) return { stack, type };
  }
  return undefined;
}

function decodes(stack: Stack): boolean {
  try {
    goodSlice(stack.pixels, Math.floor((stack.planes.length - 1) / 2));
    return true;
  } catch {
    return false;
  }
}

/** The localizer's view of a study: the middle slice of a sagittal stack, letterboxed to a square. */
export interface MidSlice {
  /** The slice's plane only (not the stack), so samples kept for training do not pin a series' pixels. */
  readonly plane: ImagePlane;
  readonly slice: number;
  readonly frame: SquareFrame;
  readonly image: Float32Array;
  /** mm per frame pixel along (x, y). */
  readonly mmPerPx: readonly [number, number];
}

/** The middle slice (or, when its file does not decode, the nearest one that does). */
export function midSlice(stack: Stack, inputPx: number): MidSlice {
  const slice = goodSlice(stack.pixels, Math.floor((stack.planes.length - 1) / 2));
  const frame = squareFrame(stack.rows, stack.columns, inputPx);
  const image = new Float32Array(inputPx * inputPx);
  sampleFrame(robustNormalize(stack.pixels.slice(slice)), stack.rows, stack.columns, frame, image);
  const plane = stack.planes[slice];
  return {
    plane,
    slice,
    frame,
    image,
    mmPerPx: [frame.scale * plane.colSpacing, frame.scale * plane.rowSpacing],
  };
}

/** LPS point -> (x, y) in the mid slice's square frame (continuous coordinates, pixel centres at +0.5). */
export function lpsToFrame(m: MidSlice, p: Vec3): [number, number] {
  const foot = lpsToPixel(m.plane, p);
  return toFrame(m.frame, foot.x + 0.5, foot.y + 0.5);
}

export function frameToLps(m: MidSlice, u: number, v: number): Vec3 {
  const [x, y] = fromFrame(m.frame, u, v);
  return pixelToLps(m.plane, x - 0.5, y - 0.5);
}

/** Where a labelled (or localized) point lies: series stack, slice, pixel and LPS. */
export interface PointLocation {
  readonly condition: Condition;
  readonly levelIndex: number;
  readonly stack: Stack;
  readonly slice: number;
  readonly x: number;
  readonly y: number;
  readonly lps: Vec3;
}

/** Ground-truth points of a train study from train_label_coordinates.csv, found by instance number. */
export function groundTruthPoints(
  study: StudyImages,
  coords: readonly LabelCoordinate[],
): { points: PointLocation[]; problems: string[] } {
  const points: PointLocation[] = [];
  const problems: string[] = [];
  for (const c of coords) {
    const series = Object.values(study.byType)
      .flat()
      .find((s) => s.seriesId === c.seriesId);
    const hit = series ? findInstance(series, c.instanceNumber) : undefined;
    if (!hit) {
      problems.push(
        `${c.condition} ${c.level}: instance ${c.instanceNumber} of series ${c.seriesId} not loaded`,
      );
      continue;
    }
    const lps = pixelToLps(hit.stack.planes[hit.slice], c.x, c.y);
    points.push({
      condition: c.condition,
      levelIndex: LEVELS.indexOf(c.level),
      stack: hit.stack,
      slice: hit.slice,
      x: c.x,
      y: c.y,
      lps,
    });
  }
  return { points, problems };
}

/**
 * Mean LPS offset (mm) of each condition's point from the spinal point of the same level, learned
 * from ground truth: how far the foramina and subarticular recesses sit from the canal. Keyed
 * `${condition}/${levelIndex}`; spinal offsets are zero.
 */
export type OffsetModel = ReadonlyMap<string, Vec3>;

export function fitOffsets(
  perStudy: readonly (readonly Pick<PointLocation, "condition" | "levelIndex" | "lps">[])[],
): OffsetModel {
  const sums = new Map<string, { s: Vec3; n: number }>();
  for (const points of perStudy) {
    for (const p of points) {
      const spinal = points.find(
        (q) => q.condition === "spinal_canal_stenosis" && q.levelIndex === p.levelIndex,
      );
      if (!spinal) continue;
      const key = `${p.condition}/${p.levelIndex}`;
      const acc = sums.get(key) ?? { s: [0, 0, 0] as Vec3, n: 0 };
      acc.s = add(acc.s, [p.lps[0] - spinal.lps[0], p.lps[1] - spinal.lps[1], p.lps[2] - spinal.lps[2]]);
      acc.n++;
      sums.set(key, acc);
    }
  }
  const out = new Map<string, Vec3>();
  for (const [k, { s, n }] of sums) out.set(k, [s[0] / n, s[1] / n, s[2] / n]);
  return out;
}

/**
 * Place every condition's point from the five localized level points (LPS): spinal on the
 * localizer's sagittal series, foramina on Sagittal T1, subarticular on the nearest Axial T2 slice,
 * each by projecting level + learned offset into that series in patient space.
 * Returns the located points and, per condition, why it could not be placed.
 */
export function placePoints(
  study: StudyImages,
  levels: readonly Vec3[],
  offsets: OffsetModel,
): { points: PointLocation[]; missing: Map<Condition, string> } {
  const points: PointLocation[] = [];
  const missing = new Map<Condition, string>();
  for (const condition of CONDITIONS) {
    const info = CONDITION_INFO[condition];
    const stacks = stacksOf(study, info.series);
    if (!stacks.length) {
      missing.set(condition, `no usable ${info.series} series`);
      continue;
    }
    levels.forEach((level, levelIndex) => {
      const lps = add(level, offsets.get(`${condition}/${levelIndex}`) ?? [0, 0, 0]);
      const hit = projectPoint(stacks, lps);
      if (!hit || !hit.inside) {
        if (!missing.has(condition))
          missing.set(condition, `${info.series}: level point falls outside every image`);
        return;
      }
      points.push({ condition, levelIndex, stack: hit.stack, slice: hit.slice, x: hit.x, y: hit.y, lps });
    });
  }
  return { points, missing };
}

/** The stored (augmentable) crop of a point: margin 1.5x in mm and pixels, extra slices for slice shift. */
export const CROP_MARGIN = 1.5;

export function storedCropFor(
  p: Pick<PointLocation, "condition" | "stack" | "slice" | "x" | "y">,
  cfg: ClassifierConfig,
): StoredCrop {
  const family: Family = CONDITION_INFO[p.condition].family;
  const spec = cfg.crops[family];
  const size = Math.ceil(cfg.cropPx * CROP_MARGIN);
  const depth = 2 * (spec.slicesEachSide + cfg.augment.sliceShift) + 1;
  return cropStack(p.stack, p.slice, p.x, p.y, spec.sizeMm * (size / cfg.cropPx), size, depth);
}
