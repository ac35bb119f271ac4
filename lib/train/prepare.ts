import { LEVELS } from "../data/schema";
import type { StudyEntry } from "../data/dataset";
import type { LabelCoordinate } from "../data/coordinates";
import type { StudyLabels } from "../data/train-labels";
import type { ClassifierConfig, LocalizerConfig, SidePointConfig } from "../config";
import {
  codeIdentity,
  studyIdentity,
  type CropSampleLike,
  type LocalizerSampleLike,
  type SidePointSampleLike,
} from "../cache";
import {
  addFailures,
  cropsAt,
  fileFailures,
  groundTruthPoints,
  loadStudy,
  localizerStack,
  lpsToFrame,
  midSlice,
  sidePointSamples,
  unusableFiles,
  type CropSample,
  type Failure,
  type LocalizerSample,
  type LpsPoint,
  type MidSlice,
  type SidePointSample,
  type StudyImages,
} from "../study";
import { progressBar } from "../util/progress";

/**
 * Everything pass 1 keeps of one train study (no pixel arrays of the series). The localizer image
 * and the crops are in memory as cut, or references into a cache folder (lib/cache) once `keep` has
 * stored them.
 */
export interface PreparedStudy {
  readonly studyId: number;
  readonly mid: Omit<MidSlice, "image">;
  readonly localizer: LocalizerSampleLike;
  readonly gtPoints: readonly LpsPoint[];
  readonly gtCrops: readonly CropSampleLike[];
  /** Windows around the labelled foraminal and subarticular points: stage 1b's training samples. */
  readonly sidePoints: readonly SidePointSampleLike[];
}

/** A study as pass 1 cuts it, pixels in memory. */
export type CutStudy = Omit<PreparedStudy, "localizer" | "gtCrops" | "sidePoints"> & {
  readonly localizer: LocalizerSample;
  readonly gtCrops: readonly CropSample[];
  readonly sidePoints: readonly SidePointSample[];
};

/** What pass 1 reads: the studies with their labels and coordinates, and the configs that shape its samples. */
export interface Pass1Inputs {
  readonly studies: readonly StudyEntry[];
  readonly labels: ReadonlyMap<number, StudyLabels>;
  readonly coords: ReadonlyMap<number, readonly LabelCoordinate[]>;
  readonly loc: LocalizerConfig;
  readonly cls: ClassifierConfig;
  readonly pts: SidePointConfig;
}

/**
 * What decides pass 1's output (the parts of its cache key, lib/cache): the studies' files, their
 * labels and coordinates, the config fields that shape the localizer image and the stored crops,
 * and the code that reads and cuts them.
 */
export function prepareIdentity(opts: Pass1Inputs): unknown {
  return {
    stage: "prepare train (pass 1)",
    code: codeIdentity(),
    localizerPx: opts.loc.inputPx,
    crops: { cropPx: opts.cls.cropPx, crops: opts.cls.crops, sliceShift: opts.cls.augment.sliceShift },
    // what shapes stage 1b's stored windows (size, margin, slices, target heights), not its training
    sidePoints: {
      inputPx: opts.pts.inputPx,
      sizeMm: opts.pts.sizeMm,
      jitterMm: opts.pts.jitterMm,
      slicesEachSide: opts.pts.slicesEachSide,
      sliceSigmaMm: opts.pts.sliceSigmaMm,
    },
    studies: opts.studies.map((e) => ({
      files: studyIdentity(e),
      labels: opts.labels.get(e.studyId) ?? null,
      coords: opts.coords.get(e.studyId) ?? [],
    })),
  };
}

/**
 * Pass 1 over the train studies, one at a time: the localizer's mid-sagittal input with the
 * ground-truth level points mapped into it, the ground-truth points in LPS, and crops at the
 * ground-truth coordinates for the classifiers, and windows around the labelled side points for stage 1b. A study that fails is listed, not fatal; so is each
 * file found unusable ("train header" / "train decode"), also in a study that failed.
 */
export async function prepareTrainStudies(
  opts: Pass1Inputs & {
    quiet?: boolean;
    /** What is kept of each study as it is cut (e.g. lib/cache's writer: pixels to disk); default all. */
    keep?: (study: CutStudy) => PreparedStudy;
  },
): Promise<{ prepared: PreparedStudy[]; failures: Failure[] }> {
  const keep = opts.keep ?? ((s: CutStudy): PreparedStudy => s);
  const prepared: PreparedStudy[] = [];
  const failures: Failure[] = [];
  const bar = progressBar("prepare train (pass 1)", opts.studies.length, { quiet: opts.quiet });
  for (const entry of opts.studies) {
    let study: StudyImages | undefined;
    try {
      study = await loadStudy(entry);
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
      const cut: CutStudy = {
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
        sidePoints: sidePointSamples(entry.studyId, points, opts.pts),
      };
      prepared.push(keep(cut));
    } catch (e) {
      failures.push({
        studyId: entry.studyId,
        stage: "prepare",
        reason: e instanceof Error ? e.message : String(e),
      });
    }
    if (study) addFailures(failures, fileFailures(entry.studyId, "train", unusableFiles(study)));
    bar.tick();
  }
  bar.stop();
  return { prepared, failures };
}
