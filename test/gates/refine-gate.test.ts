import { describe, expect, it } from "vitest";
import {
  clippedMeanMm,
  crossFittedErrors,
  decideRefine,
  fitRefineThresholds,
  gatedErrors,
  type RefineEvidencePoint,
} from "../../lib/gates";

/** 5 folds x 20 points; every 5th point is one the net gets badly wrong (low peak, long move). */
function evidence(
  good: Partial<RefineEvidencePoint>,
  bad: Partial<RefineEvidencePoint>,
): RefineEvidencePoint[] {
  return Array.from({ length: 100 }, (_, i) => ({
    fold: i % 5,
    projectedMm: 6,
    refinedMm: 1,
    peak: 0.8,
    shiftMm: 5,
    ...(Math.floor(i / 5) % 5 === 4 ? bad : good),
  }));
}

describe("clippedMeanMm", () => {
  it("counts an error past the clip as the clip", () => {
    expect(clippedMeanMm([1, 2, 30], 14)).toBeCloseTo((1 + 2 + 14) / 3, 12);
    expect(clippedMeanMm([], 14)).toBeNaN();
  });
});

describe("the stage 1b gate", () => {
  it("keeps the net's good moves and refuses its bad ones with thresholds fitted out of fold", () => {
    const points = evidence({}, { refinedMm: 30, peak: 0.12, shiftMm: 25 });
    // projection: all at 6 mm; every move taken: 16 x 1 + 4 x 14 (clipped) over 20; gated: 16 x 1 + 4 x 6
    expect(clippedMeanMm(gatedErrors(points, { minPeak: 0, maxShiftMm: 48 }), 14)).toBeCloseTo(3.6, 12);
    // the first grid pair (lowest peak, then shortest move) that moves the good points and not the bad
    expect(fitRefineThresholds(points, 14)).toEqual({ minPeak: 0, maxShiftMm: 6 });
    const d = decideRefine(points, 14);
    expect(d.gate).toEqual({ on: true, minPeak: 0, maxShiftMm: 6 });
    expect(d.evidence.projection.clippedMeanMm).toBeCloseTo(6, 12);
    expect(d.evidence.refinedAll.clippedMeanMm).toBeCloseTo(3.6, 12);
    expect(d.evidence.gatedOutOfFold.clippedMeanMm).toBeCloseTo(2, 12);
    expect(d.evidence.movedFraction).toBeCloseTo(0.8, 12);
  });

  it("is off when the net places points no better than the projection, whatever its peaks say", () => {
    // A net that learned another source: confident, and 9-20 mm off.
    const points = evidence(
      { refinedMm: 9, peak: 0.9, shiftMm: 9 },
      { refinedMm: 20, peak: 0.95, shiftMm: 20 },
    );
    const d = decideRefine(points, 14);
    expect(d.gate.on).toBe(false);
    expect(d.evidence.movedFraction).toBe(0);
    expect(d.evidence.gatedOutOfFold.clippedMeanMm).toBeCloseTo(6, 12); // best thresholds keep the projection
  });

  it("is off when the gain is inside the margin", () => {
    // 1% better than the projection: not enough for GATE_MARGIN.points (2%)
    const points = evidence({ refinedMm: 5.94 }, { refinedMm: 5.94 });
    expect(decideRefine(points, 14).gate.on).toBe(false);
    expect(decideRefine(points, 14, 0.005).gate.on).toBe(true);
  });

  it("fits each fold's thresholds on the other folds only", () => {
    // Fold 0's bad moves are short, with a middling peak: only fold 0 itself could teach a threshold
    // that refuses them (minPeak 0.6); fitted on folds 1-4, the thresholds take them.
    const points = evidence({}, { refinedMm: 30, peak: 0.12, shiftMm: 25 }).map((p) =>
      p.fold === 0 && p.refinedMm === 30 ? { ...p, peak: 0.5, shiftMm: 5 } : p,
    );
    const errors = crossFittedErrors(points, 14);
    expect(errors).toHaveLength(100);
    expect(errors.filter((e) => e === 30)).toHaveLength(4);
    expect(fitRefineThresholds(points, 14)).toEqual({ minPeak: 0.6, maxShiftMm: 6 });
  });

  it("keeps a point whose window could not be cut at its projection", () => {
    const points = evidence(
      { refinedMm: null, peak: 0, shiftMm: 0 },
      { refinedMm: null, peak: 0, shiftMm: 0 },
    );
    expect(gatedErrors(points, { minPeak: 0, maxShiftMm: 48 })).toEqual(points.map(() => 6));
    expect(decideRefine(points, 14).gate.on).toBe(false);
  });
});
