import { LEVELS } from "../data/schema";

/**
 * Decoding the localizer's five heatmaps as one chain of discs instead of five independent argmaxes.
 * Independent decoding fails in one typical way: a level's channel peaks on the neighbouring disc
 * (two levels on one disc, ~30 mm off), even when its own disc is the second peak. A chain prior on the
 * step from each level to the next (mean displacement and spread in mm, learned from the training
 * labels) picks, among each channel's peaks, the ordered, plausibly spaced set (Viterbi).
 */

/** The step from level k to level k + 1, in mm along the frame's (u: columns, v: rows) axes. */
export interface LevelGap {
  readonly mean: readonly [number, number];
  /** Isotropic spread of the step, mm (floored: a few studies must not make the prior rigid). */
  readonly sd: number;
}

export interface LevelChainPrior {
  /** LEVELS.length - 1 gaps: L1/L2 -> L2/L3, ..., L4/L5 -> L5/S1. */
  readonly gaps: readonly LevelGap[];
}

/** One sample's level points (frame pixels, NaN when unlabelled) and the frame's mm per pixel (u, v). */
export interface ChainSample {
  readonly points: readonly (readonly [number, number])[] | null;
  readonly mmPerPx: readonly [number, number];
}

/** Smallest spread allowed, mm: below the labels' own jitter the prior would override the image. */
export const MIN_GAP_SD_MM = 3;

/**
 * Mean step and spread between consecutive labelled levels. Null when some gap has fewer than
 * `minSamples` examples (then decoding stays independent).
 */
export function fitLevelChainPrior(samples: readonly ChainSample[], minSamples = 3): LevelChainPrior | null {
  const gaps: LevelGap[] = [];
  for (let k = 0; k + 1 < LEVELS.length; k++) {
    const steps: [number, number][] = [];
    for (const s of samples) {
      const a = s.points?.[k];
      const b = s.points?.[k + 1];
      if (!a || !b || ![...a, ...b].every(Number.isFinite)) continue;
      steps.push([(b[0] - a[0]) * s.mmPerPx[0], (b[1] - a[1]) * s.mmPerPx[1]]);
    }
    if (steps.length < minSamples) return null;
    const mean: [number, number] = [0, 1].map((i) => steps.reduce((t, d) => t + d[i], 0) / steps.length) as [
      number,
      number,
    ];
    const ss = steps.reduce((t, d) => t + (d[0] - mean[0]) ** 2 + (d[1] - mean[1]) ** 2, 0);
    gaps.push({ mean, sd: Math.max(MIN_GAP_SD_MM, Math.sqrt(ss / (2 * steps.length))) });
  }
  return { gaps };
}

/** A peak of one channel: position in cell units (centres at +0.5) and log probability mass near it. */
export interface Candidate {
  readonly x: number;
  readonly y: number;
  readonly logMass: number;
}

/**
 * The `maxCandidates` strongest local maxima of one channel of heatmap logits [H, H, K] (channel c),
 * after a spatial log-softmax. Each is refined by a soft-argmax in a (2*window+1)^2 window and scored
 * by the log of the probability in the 3x3 cells around it. Strongest first.
 */
export function channelCandidates(
  logits: Float32Array,
  offset: number,
  size: number,
  c: number,
  maxCandidates = 6,
  window = 2,
): Candidate[] {
  const k = LEVELS.length;
  const at = (x: number, y: number) => logits[offset + (y * size + x) * k + c];
  let max = -Infinity;
  for (let i = 0; i < size * size; i++) max = Math.max(max, logits[offset + i * k + c]);
  let sum = 0;
  for (let i = 0; i < size * size; i++) sum += Math.exp(logits[offset + i * k + c] - max);
  const logZ = max + Math.log(sum);
  const peaks: { x: number; y: number; v: number }[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = at(x, y);
      let isPeak = true;
      for (let dy = -1; dy <= 1 && isPeak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if ((dx || dy) && xx >= 0 && yy >= 0 && xx < size && yy < size && at(xx, yy) > v) {
            isPeak = false;
            break;
          }
        }
      }
      if (isPeak) peaks.push({ x, y, v });
    }
  }
  // Strongest first; on plateaus keep the first of touching peaks (stable: row-major order breaks ties).
  peaks.sort((a, b) => b.v - a.v || a.y - b.y || a.x - b.x);
  const kept: { x: number; y: number; v: number }[] = [];
  for (const p of peaks) {
    if (kept.some((q) => Math.abs(q.x - p.x) <= 1 && Math.abs(q.y - p.y) <= 1)) continue;
    kept.push(p);
    if (kept.length === maxCandidates) break;
  }
  return kept.map((p) => {
    let sw = 0;
    let sx = 0;
    let sy = 0;
    for (let y = Math.max(0, p.y - window); y <= Math.min(size - 1, p.y + window); y++) {
      for (let x = Math.max(0, p.x - window); x <= Math.min(size - 1, p.x + window); x++) {
        const w = Math.exp(at(x, y) - p.v);
        sw += w;
        sx += w * (x + 0.5);
        sy += w * (y + 0.5);
      }
    }
    let mass = 0;
    for (let y = Math.max(0, p.y - 1); y <= Math.min(size - 1, p.y + 1); y++)
      for (let x = Math.max(0, p.x - 1); x <= Math.min(size - 1, p.x + 1); x++)
        mass += Math.exp(at(x, y) - logZ);
    return { x: sx / sw, y: sy / sw, logMass: Math.log(mass) };
  });
}

/**
 * Viterbi over the levels: one candidate per level maximising the sum of candidate log masses plus
 * the Gaussian log prior of each step (mm, from `mmPerCell`). Returns the chosen index per level.
 */
export function bestChain(
  candidates: readonly (readonly Candidate[])[],
  prior: LevelChainPrior,
  mmPerCell: readonly [number, number],
): number[] {
  const n = candidates.length;
  let score = candidates[0].map((c) => c.logMass);
  const back: number[][] = [];
  for (let k = 1; k < n; k++) {
    const gap = prior.gaps[k - 1];
    const prev = candidates[k - 1];
    const next: number[] = [];
    const from: number[] = [];
    for (const c of candidates[k]) {
      let best = -Infinity;
      let arg = 0;
      prev.forEach((p, i) => {
        const du = (c.x - p.x) * mmPerCell[0] - gap.mean[0];
        const dv = (c.y - p.y) * mmPerCell[1] - gap.mean[1];
        const s = score[i] - (du * du + dv * dv) / (2 * gap.sd * gap.sd);
        if (s > best) [best, arg] = [s, i];
      });
      next.push(best + c.logMass);
      from.push(arg);
    }
    score = next;
    back.push(from);
  }
  let last = score.indexOf(Math.max(...score));
  const chosen = [last];
  for (let k = n - 1; k >= 1; k--) {
    last = back[k - 1][last];
    chosen.unshift(last);
  }
  return chosen;
}

/** A decoded level: position in cell units and the probability mass of the 3x3 cells around it. */
export interface DecodedLevel {
  readonly x: number;
  readonly y: number;
  readonly mass: number;
}

/**
 * Decode heatmap logits [n, H, H, 5] (flat) into (x, y) per level in cell units, with the
 * probability mass around each chosen peak. With a prior, the five points form the best chain among
 * each channel's peaks; without one (or `mmPerCell` missing) each level takes its own strongest peak.
 */
export function decodeLevels(
  logits: Float32Array,
  n: number,
  size: number,
  prior: LevelChainPrior | null,
  mmPerCell: readonly (readonly [number, number])[] | null,
  opts: { maxCandidates?: number; window?: number } = {},
): DecodedLevel[][] {
  const k = LEVELS.length;
  const out: DecodedLevel[][] = [];
  for (let s = 0; s < n; s++) {
    const offset = s * size * size * k;
    const useChain = prior !== null && mmPerCell !== null;
    const cands = LEVELS.map((_, c) =>
      channelCandidates(logits, offset, size, c, useChain ? (opts.maxCandidates ?? 6) : 1, opts.window ?? 2),
    );
    const chosen = useChain ? bestChain(cands, prior, mmPerCell[s]) : cands.map(() => 0);
    out.push(
      chosen.map((i, c) => ({ x: cands[c][i].x, y: cands[c][i].y, mass: Math.exp(cands[c][i].logMass) })),
    );
  }
  return out;
}

/** decodeLevels' positions only. */
export function decodeLevelChain(
  logits: Float32Array,
  n: number,
  size: number,
  prior: LevelChainPrior | null,
  mmPerCell: readonly (readonly [number, number])[] | null,
  opts: { maxCandidates?: number; window?: number } = {},
): [number, number][][] {
  return decodeLevels(logits, n, size, prior, mmPerCell, opts).map((pts) => pts.map((p) => [p.x, p.y]));
}
