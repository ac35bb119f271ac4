/**
 * How far placed points are from the labelled ones, as one number a gate can compare: the mean
 * error with each point's error clipped at `clipMm`. Past the crop's half-width a point misses the
 * structure whatever its distance, so a far outlier counts as a miss, not as its distance.
 */
export function clippedMeanMm(errorsMm: readonly number[], clipMm: number): number {
  if (!errorsMm.length) return NaN;
  return errorsMm.reduce((s, e) => s + Math.min(e, clipMm), 0) / errorsMm.length;
}

/** Median, 90th percentile (nearest rank) and mean of point errors (mm); nulls without points. */
export function errorSummary(mm: readonly number[]): {
  n: number;
  medianMm: number | null;
  p90Mm: number | null;
  meanMm: number | null;
} {
  if (!mm.length) return { n: 0, medianMm: null, p90Mm: null, meanMm: null };
  const s = [...mm].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(f * s.length) - 1))];
  return { n: s.length, medianMm: q(0.5), p90Mm: q(0.9), meanMm: s.reduce((a, b) => a + b, 0) / s.length };
}

/** errorSummary plus the clipped mean a gate compares. */
export interface PointErrorStats extends ReturnType<typeof errorSummary> {
  readonly clippedMeanMm: number | null;
}

export function pointErrorStats(mm: readonly number[], clipMm: number): PointErrorStats {
  return { ...errorSummary(mm), clippedMeanMm: mm.length ? clippedMeanMm(mm, clipMm) : null };
}
