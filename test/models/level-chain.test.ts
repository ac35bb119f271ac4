import { describe, expect, it } from "vitest";
import {
  bestChain,
  channelCandidates,
  decodeLevelChain,
  fitLevelChainPrior,
  MIN_GAP_SD_MM,
  type LevelChainPrior,
} from "../../lib/models";

const K = 5;
const idx = (size: number, x: number, y: number, c: number) => (y * size + x) * K + c;

describe("decodeLevelChain without a prior", () => {
  it("finds each level's peak with sub-cell precision", () => {
    const size = 8;
    const logits = new Float32Array(size * size * K).fill(-10);
    for (let c = 0; c < K; c++) {
      // two equal neighbours at x = c and c + 1, row 2c mod 8: the centre lies between the cells
      const y = (2 * c) % 8;
      logits[idx(size, c, y, c)] = 5;
      logits[idx(size, c + 1, y, c)] = 5;
    }
    const [pts] = decodeLevelChain(logits, 1, size, null, null);
    pts.forEach(([x, y], c) => {
      expect(x).toBeCloseTo(c + 1, 3);
      expect(y).toBeCloseTo(((2 * c) % 8) + 0.5, 3);
    });
  });
});

describe("channelCandidates", () => {
  it("lists separated peaks strongest first with the log probability near each", () => {
    const size = 10;
    const logits = new Float32Array(size * size * K).fill(0);
    logits[idx(size, 2, 2, 0)] = 4;
    logits[idx(size, 7, 6, 0)] = 3;
    logits[idx(size, 7, 7, 0)] = 3; // touching plateau: one peak, the first in row-major order
    // (the flat background is a plateau of weak "peaks": they rank after the real ones)
    const c = channelCandidates(logits, 0, size, 0, 2, 0);
    expect(c.map((p) => [p.x, p.y])).toEqual([
      [2.5, 2.5],
      [7.5, 6.5],
    ]);
    const z = Math.exp(4) + 2 * Math.exp(3) + (size * size - 3);
    expect(c[0].logMass).toBeCloseTo(Math.log((Math.exp(4) + 8) / z), 6);
    // the 3x3 around (7, 6) holds both plateau cells and 7 zeros
    expect(c[1].logMass).toBeCloseTo(Math.log((2 * Math.exp(3) + 7) / z), 6);
  });
});

/** Five discs 20 mm apart down the image (4 cells at 5 mm per cell), at x = 5. */
function chainHeatmaps(size: number, swapChannel: number | null): Float32Array {
  const logits = new Float32Array(size * size * K).fill(-8);
  for (let c = 0; c < K; c++) {
    const y = 2 + 4 * c;
    logits[idx(size, 5, y, c)] = 6;
    // each channel also sees the discs next to its own, weaker
    if (c > 0) logits[idx(size, 5, y - 4, c)] = 2;
    if (c < K - 1) logits[idx(size, 5, y + 4, c)] = 2;
  }
  if (swapChannel !== null) {
    // this level's channel now peaks on the disc above, its own disc second
    const c = swapChannel;
    logits[idx(size, 5, 2 + 4 * c, c)] = 4;
    logits[idx(size, 5, 2 + 4 * (c - 1), c)] = 6;
  }
  return logits;
}

const PRIOR: LevelChainPrior = { gaps: [0, 1, 2, 3].map(() => ({ mean: [0, 20] as const, sd: 3 })) };

describe("level chain decoding", () => {
  it("moves a level that peaked on its neighbour's disc back to its own", () => {
    const size = 24;
    const logits = chainHeatmaps(size, 2);
    const [free] = decodeLevelChain(logits, 1, size, null, null);
    expect(free[2][1]).toBeCloseTo(6.5, 1); // L3/L4 on the L2/L3 disc
    const [chain] = decodeLevelChain(logits, 1, size, PRIOR, [[5, 5]]);
    chain.forEach(([x, y], c) => {
      expect(x).toBeCloseTo(5.5, 1);
      expect(y).toBeCloseTo(2.5 + 4 * c, 1);
    });
  });

  it("keeps confident peaks whose spacing differs from the prior's mean", () => {
    const size = 24;
    const logits = chainHeatmaps(size, null);
    // 6 mm per cell: steps of 24 mm against a mean of 20 (sd 3); each channel's own peak still wins
    const [chain] = decodeLevelChain(logits, 1, size, PRIOR, [[6, 6]]);
    chain.forEach(([, y], c) => expect(y).toBeCloseTo(2.5 + 4 * c, 1));
  });

  it("bestChain trades candidate mass against the step prior", () => {
    const cands = [
      [{ x: 0, y: 0, logMass: 0 }],
      [
        { x: 0, y: 1, logMass: -0.1 }, // strongest, but 5 mm from level 0
        { x: 0, y: 4, logMass: -3 }, // 20 mm: the prior's step
      ],
    ];
    const prior: LevelChainPrior = { gaps: [{ mean: [0, 20], sd: 3 }] };
    // cost of the near candidate: (5 - 20)^2 / 18 = 12.5 > 3 - 0.1
    expect(bestChain(cands, prior, [5, 5])).toEqual([0, 1]);
    // a wide prior lets the stronger candidate win: 225 / (2 * 100) = 1.125 < 2.9
    expect(bestChain(cands, { gaps: [{ mean: [0, 20], sd: 10 }] }, [5, 5])).toEqual([0, 0]);
  });
});

describe("fitLevelChainPrior", () => {
  it("learns each step's mean and isotropic spread in mm", () => {
    const line = (step: number, dx: number) =>
      [0, 1, 2, 3, 4].map((k) => [10 + dx * k, 10 + step * k] as [number, number]);
    const prior = fitLevelChainPrior([
      { points: line(10, 0), mmPerPx: [2, 2] }, // steps (0, 20) mm
      { points: line(14, 0), mmPerPx: [2, 2] }, // (0, 28)
      { points: line(6, 2), mmPerPx: [2, 3] }, // (4, 18)
      { points: null, mmPerPx: [1, 1] },
    ])!;
    expect(prior.gaps).toHaveLength(4);
    for (const g of prior.gaps) {
      expect(g.mean[0]).toBeCloseTo(4 / 3, 9);
      expect(g.mean[1]).toBeCloseTo(22, 9);
      const ss = (4 / 3) ** 2 * 2 + (8 / 3) ** 2 + 2 ** 2 + 6 ** 2 + 4 ** 2;
      expect(g.sd).toBeCloseTo(Math.sqrt(ss / 6), 9);
    }
  });

  it("floors the spread and needs enough labelled steps", () => {
    const same = [0, 1, 2, 3, 4].map((k) => [5, 5 + 10 * k] as [number, number]);
    const prior = fitLevelChainPrior(
      Array.from({ length: 4 }, () => ({ points: same, mmPerPx: [1, 1] as const })),
    );
    expect(prior!.gaps[0].sd).toBe(MIN_GAP_SD_MM);
    const gap = same.map((p, k) => (k === 2 ? ([NaN, NaN] as [number, number]) : p));
    expect(
      fitLevelChainPrior(Array.from({ length: 5 }, () => ({ points: gap, mmPerPx: [1, 1] as const }))),
    ).toBeNull();
  });
});
