import { CONDITION_INFO, FAMILIES, LEVELS, TARGETS, rowId } from "../data/schema";
import type { StudyEntry } from "../data/dataset";
import type { WeightsConfig } from "../config";
import { shrinkToward, shrinkWeight, type InputKind } from "../gates";
import type { Probs3 } from "../metric";
import { predictCrossFamily, priorFor, priorPredictions, type PriorModel } from "../submit";
import {
  fallbackPoints,
  familyOf,
  frameToLps,
  levelsInputKind,
  loadStudy,
  localizedCrops,
  localizerStack,
  midSlice,
  unusableFiles,
  type CropSample,
  type Levels,
  type PlacedPoint,
  type StudyImages,
  type UnusableStudyFile,
} from "../study";
import { predictSamples } from "./classify";
import { predictScoredLevels } from "./localize";
import type { Trained } from "./models";
import { refineSidePoints } from "./side-points";

/** Rows of a study not predicted from their own images (the prior, or the cross-family model), and why. */
export interface Fallback {
  readonly studyId: number;
  readonly rows: number;
  readonly reason: string;
}

/** What predicting one study gives besides its rows' probabilities. */
export interface StudyPrediction {
  readonly predictions: Map<string, Probs3>;
  readonly fallbacks: Fallback[];
  readonly levels: Levels | null;
  /** Every point placed (25 where the study has its series; fallbacks shown on a substitute series). */
  readonly points: PlacedPoint[];
  /** Row id -> what the row was made from (lib/gates InputKind). */
  readonly inputs: Map<string, InputKind>;
  /** What stage 1b did with each point (refined, or kept and why). */
  readonly outcomes: readonly { family: string; outcome: string }[];
  /**
   * Files found unusable: skipped at their header read, or failed to decode (each read as its
   * nearest good neighbour). Logged, not a fallback.
   */
  readonly files: UnusableStudyFile[];
}

/**
 * Predict one test study as the gates say (trained.gates): localize (fold-averaged), place and crop
 * every condition, classify with every fold model (and the mirror TTA where on); rows from degraded
 * inputs move toward the prior by their group's weight. Rows that cannot be predicted (a series type
 * missing) come from the study's other families where that fallback is on, else the prior, with the reason.
 */
export async function predictStudy(
  entry: StudyEntry | undefined,
  studyId: number,
  trained: Trained,
  config: WeightsConfig,
  prior: PriorModel,
): Promise<StudyPrediction> {
  const predictions = priorPredictions(prior, [studyId]);
  const inputs = new Map<string, InputKind>(TARGETS.map((t) => [rowId(studyId, t), "missing-series"]));
  const fallbacks: Fallback[] = [];
  let study: StudyImages | undefined;
  const fallbackAll = (reason: string): StudyPrediction => {
    fallbacks.push({ studyId, rows: TARGETS.length, reason });
    const files = study ? unusableFiles(study) : [];
    return { predictions, fallbacks, levels: null, points: [], inputs, outcomes: [], files };
  };
  if (!entry) return fallbackAll("study has no image folder");
  const { gates } = trained;
  try {
    study = await loadStudy(entry);
    const view = localizerStack(study);
    if (!view)
      return fallbackAll(`no usable sagittal series (${study.problems.join("; ") || "none listed"})`);
    const mid = midSlice(view.stack, config.localizer.inputPx);
    const chain = gates.levelChain ? trained.levelPrior : null;
    const [scored] = predictScoredLevels(trained.localizers, [mid], config.localizer, chain);
    const levels: Levels = {
      lps: scored.points.map(([u, v]) => frameToLps(mid, u, v)),
      confidence: scored.mass,
    };
    const placed = await localizedCrops(entry, {
      levels,
      levelsInput: levelsInputKind(view),
      offsets: trained.offsets,
      cls: config.classifier,
      study,
      placement: {
        refine: (points) => refineSidePoints(points, trained.sidePoints, config.sidePoints, gates.refine),
        canalFirst: gates.canalFirst,
      },
    });
    const predicted = predictCrops(placed.crops, trained, config, prior);
    for (const [id, row] of predicted) {
      predictions.set(id, row.probs);
      inputs.set(id, row.input);
    }
    fallbacks.push(...missingRows(studyId, predicted, placed.missing, trained, prior, predictions));
    const unplaced = TARGETS.map((t) => ({
      condition: t.condition,
      levelIndex: LEVELS.indexOf(t.level),
    })).filter(
      (t) => !placed.points.some((p) => p.condition === t.condition && p.levelIndex === t.levelIndex),
    );
    const points = [...placed.points, ...fallbackPoints(view.stack, levels, trained.offsets, unplaced)];
    return { predictions, fallbacks, levels, points, inputs, outcomes: placed.outcomes, files: placed.files };
  } catch (e) {
    return fallbackAll(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

/**
 * Each crop's row: every fold model (and the mirror where the family's TTA gate is on), then moved
 * toward the prior by the weight of its input kind and family.
 */
function predictCrops(
  crops: readonly CropSample[],
  trained: Trained,
  config: WeightsConfig,
  prior: PriorModel,
): Map<string, { probs: Probs3; input: CropSample["input"] }> {
  const out = new Map<string, { probs: Probs3; input: CropSample["input"] }>();
  for (const family of FAMILIES) {
    const mine = crops.filter((c) => familyOf(c) === family);
    if (!mine.length || !trained.classifiers[family].length) continue;
    const tta = trained.gates.tta[family];
    const probs = predictSamples(trained.classifiers[family], mine, config.classifier, family, tta);
    mine.forEach((c, i) => {
      const target = { condition: c.condition, level: LEVELS[c.levelIndex] };
      const weight = shrinkWeight(trained.gates, c.input, family);
      const row = shrinkToward(probs[i], priorFor(prior, target), weight);
      out.set(rowId(c.studyId, target), { probs: row, input: c.input });
    });
  }
  return out;
}

/**
 * Rows with no crop: from the study's other families where the family's cross-family gate is on,
 * else the prior; one fallback per reason.
 */
function missingRows(
  studyId: number,
  predicted: ReadonlyMap<string, { probs: Probs3 }>,
  missing: ReadonlyMap<string, string>,
  trained: Trained,
  prior: PriorModel,
  predictions: Map<string, Probs3>,
): Fallback[] {
  const evidence = new Map([...predicted].map(([id, r]) => [id, r.probs]));
  const byReason = new Map<string, number>();
  for (const t of TARGETS) {
    if (predicted.has(rowId(studyId, t))) continue;
    const family = CONDITION_INFO[t.condition].family;
    let reason = missing.get(t.condition) ?? `${family}: no crop`;
    const use = family !== "spinal" && trained.crossFamily && trained.gates.crossFamily[family];
    const other = use ? predictCrossFamily(trained.crossFamily!, prior, evidence, studyId, t) : null;
    if (other) {
      predictions.set(rowId(studyId, t), other);
      reason += " (predicted from the study's other families)";
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return [...byReason].map(([reason, rows]) => ({ studyId, rows, reason }));
}
