import { GATE_MARGIN, beats } from "./margins";
import { clippedMeanMm, pointErrorStats, type PointErrorStats } from "./point-loss";

/**
 * Stage 1b judged out of fold, per family: each point's error (mm, against its labelled point) where
 * it was projected and where its point net would move it, with the net's peak and the move's
 * length. `refinedMm` is null where no window could be cut (the point stays).
 */
export interface RefineEvidencePoint {
  readonly fold: number;
  readonly projectedMm: number;
  readonly refinedMm: number | null;
  readonly peak: number;
  readonly shiftMm: number;
}

/** When a net's answer is taken: its peak at least `minPeak`, its move at most `maxShiftMm`. */
export interface RefineThresholds {
  readonly minPeak: number;
  readonly maxShiftMm: number;
}

export interface RefineGate extends RefineThresholds {
  /** False: every point stays at its projection. */
  readonly on: boolean;
}

export interface RefineDecision {
  readonly gate: RefineGate;
  readonly evidence: {
    readonly points: number;
    readonly clipMm: number;
    /** Every point at its projection (the baseline). */
    readonly projection: PointErrorStats;
    /** Every point the net could read moved to its peak (stage 1b without thresholds). */
    readonly refinedAll: PointErrorStats;
    /** Thresholds fitted on the other folds, applied to each fold: what the gate compares. */
    readonly gatedOutOfFold: PointErrorStats;
    /** Fraction of points the final thresholds move. */
    readonly movedFraction: number | null;
  };
}

const PEAK_GRID = [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const SHIFT_GRID = [2, 3, 4, 6, 8, 10, 12, 14, 18, 24, 32, 48];

function taken(p: RefineEvidencePoint, t: RefineThresholds): boolean {
  return p.refinedMm !== null && p.peak >= t.minPeak && p.shiftMm <= t.maxShiftMm;
}

export function gatedErrors(points: readonly RefineEvidencePoint[], t: RefineThresholds): number[] {
  return points.map((p) => (taken(p, t) ? p.refinedMm! : p.projectedMm));
}

/** The grid's thresholds with the lowest clipped mean error (the first of equals: lowest peak, then shortest move). */
export function fitRefineThresholds(
  points: readonly RefineEvidencePoint[],
  clipMm: number,
): RefineThresholds {
  let best: RefineThresholds = { minPeak: PEAK_GRID[0], maxShiftMm: SHIFT_GRID[0] };
  let bestLoss = Infinity;
  for (const minPeak of PEAK_GRID)
    for (const maxShiftMm of SHIFT_GRID) {
      const loss = clippedMeanMm(gatedErrors(points, { minPeak, maxShiftMm }), clipMm);
      if (loss < bestLoss) [best, bestLoss] = [{ minPeak, maxShiftMm }, loss];
    }
  return best;
}

/** Each fold's errors under thresholds fitted on the other folds only (one fold: fitted on itself). */
export function crossFittedErrors(points: readonly RefineEvidencePoint[], clipMm: number): number[] {
  const folds = [...new Set(points.map((p) => p.fold))].sort((a, b) => a - b);
  return folds.flatMap((f) => {
    const others = points.filter((p) => p.fold !== f);
    const t = fitRefineThresholds(others.length ? others : points, clipMm);
    return gatedErrors(
      points.filter((p) => p.fold === f),
      t,
    );
  });
}

/**
 * Stage 1b for one family is on when the nets, with thresholds fitted out of fold, place the points
 * closer than the projection by GATE_MARGIN.points (clipped mean error); the thresholds it then uses
 * are fitted on every fold's points.
 */
export function decideRefine(
  points: readonly RefineEvidencePoint[],
  clipMm: number,
  margin: number = GATE_MARGIN.points,
): RefineDecision {
  const projected = points.map((p) => p.projectedMm);
  const crossFitted = crossFittedErrors(points, clipMm);
  const on =
    points.length > 0 && beats(clippedMeanMm(crossFitted, clipMm), clippedMeanMm(projected, clipMm), margin);
  const t = points.length ? fitRefineThresholds(points, clipMm) : { minPeak: 1, maxShiftMm: 0 };
  return {
    gate: { on, ...t },
    evidence: {
      points: points.length,
      clipMm,
      projection: pointErrorStats(projected, clipMm),
      refinedAll: pointErrorStats(
        points.map((p) => p.refinedMm ?? p.projectedMm),
        clipMm,
      ),
      gatedOutOfFold: pointErrorStats(crossFitted, clipMm),
      movedFraction:
        points.length && on
          ? points.filter((p) => taken(p, t)).length / points.length
          : points.length
            ? 0
            : null,
    },
  };
}
