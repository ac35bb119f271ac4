/**
 * How much better than the simpler alternative an optional part must do, out of fold, to be used:
 * a relative margin, so that a tie or a gain inside the noise leaves the simple baseline running.
 */
export const GATE_MARGIN = {
  /** Point errors (clipped mean, mm): level chain, stage 1b per family, canal-first placement. */
  points: 0.02,
  /** The metric's weighted log loss: TTA, the cross-family fallback, shrinking toward the prior. */
  score: 0.005,
} as const;

/** True when `candidate` beats `baseline` by the relative margin (lower is better). */
export function beats(candidate: number, baseline: number, margin: number): boolean {
  return Number.isFinite(candidate) && Number.isFinite(baseline) && candidate < baseline * (1 - margin);
}
