import type { LabelCoordinate } from "../data/coordinates";
import type { StudyEntry } from "../data/dataset";
import type { StudyLabels } from "../data/train-labels";
import type { ClassifierConfig } from "../config";
import {
  cropsAt,
  groundTruthPoints,
  localizedCrops,
  withUnreadable,
  withUnreadableSlices,
  withoutSeries,
  type CropSample,
  type Levels,
  type LevelsInputKind,
  type LocalizedCropsOptions,
  type PlacedPoint,
  type SeriesStack,
  type StudyImages,
} from "../study";

/**
 * Degradations the kernel makes on train studies, so that rows from such inputs at test time are
 * judged out of fold (lib/gates shrink): the crop's own slice unreadable, the mid-sagittal slice
 * holding the canal points unreadable (the localizer and the canal crops read a neighbour), and no
 * Sagittal T2/STIR series (the localizer reads Sagittal T1).
 */

/**
 * Train studies degraded at most: a few hundred give every group enough out-of-fold rows, and pass 2
 * stays about as costly at 1,975 studies as at 240 for this part.
 */
export const DEGRADED_STUDIES_MAX = 240;

/** Each point's crop cut as if its own slice's file could not be decoded: its neighbour is read. */
export function ownSliceUnreadable(
  studyId: number,
  points: readonly PlacedPoint[],
  cls: ClassifierConfig,
  labels: StudyLabels | undefined,
  levelsInput: LevelsInputKind,
): CropSample[] {
  const masked = points.map((p) => ({ ...p, stack: withUnreadableSlices(p.stack, new Set([p.slice])) }));
  return cropsAt(studyId, masked, cls, labels, levelsInput).crops;
}

/** The localizer run on a study: its levels and what they were read from; null without a sagittal series. */
export type Localize = (study: StudyImages) => { levels: Levels; levelsInput: LevelsInputKind } | null;

/**
 * The study as if the file of the Sagittal T2/STIR slice holding its labelled canal points could not
 * be decoded, then localized, placed and cropped end to end: the crops whose input is degraded (the
 * others equal the study's own). None when the study has no labelled canal point.
 */
export async function canalSliceUnreadable(
  entry: StudyEntry,
  study: StudyImages,
  coords: readonly LabelCoordinate[],
  localize: Localize,
  opts: Omit<LocalizedCropsOptions, "levels" | "levelsInput" | "study">,
): Promise<CropSample[]> {
  const canal = canalSlice(study, coords);
  if (!canal) return [];
  const masked = withUnreadable(study, new Map([[canal.stack, new Set([canal.slice])]]));
  const located = localize(masked);
  if (!located) return [];
  const { crops } = await localizedCrops(entry, { ...opts, ...located, study: masked });
  return crops.filter((c) => c.input !== "own");
}

/**
 * The study as if it had no Sagittal T2/STIR series, localized on its Sagittal T1, placed and cropped
 * end to end: its foraminal and subarticular crops (the canal's have no series).
 */
export async function sagittalT2Missing(
  entry: StudyEntry,
  study: StudyImages,
  localize: Localize,
  opts: Omit<LocalizedCropsOptions, "levels" | "levelsInput" | "study">,
): Promise<CropSample[]> {
  const without = withoutSeries(study, "Sagittal T2/STIR");
  const located = localize(without);
  if (!located) return [];
  const { crops } = await localizedCrops(entry, { ...opts, ...located, study: without });
  return crops;
}

/** The stack and slice holding most of the study's labelled canal points. */
function canalSlice(
  study: StudyImages,
  coords: readonly LabelCoordinate[],
): { stack: SeriesStack; slice: number } | null {
  const canal = groundTruthPoints(
    study,
    coords.filter((c) => c.condition === "spinal_canal_stenosis"),
  ).points;
  const counts = new Map<string, { stack: SeriesStack; slice: number; n: number }>();
  for (const p of canal) {
    const key = `${p.stack.seriesId}/${p.slice}`;
    const c = counts.get(key) ?? { stack: p.stack, slice: p.slice, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  return best ? { stack: best.stack, slice: best.slice } : null;
}
