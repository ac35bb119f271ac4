import { MetricInputError } from "../util/errors";

/** sklearn's historical clip for log_loss; the competition metric used it. */
export const EPS = 1e-15;

export type Probs3 = readonly [number, number, number];

function clip(p: number): number {
  return Math.min(1 - EPS, Math.max(EPS, p));
}

/** Throws unless every probability is finite and >= 0 and the row has a positive sum. */
export function checkProbs(probs: readonly number[], what: string): void {
  let sum = 0;
  for (const p of probs) {
    if (!Number.isFinite(p)) throw new MetricInputError(`${what}: non-finite prediction ${p}`);
    if (p < 0) throw new MetricInputError(`${what}: negative prediction ${p}`);
    sum += p;
  }
  if (!(sum > 0)) throw new MetricInputError(`${what}: predictions sum to 0`);
}

/**
 * Sample-weighted multi-class log loss: sum_i w_i * -log(q_i[y_i]) / sum_i w_i, where q is the row
 * normalised to sum 1 and then clipped to [EPS, 1-EPS]. NaN when there are no rows.
 */
export function weightedLogLoss(rows: readonly { probs: Probs3; label: number; weight: number }[]): number {
  let num = 0;
  let den = 0;
  for (const { probs, label, weight } of rows) {
    const sum = probs[0] + probs[1] + probs[2];
    num += weight * -Math.log(clip(probs[label] / sum));
    den += weight;
  }
  return num / den;
}

/** Weighted binary log loss on P(positive), clipped like sklearn. */
export function weightedBinaryLogLoss(
  rows: readonly { p: number; label: boolean; weight: number }[],
): number {
  let num = 0;
  let den = 0;
  for (const { p, label, weight } of rows) {
    const q = clip(p);
    num += weight * -Math.log(label ? q : 1 - q);
    den += weight;
  }
  return num / den;
}
