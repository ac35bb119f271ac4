import type * as tf from "@tensorflow/tfjs";
import type { ClassifierConfig, LocalizerConfig, SidePointConfig } from "../config";
import type { LabelCoordinate } from "../data/coordinates";
import type { StudyEntry } from "../data/dataset";
import { LEVELS, type Family } from "../data/schema";
import type { StudyLabels } from "../data/train-labels";
import {
  applyRefinement,
  memoizedCandidates,
  pointRow,
  predictScoredLevels,
  refineSidePoints,
  type CandidateMemo,
  type PointRow,
  type SidePointModels,
} from "../infer";
import type { RefineGate, SidePointFamily } from "../gates";
import type { LevelChainPrior } from "../models";
import {
  fileFailures,
  frameToLps,
  levelsInputKind,
  loadStudy,
  localizedCrops,
  localizerStack,
  midSlice,
  pointErrors,
  type CropSample,
  type Failure,
  type Levels,
  type LevelsInputKind,
  type LpsPoint,
  type OffsetModel,
  type PlacedPoint,
  type Placement,
  type StudyImages,
  SIDE_FAMILIES,
  type SideFamily,
} from "../study";
import { canalSliceUnreadable, ownSliceUnreadable, sagittalT2Missing, type Localize } from "./degradations";
import { addStudyEvidence, emptyPlacementEvidence, type PlacementEvidence } from "./placement-gates";

/**
 * Pass 2's work on one out-of-fold train study, in plain data: it runs on the kernel's thread or on a
 * pass-2 worker thread (pass2-threads.ts) with the same result.
 */
export interface Pass2Study {
  readonly entry: StudyEntry;
  readonly levels: Levels;
  readonly fold: number;
  readonly labels: StudyLabels | undefined;
  readonly coords: readonly LabelCoordinate[];
  readonly gtPoints: readonly LpsPoint[];
  /** Whether its degraded versions are made too (DEGRADED_STUDIES_MAX of them, spread over the list). */
  readonly degrade: boolean;
}

/** What every study of pass 2 shares: the configs and each fold's offsets. */
export interface Pass2Settings {
  readonly sidePoints: SidePointConfig;
  readonly classifier: ClassifierConfig;
  readonly localizer: LocalizerConfig;
  readonly foldOffsets: readonly OffsetModel[];
}

/** One fold's models as pass 2 uses them: stage 1b's nets, and the localizer for degraded studies. */
export interface FoldModels {
  readonly sidePoints: SidePointModels;
  readonly localize: Localize;
}

/** Stage 1b's gates and canal-first placement, as decided on every study's evidence. */
export interface Pass2Decision {
  readonly refine: Readonly<Record<Family, RefineGate>>;
  readonly canalFirst: Readonly<Record<SidePointFamily, boolean>>;
}

/** A study's evidence for the gates, and its nets' answers kept for the crops pass. */
export interface StudyEvidence {
  readonly evidence: PlacementEvidence;
  readonly memo: CandidateMemo;
}

/** A study placed and cropped: its crops and what pass 2 reports of it. */
export interface StudyCrops {
  readonly crops: CropSample[];
  readonly errors: { family: string; mm: number }[];
  readonly outcomes: { family: string; outcome: string }[];
  readonly points: PointRow[];
  readonly fileFailures: Failure[];
}

/** Pass 2's crops pass on one study; `failure` says why a part is missing. */
export interface StudyCut {
  /** Null when the study could not be placed and cropped. */
  readonly own: StudyCrops | null;
  /** Crops of its degraded versions; null when it is not one of the degraded studies (or they failed). */
  readonly degraded: CropSample[] | null;
  readonly failure: Failure | null;
}

/**
 * Stage 1b's evidence on one study with its own fold's nets; null when it cannot be read (the crops
 * pass reads it again and lists what fails).
 */
export async function studyEvidence(
  s: Pass2Study,
  models: FoldModels,
  settings: Pass2Settings,
): Promise<StudyEvidence | null> {
  try {
    const study = await loadStudy(s.entry);
    const memo: CandidateMemo = new Map();
    const evidence = emptyPlacementEvidence();
    const candidates = memoizedCandidates(memo, models.sidePoints, settings.sidePoints);
    const offsets = settings.foldOffsets[s.fold];
    addStudyEvidence(evidence, study, s.levels, offsets, candidates, settings.sidePoints, s.gtPoints, s.fold);
    return { evidence, memo };
  } catch {
    return null;
  }
}

/**
 * One study placed as decided, with its fold's models: its crops, point errors, stage 1b's outcomes,
 * points.csv rows, and when `s.degrade` the crops of its degraded versions.
 */
export async function studyCut(
  s: Pass2Study,
  models: FoldModels,
  settings: Pass2Settings,
  decided: Pass2Decision,
  memo: CandidateMemo,
): Promise<StudyCut> {
  const studyId = s.entry.studyId;
  const failed = (e: unknown): Failure => ({
    studyId,
    stage: "localized crops",
    reason: (e as Error).message,
  });
  let own: StudyCrops;
  let study: StudyImages;
  let placed: PlacedPoint[];
  let levelsInput: LevelsInputKind;
  try {
    const candidates = memoizedCandidates(memo, models.sidePoints, settings.sidePoints);
    study = await loadStudy(s.entry);
    levelsInput = levelsInputKind(localizerStack(study)!); // pass 1 localized this study on it
    const placement: Placement = {
      refine: (pts) => applyRefinement(pts, candidates(pts), decided.refine),
      canalFirst: decided.canalFirst,
    };
    const r = await localizedCrops(s.entry, {
      ...common(s, settings),
      placement,
      levels: s.levels,
      levelsInput,
      study,
    });
    placed = r.points;
    own = {
      crops: r.crops,
      errors: pointErrors(r.points, s.gtPoints),
      outcomes: [...r.outcomes],
      points: oofPointRows(s, r),
      fileFailures: fileFailures(studyId, "train", r.files),
    };
  } catch (e) {
    return { own: null, degraded: null, failure: failed(e) };
  }
  if (!s.degrade) return { own, degraded: null, failure: null };
  try {
    // A degraded study's windows differ from the memo's: its nets read them afresh.
    const fresh: Placement = {
      refine: (pts) => refineSidePoints(pts, models.sidePoints, settings.sidePoints, decided.refine),
      canalFirst: decided.canalFirst,
    };
    const withFresh = { ...common(s, settings), placement: fresh };
    const degraded = [
      ...ownSliceUnreadable(studyId, placed, settings.classifier, s.labels, levelsInput),
      ...(await canalSliceUnreadable(s.entry, study, s.coords, models.localize, withFresh)),
      ...(await sagittalT2Missing(s.entry, study, models.localize, withFresh)),
    ];
    return { own, degraded, failure: null };
  } catch (e) {
    return { own, degraded: null, failure: failed(e) };
  }
}

/** What placing and cropping a study of fold `s.fold` takes besides its levels and placement. */
function common(s: Pass2Study, settings: Pass2Settings) {
  return { offsets: settings.foldOffsets[s.fold], cls: settings.classifier, labels: s.labels };
}

/** points.csv rows of a study placed out of fold: each beside its labelled point, with its row's input kind. */
function oofPointRows(
  s: Pass2Study,
  r: Pick<Awaited<ReturnType<typeof localizedCrops>>, "points" | "crops">,
): PointRow[] {
  return r.points.map((pt) => {
    const same = (q: { condition: string; levelIndex: number }) =>
      q.condition === pt.condition && q.levelIndex === pt.levelIndex;
    const label = s.coords.find((c) => c.condition === pt.condition && c.level === LEVELS[pt.levelIndex]);
    const input = r.crops.find(same)?.input ?? "missing-series";
    return pointRow(s.entry.studyId, pt, input, {
      split: "oof",
      fold: s.fold,
      label,
      labelLps: s.gtPoints.find(same)?.lps,
    });
  });
}

/** Stage 1's models, every fold's at index f, and the level-chain prior each fold decodes with (null: none). */
export interface Stage1Models {
  readonly localizers: readonly tf.LayersModel[];
  readonly sidePoints: Readonly<Record<SideFamily, readonly tf.LayersModel[]>>;
  readonly priors: readonly (LevelChainPrior | null)[];
}

/** Each fold's models as pass 2 uses them (its validation studies are out of their training). */
export function foldModels(m: Stage1Models, cfg: LocalizerConfig): FoldModels[] {
  return m.localizers.map((localizer, f) => {
    const sidePoints = {} as Record<SideFamily, tf.LayersModel[]>;
    for (const family of SIDE_FAMILIES) sidePoints[family] = [m.sidePoints[family][f]];
    return { sidePoints, localize: foldLocalize(localizer, m.priors[f], cfg) };
  });
}

/** A fold's localizer as the kernel decodes it (its level-chain prior, or none), on any version of a study. */
function foldLocalize(
  localizer: tf.LayersModel,
  prior: LevelChainPrior | null,
  cfg: LocalizerConfig,
): Localize {
  return (study) => {
    const view = localizerStack(study);
    if (!view) return null;
    const mid = midSlice(view.stack, cfg.inputPx);
    const [scored] = predictScoredLevels([localizer], [mid], cfg, prior);
    return {
      levels: { lps: scored.points.map(([u, v]) => frameToLps(mid, u, v)), confidence: scored.mass },
      levelsInput: levelsInputKind(view),
    };
  };
}
