import { CONDITION_INFO, CONDITIONS, LEVELS, type Condition } from "../data/schema";
import type { LabelCoordinate } from "../data/coordinates";
import type { PlacedBy } from "../data/run-points";
import { add, pixelToLps, type Vec3 } from "../geometry";
import { findInstance, projectPoint, type SeriesStack } from "./stacks";
import { stacksOf, type StudyImages } from "./study";

/** A point's identity and patient position, without pixels: what statistics and errors need. */
export interface LpsPoint {
  readonly condition: Condition;
  readonly levelIndex: number;
  readonly lps: Vec3;
}

/** Where a labelled (or localized) point lies: series stack, slice, pixel and LPS. */
export interface PointLocation {
  readonly condition: Condition;
  readonly levelIndex: number;
  readonly stack: SeriesStack;
  readonly slice: number;
  readonly x: number;
  readonly y: number;
  readonly lps: Vec3;
}

export type { PlacedBy };

/** A point the pipeline placed (not a labelled one), with what placed it and how sure that was. */
export interface PlacedPoint extends PointLocation {
  readonly placedBy: PlacedBy;
  /** The localizer's probability mass at the level, or the point net's peak (0-1); null: not measured. */
  readonly confidence: number | null;
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

/** The five level points (LPS mm) and the localizer's confidence in each (null: unknown). */
export interface Levels {
  readonly lps: readonly Vec3[];
  readonly confidence: readonly (number | null)[];
}

/**
 * Place every condition's point from the five localized level points (LPS): spinal on the
 * localizer's sagittal series, foramina on Sagittal T1, subarticular on the nearest Axial T2 slice,
 * each by projecting level + learned offset into that series in patient space.
 * Returns the located points and, per condition, why it could not be placed.
 */
export function placePoints(
  study: StudyImages,
  levels: Levels,
  offsets: OffsetModel,
  conditions: readonly Condition[] = CONDITIONS,
): { points: PlacedPoint[]; missing: Map<Condition, string> } {
  const points: PlacedPoint[] = [];
  const missing = new Map<Condition, string>();
  for (const condition of conditions) {
    const info = CONDITION_INFO[condition];
    const stacks = stacksOf(study, info.series);
    if (!stacks.length) {
      missing.set(condition, `no usable ${info.series} series`);
      continue;
    }
    const spinal = info.family === "spinal";
    levels.lps.forEach((level, levelIndex) => {
      const lps = add(level, offsets.get(`${condition}/${levelIndex}`) ?? [0, 0, 0]);
      const hit = projectPoint(stacks, lps);
      if (!hit || !hit.inside) {
        if (!missing.has(condition))
          missing.set(condition, `${info.series}: level point falls outside every image`);
        return;
      }
      points.push({
        condition,
        levelIndex,
        stack: hit.stack,
        slice: hit.slice,
        x: hit.x,
        y: hit.y,
        lps,
        placedBy: spinal ? "localizer" : "projection",
        confidence: spinal ? levels.confidence[levelIndex] : null,
      });
    });
  }
  return { points, missing };
}

/**
 * Where points that could not be placed in their own series would be, shown on a substitute stack
 * (the localizer's): for points.csv and pictures only; their rows come from the cross-family model or
 * the prior. Points that fall outside that stack too are left out.
 */
export function fallbackPoints(
  stack: SeriesStack,
  levels: Levels,
  offsets: OffsetModel,
  wanted: readonly { condition: Condition; levelIndex: number }[],
): PlacedPoint[] {
  return wanted.flatMap(({ condition, levelIndex }) => {
    const lps = add(levels.lps[levelIndex], offsets.get(`${condition}/${levelIndex}`) ?? [0, 0, 0]);
    const hit = projectPoint([stack], lps);
    if (!hit || !hit.inside) return [];
    const { slice, x, y } = hit;
    return [
      { condition, levelIndex, stack, slice, x, y, lps, placedBy: "fallback" as const, confidence: null },
    ];
  });
}
/** 3D distance in mm between matching points (same condition and level). */
export function pointErrors(
  pred: readonly LpsPoint[],
  truth: readonly LpsPoint[],
): { family: string; mm: number }[] {
  const out: { family: string; mm: number }[] = [];
  for (const p of pred) {
    const t = truth.find((q) => q.condition === p.condition && q.levelIndex === p.levelIndex);
    if (!t) continue;
    out.push({
      family: CONDITION_INFO[p.condition].family,
      mm: Math.hypot(p.lps[0] - t.lps[0], p.lps[1] - t.lps[1], p.lps[2] - t.lps[2]),
    });
  }
  return out;
}
