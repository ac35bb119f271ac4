import { SEVERITY_WEIGHTS, TARGETS, Target, rowId } from "../data/schema";
import type { TrainLabels } from "../data/train-labels";
import type { Probs3 } from "../metric/log-loss";

/** Per-target (condition x level) constant predictions: the fallback for anything a model cannot do. */
export interface PriorModel {
  /** Indexed like TARGETS. */
  readonly probs: readonly Probs3[];
}

/**
 * The metric-optimal constant: for weighted log loss with class weights w, the best constant q
 * minimises -sum_c n_c w_c log q_c, so q_c is proportional to n_c * w_c. Counts get a +1 (Laplace)
 * so a class never seen in training still has a finite loss.
 */
export function fitPrior(labels: TrainLabels, smoothing = 1): PriorModel {
  const probs = TARGETS.map((_, t) => {
    const counts = [0, 0, 0];
    for (const s of labels.studies) {
      const sev = s.labels[t];
      if (sev !== null) counts[sev]++;
    }
    const w = counts.map((n, c) => (n + smoothing) * SEVERITY_WEIGHTS[c]);
    const total = w[0] + w[1] + w[2];
    return [w[0] / total, w[1] / total, w[2] / total] as const;
  });
  return { probs };
}

export function priorFor(prior: PriorModel, target: Pick<Target, "condition" | "level">): Probs3 {
  const i = TARGETS.findIndex((t) => t.condition === target.condition && t.level === target.level);
  return prior.probs[i];
}

/** The prior's 25 rows for each study. */
export function priorPredictions(prior: PriorModel, studyIds: Iterable<number>): Map<string, Probs3> {
  const out = new Map<string, Probs3>();
  for (const studyId of studyIds) TARGETS.forEach((t, i) => out.set(rowId(studyId, t), prior.probs[i]));
  return out;
}

export const UNIFORM: Probs3 = [1 / 3, 1 / 3, 1 / 3];
