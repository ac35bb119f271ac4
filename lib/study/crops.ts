import {
  CONDITION_INFO,
  CONDITIONS,
  conditionsOf,
  LEVELS,
  TARGETS,
  rowId,
  type Condition,
  type Family,
  type SeverityIndex,
} from "../data/schema";
import type { StudyEntry } from "../data/dataset";
import type { StudyLabels } from "../data/train-labels";
import type { ClassifierConfig } from "../config";
import { cropVolume } from "../crop/crop";
import { NORMALIZED_RANGE } from "../crop/normalize";
import { NORMALIZE_PERCENTILES } from "../crop/spec";
import type { CropInputKind, SidePointFamily } from "../gates";
import { goodSource, type SeriesStack } from "./stacks";
import { decodeProblems, loadStudy, unusableFiles, type StudyImages, type UnusableStudyFile } from "./study";
import { placePoints, type Levels, type OffsetModel, type PlacedPoint, type PointLocation } from "./points";
import { cropInputKind, type LevelsInputKind } from "./provenance";

/**
 * A 2.5D crop cut once per labelled point, larger than the model input (a margin in mm and extra
 * slices) so that shift, rotation, scale and slice-shift augmentation can be resampled from it in JS
 * without touching the DICOM again.
 * data: [depth][size][size] row-major (slice, y, x); pixel i of a row is at (i + 0.5 - size/2) * mmPerPx.
 */
export interface StoredCrop {
  /** Values, or bytes to be read as byte * scale + offset (4x less memory for a train set held in RAM). */
  readonly data: Float32Array | Uint8Array;
  readonly depth: number;
  readonly size: number;
  readonly mmPerPx: number;
  readonly scale?: number;
  readonly offset?: number;
}

/** Quantise a crop whose values lie in [lo, hi] to bytes (error <= (hi - lo) / 510). */
export function quantizeCrop(crop: StoredCrop, lo: number, hi: number): StoredCrop {
  const scale = (hi - lo) / 255;
  const bytes = new Uint8Array(crop.data.length);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Math.round((Math.min(Math.max(crop.data[i], lo), hi) - lo) / scale);
  return { ...crop, data: bytes, scale, offset: lo };
}

/** One labelled (or to-be-predicted) point of one study: its stored crop and what it is. */
export interface CropSample {
  readonly studyId: number;
  readonly condition: Condition;
  readonly levelIndex: number;
  readonly label: SeverityIndex | null;
  readonly crop: StoredCrop;
  /** What the crop was made from (its own slice, a substituted one, levels read off another slice). */
  readonly input: CropInputKind;
}

/** The submission row id of a sample. */
export function sampleKey(s: Pick<CropSample, "studyId" | "condition" | "levelIndex">): string {
  return rowId(s.studyId, { condition: s.condition, level: LEVELS[s.levelIndex] });
}

export function familyOf(s: Pick<CropSample, "condition">): Family {
  return CONDITION_INFO[s.condition].family;
}

/**
 * A stored 2.5D crop centred on pixel (x, y) of `slice` (lib/crop cropVolume): `depth` (odd)
 * slices, the stack's end slice repeated past its ends, each resampled bilinearly on a square grid
 * of `size` pixels spanning `sizeMm` mm (so different pixel spacings give the same anatomy size),
 * zero outside the image, normalised by lib/crop's percentileNormalize (1st/99th percentile of the
 * in-image samples, clipped to NORMALIZED_RANGE) and quantised to bytes. Decodes only the slices it reads.
 */
export function cropStack(
  stack: SeriesStack,
  slice: number,
  x: number,
  y: number,
  sizeMm: number,
  size: number,
  depth: number,
): StoredCrop {
  if (depth % 2 !== 1) throw new RangeError(`crop depth must be odd, got ${depth}`);
  const data = cropVolume(
    goodSource(stack.pixels),
    { slice, x, y },
    {
      sizeMm,
      outPixels: size,
      slicesEachSide: (depth - 1) / 2,
      sliceStep: 1,
      padding: "zero",
      slicePadding: "edge",
      normalize: NORMALIZE_PERCENTILES,
    },
  );
  const mmPerPx = sizeMm / size;
  return quantizeCrop({ data, depth, size, mmPerPx }, NORMALIZED_RANGE[0], NORMALIZED_RANGE[1]);
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

export function labelOf(
  labels: StudyLabels | undefined,
  condition: string,
  levelIndex: number,
): SeverityIndex | null {
  if (!labels) return null;
  const i = TARGETS.findIndex((t) => t.condition === condition && t.level === LEVELS[levelIndex]);
  return labels.labels[i] ?? null;
}

/** What stage 1b did with each point it was given: moved, or kept and why. */
export type RefineOutcomes = readonly { family: string; outcome: string }[];

/** Moves placed points (stage 1b: points found by a network); lib/infer's refineSidePoints. */
export type RefinePoints = (points: readonly PlacedPoint[]) => {
  points: PlacedPoint[];
  outcomes: RefineOutcomes;
};

/** How points are placed: stage 1b, and which side families start from the refined canal points. */
export interface Placement {
  readonly refine: RefinePoints;
  readonly canalFirst: Readonly<Record<SidePointFamily, boolean>>;
}

/**
 * Place and refine every point, the canal first; the foramina and recesses whose family places them
 * canal-first are then placed from the refined canal points (their offsets are learned from the
 * labelled canal point, and a closer projection leaves stage 1b's slice search less to make up), the
 * others from the levels.
 */
export function placeRefined(
  study: StudyImages,
  levels: Levels,
  offsets: OffsetModel,
  placement: Placement,
): { points: PlacedPoint[]; outcomes: RefineOutcomes; missing: Map<Condition, string> } {
  const canalConditions = conditionsOf("spinal");
  const first = placePoints(study, levels, offsets, canalConditions);
  const canal = placement.refine(first.points);
  const canalLevels: Levels = {
    ...levels,
    lps: levels.lps.map((l, i) => canal.points.find((p) => p.levelIndex === i)?.lps ?? l),
  };
  const sideConditions = CONDITIONS.filter((c) => !canalConditions.includes(c));
  const fromCanal = (c: Condition) => placement.canalFirst[CONDITION_INFO[c].family as SidePointFamily];
  const second = placePoints(study, canalLevels, offsets, sideConditions.filter(fromCanal));
  const third = placePoints(
    study,
    levels,
    offsets,
    sideConditions.filter((c) => !fromCanal(c)),
  );
  const sides = placement.refine([...second.points, ...third.points]);
  return {
    points: [...canal.points, ...sides.points],
    outcomes: [...canal.outcomes, ...sides.outcomes],
    missing: new Map([...first.missing, ...second.missing, ...third.missing]),
  };
}

/** What localizedCrops places and cuts: the levels (and what they were read from), how to place. */
export interface LocalizedCropsOptions {
  readonly levels: Levels;
  readonly levelsInput: LevelsInputKind;
  readonly offsets: OffsetModel;
  readonly cls: ClassifierConfig;
  readonly labels?: StudyLabels;
  /** The study already loaded (else it is loaded from its entry). */
  readonly study?: StudyImages;
  /** Stage 1b; without it every point stays at its projection. */
  readonly placement?: Placement;
}

/**
 * Crops at localized points (levels from the localizer, other conditions placed by offsets and
 * projection, then moved by stage 1b when given). Used for the honest out-of-fold evaluation (pass 2
 * over train) and for test studies. Each crop knows what it was made from.
 */
export async function localizedCrops(
  entry: StudyEntry,
  opts: LocalizedCropsOptions,
): Promise<{
  crops: CropSample[];
  points: PlacedPoint[];
  missing: Map<string, string>;
  /** What stage 1b did with each point (empty without it). */
  outcomes: RefineOutcomes;
  /** Slices of the study that failed to decode (each read as its nearest good neighbour). */
  problems: string[];
  /** The study's files found unusable (skipped headers, failed decodes). */
  files: UnusableStudyFile[];
}> {
  const study = opts.study ?? (await loadStudy(entry));
  const placed = opts.placement
    ? placeRefined(study, opts.levels, opts.offsets, opts.placement)
    : { ...placePoints(study, opts.levels, opts.offsets), outcomes: [] };
  const { crops, missing } = cropsAt(entry.studyId, placed.points, opts.cls, opts.labels, opts.levelsInput);
  for (const [condition, reason] of placed.missing) missing.set(condition, reason);
  return {
    crops,
    points: placed.points,
    missing,
    outcomes: placed.outcomes,
    problems: decodeProblems(study),
    files: unusableFiles(study),
  };
}

/**
 * Stored crops at points, each with its input kind (lib/study provenance); a point whose crop cannot
 * be cut (no slice decodes) is missing, with why.
 */
export function cropsAt(
  studyId: number,
  points: readonly PointLocation[],
  cls: ClassifierConfig,
  labels: StudyLabels | undefined,
  levelsInput: LevelsInputKind = "own",
): { crops: CropSample[]; missing: Map<string, string> } {
  const crops: CropSample[] = [];
  const missing = new Map<string, string>();
  for (const p of points) {
    try {
      const crop = storedCropFor(p, cls);
      crops.push({
        studyId,
        condition: p.condition,
        levelIndex: p.levelIndex,
        label: labelOf(labels, p.condition, p.levelIndex),
        crop,
        input: cropInputKind(p, levelsInput),
      });
    } catch (e) {
      missing.set(p.condition, `series ${p.stack.seriesId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { crops, missing };
}
