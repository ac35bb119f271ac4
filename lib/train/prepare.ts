import { CONDITION_INFO, LEVELS, TARGETS, type SeverityIndex } from "../data/schema";
import type { StudyEntry } from "../data/dataset";
import type { LabelCoordinate } from "../data/coordinates";
import type { StudyLabels } from "../data/train-labels";
import type { Vec3 } from "../geometry";
import type { CropSample } from "./classifier";
import type { ClassifierConfig, LocalizerConfig } from "./config";
import type { LocalizerSample } from "./localizer";
import { progressBar } from "./progress";
import {
  decodeProblems,
  groundTruthPoints,
  loadStudy,
  localizerStack,
  lpsToFrame,
  midSlice,
  placePoints,
  storedCropFor,
  type MidSlice,
  type OffsetModel,
  type PointLocation,
} from "./study";

/** A point's identity and patient position, without pixels: what statistics and errors need. */
export interface LpsPoint {
  readonly condition: (typeof TARGETS)[number]["condition"];
  readonly levelIndex: number;
  readonly lps: Vec3;
}

/** Everything pass 1 keeps of one train study (no pixel arrays of the series). */
export interface PreparedStudy {
  readonly studyId: number;
  readonly mid: Omit<MidSlice, "image">;
  readonly localizer: LocalizerSample;
  readonly gtPoints: readonly LpsPoint[];
  readonly gtCrops: readonly CropSample[];
}

export interface Failure {
  readonly studyId: number;
  readonly stage: string;
  readonly reason: string;
}

export function labelOf(
  labels: StudyLabels | undefined,
  condition: string,
  levelIndex: number,
): SeverityIndex | null {
  if (!labels) return null;
  const i = TARGETS.findIndex((t) => t.condition === condition && t.level === LEVELS[levelIndex]);
  return labels.labels[i] ?? null;
}

/**
 * Pass 1 over the train studies, one at a time: the localizer's mid-sagittal input with the
 * ground-truth level points mapped into it, the ground-truth points in LPS, and crops at the
 * ground-truth coordinates for the classifiers. A study that fails is listed, not fatal.
 */
export async function prepareTrainStudies(opts: {
  studies: readonly StudyEntry[];
  labels: ReadonlyMap<number, StudyLabels>;
  coords: ReadonlyMap<number, readonly LabelCoordinate[]>;
  loc: LocalizerConfig;
  cls: ClassifierConfig;
  quiet?: boolean;
}): Promise<{ prepared: PreparedStudy[]; failures: Failure[] }> {
  const prepared: PreparedStudy[] = [];
  const failures: Failure[] = [];
  const bar = progressBar("prepare train (pass 1)", opts.studies.length, { quiet: opts.quiet });
  for (const entry of opts.studies) {
    try {
      const study = await loadStudy(entry);
      const { points, problems } = groundTruthPoints(study, opts.coords.get(entry.studyId) ?? []);
      problems.forEach((reason) => failures.push({ studyId: entry.studyId, stage: "ground truth", reason }));
      const view = localizerStack(study);
      if (!view) throw new Error("no sagittal series to localize on");
      const { image, ...mid } = midSlice(view.stack, opts.loc.inputPx);
      const spinal = LEVELS.map((_, k) =>
        points.find((p) => p.condition === "spinal_canal_stenosis" && p.levelIndex === k),
      );
      const framePoints = spinal.map((p) =>
        p ? lpsToFrame({ ...mid, image }, p.lps) : ([NaN, NaN] as [number, number]),
      );
      const { crops: gtCrops, missing } = cropsAt(
        entry.studyId,
        points,
        opts.cls,
        opts.labels.get(entry.studyId),
      );
      for (const reason of new Set(missing.values()))
        failures.push({ studyId: entry.studyId, stage: "crop", reason });
      for (const reason of decodeProblems(study))
        failures.push({ studyId: entry.studyId, stage: "decode", reason });
      prepared.push({
        studyId: entry.studyId,
        mid,
        localizer: {
          studyId: entry.studyId,
          image,
          points: spinal.some(Boolean) ? framePoints : null,
          mmPerPx: mid.mmPerPx,
        },
        gtPoints: points.map(({ condition, levelIndex, lps }) => ({ condition, levelIndex, lps })),
        gtCrops,
      });
    } catch (e) {
      failures.push({
        studyId: entry.studyId,
        stage: "prepare",
        reason: e instanceof Error ? e.message : String(e),
      });
    }
    bar.tick();
  }
  bar.stop();
  return { prepared, failures };
}

/**
 * Crops at localized points (levels from the localizer, other conditions placed by offsets and
 * projection). Used for the honest out-of-fold evaluation (pass 2 over train) and for test studies.
 */
export async function localizedCrops(
  entry: StudyEntry,
  levels: readonly Vec3[],
  offsets: OffsetModel,
  cls: ClassifierConfig,
  labels: StudyLabels | undefined,
  preloaded?: Awaited<ReturnType<typeof loadStudy>>,
): Promise<{
  crops: CropSample[];
  points: LpsPoint[];
  missing: Map<string, string>;
  /** Slices of the study that failed to decode (each read as its nearest good neighbour). */
  problems: string[];
}> {
  const study = preloaded ?? (await loadStudy(entry));
  const placed = placePoints(study, levels, offsets);
  const { crops, missing } = cropsAt(entry.studyId, placed.points, cls, labels);
  for (const [condition, reason] of placed.missing) missing.set(condition, reason);
  return {
    crops,
    points: placed.points.map(({ condition, levelIndex, lps }) => ({ condition, levelIndex, lps })),
    missing,
    problems: decodeProblems(study),
  };
}

/** Stored crops at points; a point whose crop cannot be cut (no slice decodes) is missing, with why. */
function cropsAt(
  studyId: number,
  points: readonly PointLocation[],
  cls: ClassifierConfig,
  labels: StudyLabels | undefined,
): { crops: CropSample[]; missing: Map<string, string> } {
  const crops: CropSample[] = [];
  const missing = new Map<string, string>();
  for (const p of points) {
    try {
      crops.push({
        studyId,
        condition: p.condition,
        levelIndex: p.levelIndex,
        label: labelOf(labels, p.condition, p.levelIndex),
        crop: storedCropFor(p, cls),
      });
    } catch (e) {
      missing.set(p.condition, `series ${p.stack.seriesId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { crops, missing };
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

/** Median and 90th percentile (nearest rank) of a list of errors. */
export function errorSummary(mm: readonly number[]): {
  n: number;
  medianMm: number | null;
  p90Mm: number | null;
  meanMm: number | null;
} {
  if (!mm.length) return { n: 0, medianMm: null, p90Mm: null, meanMm: null };
  const s = [...mm].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(f * s.length) - 1))];
  return { n: s.length, medianMm: q(0.5), p90Mm: q(0.9), meanMm: s.reduce((a, b) => a + b, 0) / s.length };
}
