import { SEVERITY_WEIGHTS, type SeverityIndex } from "../data/schema";
import { weightedLogLoss, type Probs3 } from "../metric/log-loss";
import { GATE_MARGIN, beats } from "./margins";

/**
 * Rows made from degraded inputs (a substituted slice, levels read off another slice) can be
 * confidently wrong. Their probabilities are moved toward the class prior, p' = (1 - w) p + w prior,
 * by a weight w fitted out of fold on train studies given the same degradation: w = 1 is the prior.
 */
export function shrinkToward(p: Probs3, prior: Probs3, weight: number): Probs3 {
  if (weight === 0) return p;
  const k = 1 - weight;
  return [k * p[0] + weight * prior[0], k * p[1] + weight * prior[1], k * p[2] + weight * prior[2]];
}

/** One labelled out-of-fold row of a group: the model's probabilities, the prior's, its fold. */
export interface ShrinkRow {
  readonly probs: Probs3;
  readonly prior: Probs3;
  readonly label: SeverityIndex;
  readonly fold: number;
}

const WEIGHT_GRID = Array.from({ length: 21 }, (_, i) => i / 20);

/** Fewer labelled rows than this and a group has no evidence: its rows get the prior. */
export const MIN_GROUP_ROWS = 20;

/** The metric's family term (weights 1/2/4 by the true class) of the rows shrunk by `weight`. */
export function groupLoss(rows: readonly ShrinkRow[], weight: number): number {
  return weightedLogLoss(
    rows.map((r) => ({
      probs: shrinkToward(r.probs, r.prior, weight),
      label: r.label,
      weight: SEVERITY_WEIGHTS[r.label],
    })),
  );
}

/** The grid weight with the lowest loss on these rows (the first of equals: the least shrinkage). */
export function fitShrinkWeight(rows: readonly ShrinkRow[]): number {
  let best = 0;
  let bestLoss = Infinity;
  for (const w of WEIGHT_GRID) {
    const loss = groupLoss(rows, w);
    if (loss < bestLoss) [best, bestLoss] = [w, loss];
  }
  return best;
}

export interface ShrinkDecision {
  /** What the group's rows get: 0 the model as is, 1 the prior. */
  readonly weight: number;
  readonly rows: number;
  /** Out-of-fold losses: the model as is, the prior, and shrunk with weights fitted on the other folds. */
  readonly model: number | null;
  readonly prior: number | null;
  readonly shrunkOutOfFold: number | null;
  /** The loss of what the group gets (the model, the shrunk rows or the prior): never above the prior's. */
  readonly chosen: number | null;
  /** Per fold, the weight its rows get out of fold (fitted on the other folds where shrinking is chosen). */
  readonly foldWeights: Readonly<Record<number, number>>;
}

/**
 * Decide a group's weight out of fold. The prior when the group has too few rows or neither the
 * model nor its cross-fitted shrinkage beats the prior; else the shrinkage (fitted on every fold)
 * when the model alone does not beat the prior or the shrinkage beats the model by
 * GATE_MARGIN.score; else the model as is. So no group is expected to score worse than the prior.
 */
export function decideShrink(rows: readonly ShrinkRow[], margin: number = GATE_MARGIN.score): ShrinkDecision {
  const folds = [...new Set(rows.map((r) => r.fold))].sort((a, b) => a - b);
  const every = (w: number) => Object.fromEntries(folds.map((f) => [f, w]));
  if (rows.length < MIN_GROUP_ROWS) {
    const prior = rows.length ? groupLoss(rows, 1) : null;
    const model = rows.length ? groupLoss(rows, 0) : null;
    return {
      weight: 1,
      rows: rows.length,
      model,
      prior,
      shrunkOutOfFold: null,
      chosen: prior,
      foldWeights: every(1),
    };
  }
  const model = groupLoss(rows, 0);
  const prior = groupLoss(rows, 1);
  const foldWeights = Object.fromEntries(
    folds.map((f) => {
      const others = rows.filter((r) => r.fold !== f);
      return [f, fitShrinkWeight(others.length ? others : rows)];
    }),
  );
  const shrunk = weightedLogLoss(
    rows.map((r) => ({
      probs: shrinkToward(r.probs, r.prior, foldWeights[r.fold]),
      label: r.label,
      weight: SEVERITY_WEIGHTS[r.label],
    })),
  );
  const base = { rows: rows.length, model, prior, shrunkOutOfFold: shrunk };
  if (!beats(Math.min(model, shrunk), prior, 0))
    return { ...base, weight: 1, chosen: prior, foldWeights: every(1) };
  if (!beats(model, prior, 0) || beats(shrunk, model, margin))
    return { ...base, weight: fitShrinkWeight(rows), chosen: shrunk, foldWeights };
  return { ...base, weight: 0, chosen: model, foldWeights: every(0) };
}
