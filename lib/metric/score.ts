import {
  CONDITION_INFO,
  FAMILIES,
  Family,
  SEVERITY_WEIGHTS,
  SeverityIndex,
  parseRowId,
} from "../data/schema";
import { MetricInputError } from "../util/errors";
import { Probs3, checkProbs, weightedBinaryLogLoss, weightedLogLoss } from "./log-loss";

export interface MetricResult {
  /** Plain mean of the four terms below (the competition's any_severe_scalar is 1). */
  readonly score: number;
  readonly spinal: number;
  readonly foraminal: number;
  readonly subarticular: number;
  readonly any_severe_spinal: number;
  /** Labelled rows that were scored (missing labels are skipped). */
  readonly rows_scored: number;
}

/**
 * The RSNA 2024 lumbar metric. `labels` maps row_id -> true class for the labelled rows only (a
 * missing label is simply absent); `predictions` must hold every labelled row_id (extra rows are
 * ignored). Per family: log loss weighted 1/2/4 by the true class. any_severe_spinal: per study, label
 * = any labelled spinal level severe, prediction = max P(severe) over those levels (the official code
 * aligns the submission to the solution rows), weight = the largest spinal row weight.
 */
export function scoreSubmission(
  labels: ReadonlyMap<string, SeverityIndex>,
  predictions: ReadonlyMap<string, Probs3>,
): MetricResult {
  const perFamily = new Map<Family, { probs: Probs3; label: number; weight: number }[]>(
    FAMILIES.map((f) => [f, []]),
  );
  const spinalByStudy = new Map<number, { p: number; label: boolean; weight: number }>();
  const missing: string[] = [];
  for (const [id, label] of labels) {
    const parsed = parseRowId(id);
    if (!parsed) throw new MetricInputError(`label row_id "${id}" is not {study_id}_{condition}_{level}`);
    const probs = predictions.get(id);
    if (!probs) {
      missing.push(id);
      continue;
    }
    checkProbs(probs, id);
    const weight = SEVERITY_WEIGHTS[label];
    const family = CONDITION_INFO[parsed.target.condition].family;
    perFamily.get(family)!.push({ probs, label, weight });
    if (family === "spinal") {
      const pSevere = probs[2] / (probs[0] + probs[1] + probs[2]);
      const prev = spinalByStudy.get(parsed.studyId);
      spinalByStudy.set(parsed.studyId, {
        p: Math.max(prev?.p ?? 0, pSevere),
        label: (prev?.label ?? false) || label === 2,
        weight: Math.max(prev?.weight ?? 0, weight),
      });
    }
  }
  if (missing.length) {
    throw new MetricInputError(
      `${missing.length} labelled row(s) have no prediction, e.g. ${missing.slice(0, 3).join(", ")}`,
    );
  }
  if (labels.size === 0) throw new MetricInputError("no labelled rows to score");
  const term = (f: Family) => weightedLogLoss(perFamily.get(f)!);
  const spinal = term("spinal");
  const foraminal = term("foraminal");
  const subarticular = term("subarticular");
  const any_severe_spinal = weightedBinaryLogLoss([...spinalByStudy.values()]);
  const terms = [spinal, foraminal, subarticular, any_severe_spinal];
  // A family with no labelled rows (e.g. a subset) contributes nothing rather than NaN.
  const present = terms.filter((t) => !Number.isNaN(t));
  const score = present.reduce((s, t) => s + t, 0) / present.length;
  return { score, spinal, foraminal, subarticular, any_severe_spinal, rows_scored: labels.size };
}
