import { describe, expect, it } from "vitest";
import { baselineGates, gateSummary, legacyGates, pointErrorStats, type GateEvidence } from "../../lib/gates";
import { gatesFigure } from "../../lib/viz";

const stats = (mm: number[]) => pointErrorStats(mm, 14);
const refine = (projected: number[], gated: number[]) => ({
  points: projected.length,
  clipMm: 14,
  projection: stats(projected),
  refinedAll: stats(gated),
  gatedOutOfFold: stats(gated),
  movedFraction: 1,
});

const EVIDENCE: GateEvidence = {
  levelChain: { clipMm: 14, chain: stats([2, 4]), independent: stats([2, 30]) },
  placement: {
    spinal: refine([4, 4], [1, 1]),
    foraminal: { levels: refine([6, 6], [2, 2]), canal: refine([5, 5], [2, 1]), from: "canal" },
    subarticular: { levels: refine([6, 6], [9, 9]), canal: refine([7, 7], [9, 9]), from: "levels" },
  },
  tta: {
    spinal: { with: 0.3, without: 0.31 },
    foraminal: { with: 0.4, without: 0.4 },
    subarticular: { with: null, without: null },
  },
  crossFamily: {
    foraminal: { rows: 10, prior: 1.0472, crossFamily: 1.0484 },
    subarticular: { rows: 10, prior: 0.85, crossFamily: 0.64 },
  },
};

describe("the gates' with-vs-without table", () => {
  it("lists every part per family with the figures it was decided on", () => {
    const rows = gateSummary(legacyGates({ minPeak: 0.1, maxShiftMm: 14 }, true), EVIDENCE);
    const row = (part: string, family: string) => rows.find((r) => r.part === part && r.family === family)!;
    expect(rows).toHaveLength(1 + 3 + 2 + 3 + 2);
    expect(row("level chain", "all")).toMatchObject({ without: 8, with: 3, on: true });
    expect(row("stage 1b", "spinal")).toMatchObject({ without: 4, with: 1 });
    // foraminal starts from the canal: its stage 1b row is that start's evidence
    expect(row("stage 1b", "foraminal")).toMatchObject({ without: 5, with: 1.5 });
    expect(row("stage 1b", "subarticular")).toMatchObject({ without: 6, with: 9 });
    // canal-first compares the two starts as each one's stage 1b gate would place them
    expect(row("canal-first", "foraminal")).toMatchObject({ without: 2, with: 1.5, on: true });
    expect(row("canal-first", "subarticular")).toMatchObject({ without: 6, with: 7 });
    expect(row("cross-family", "foraminal")).toMatchObject({ without: 1.0472, with: 1.0484 });
    expect(row("TTA", "subarticular")).toMatchObject({ without: null, with: null });
  });

  it("draws each row as with / without, green where the part runs", () => {
    const rows = gateSummary(baselineGates(), EVIDENCE);
    const fig = gatesFigure(rows);
    const bar = fig.data[0] as { y: string[]; x: number[]; marker: { color: string[] } };
    // the TTA row without figures is left out
    expect(bar.y).toHaveLength(rows.length - 1);
    const i = bar.y.indexOf("level chain · all");
    expect(bar.x[i]).toBeCloseTo(3 / 8, 12);
    expect(new Set(bar.marker.color)).toEqual(new Set(["#b0b0b0"])); // the baseline: every part off
  });
});
