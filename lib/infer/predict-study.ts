import { CONDITION_INFO, FAMILIES, LEVELS, TARGETS, rowId } from "../data/schema";
import type { StudyEntry } from "../data/dataset";
import type { WeightsConfig } from "../config";
import type { Probs3 } from "../metric";
import { predictCrossFamily, priorPredictions, type PriorModel } from "../submit";
import type { Vec3 } from "../geometry";
import {
  familyOf,
  frameToLps,
  loadStudy,
  localizedCrops,
  localizerStack,
  midSlice,
  unusableFiles,
  type StudyImages,
  type UnusableStudyFile,
} from "../study";
import { predictSamples } from "./classify";
import { predictLevels } from "./localize";
import type { Trained } from "./models";
import { refineSidePoints } from "./side-points";

/** Rows of a study not predicted from their own images (the prior, or the cross-family model), and why. */
export interface Fallback {
  readonly studyId: number;
  readonly rows: number;
  readonly reason: string;
}

/**
 * Predict one test study: localize (fold-averaged), place and crop every condition, classify with
 * every fold model and the mirror TTA. Rows that cannot be predicted (a series type missing) come from
 * the study's other families where the weights have a cross-family model, else the prior, with the reason.
 */
export async function predictStudy(
  entry: StudyEntry | undefined,
  studyId: number,
  trained: Trained,
  config: WeightsConfig,
  prior: PriorModel,
): Promise<{
  predictions: Map<string, Probs3>;
  fallbacks: Fallback[];
  levels: Vec3[] | null;
  /** What stage 1b did with each side point (refined, or kept at the projection and why). */
  outcomes: readonly { family: string; outcome: string }[];
  /**
   * Files found unusable: skipped at their header read, or failed to decode (each read as its
   * nearest good neighbour). Logged, not a fallback.
   */
  files: UnusableStudyFile[];
}> {
  const predictions = priorPredictions(prior, [studyId]);
  const fallbacks: Fallback[] = [];
  let study: StudyImages | undefined;
  const fallbackAll = (reason: string) => {
    fallbacks.push({ studyId, rows: TARGETS.length, reason });
    return { predictions, fallbacks, levels: null, outcomes: [], files: study ? unusableFiles(study) : [] };
  };
  if (!entry) return fallbackAll("study has no image folder");
  try {
    study = await loadStudy(entry);
    const view = localizerStack(study);
    if (!view)
      return fallbackAll(`no usable sagittal series (${study.problems.join("; ") || "none listed"})`);
    const mid = midSlice(view.stack, config.localizer.inputPx);
    const [pts] = predictLevels(trained.localizers, [mid], config.localizer, trained.levelPrior);
    const levels = pts.map(([u, v]) => frameToLps(mid, u, v));
    const { crops, missing, files, outcomes } = await localizedCrops(
      entry,
      levels,
      trained.offsets,
      config.classifier,
      undefined,
      study,
      (points) => refineSidePoints(points, trained.sidePoints, config.sidePoints),
    );
    const predicted = new Map<string, Probs3>();
    for (const family of FAMILIES) {
      const mine = crops.filter((c) => familyOf(c) === family);
      if (!mine.length || !trained.classifiers[family].length) continue;
      const probs = predictSamples(trained.classifiers[family], mine, config.classifier, family, config.tta);
      mine.forEach((c, i) => {
        const id = rowId(studyId, { condition: c.condition, level: LEVELS[c.levelIndex] });
        predictions.set(id, probs[i]);
        predicted.set(id, probs[i]);
      });
    }
    const byReason = new Map<string, number>();
    for (const t of TARGETS) {
      if (predicted.has(rowId(studyId, t))) continue;
      let reason = missing.get(t.condition) ?? `${CONDITION_INFO[t.condition].family}: no crop`;
      const other =
        trained.crossFamily && predictCrossFamily(trained.crossFamily, prior, predicted, studyId, t);
      if (other) {
        predictions.set(rowId(studyId, t), other);
        reason += " (predicted from the study's other families)";
      }
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    for (const [reason, rows] of byReason) fallbacks.push({ studyId, rows, reason });
    return { predictions, fallbacks, levels, outcomes, files };
  } catch (e) {
    return fallbackAll(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}
