import * as tf from "@tensorflow/tfjs";
import { sidePointSpec, type SidePointConfig } from "../config";
import type { Family } from "../data/schema";
import type { RefineGate } from "../gates";
import { pixelToLps, type Vec3 } from "../geometry";
import { buildSidePointNet, decodePeak, sidePointMapSize } from "../models";
import {
  familyOf,
  mirrorsWindow,
  SIDE_FAMILIES,
  sideWindow,
  windowToImage,
  type PlacedPoint,
  type SideFamily,
} from "../study";

/** A family's side-point net as the kernel builds, checkpoints and reloads it (the name keys its weights). */
export function buildSidePoints(cfg: SidePointConfig, family: SideFamily): tf.LayersModel {
  return buildSidePointNet(sidePointSpec(cfg), `pts_${family}`);
}

/** Per family, the fold models (averaged in logit space); an empty list keeps the projection. */
export type SidePointModels = Readonly<Record<SideFamily, readonly tf.LayersModel[]>>;

/** What became of a placed point: moved to the network's peak, or kept, and why. */
export type SidePointOutcome =
  "refined" | "no model" | "gate off" | "low peak" | "far from projection" | "window failed";

/** Where a point's net would move it: the best slice's peak, in the image and in patient space. */
export interface RefineCandidate {
  readonly slice: number;
  readonly x: number;
  readonly y: number;
  readonly lps: Vec3;
  /** The heatmap's peak (sigmoid) on that slice. */
  readonly peak: number;
  /** In-plane length of the move, mm. */
  readonly shiftMm: number;
}

/** A point's candidate, or why there is none. */
export type CandidateResult = RefineCandidate | "no model" | "window failed";

/** One window the network reads: a candidate slice around one placed point. */
interface Window {
  readonly point: number;
  readonly slice: number;
}

/**
 * Stage 1b's answers, index-aligned with `points`: for each point, windows centred on it on its slice
 * and `slicesEachSide + 1` slices either side; the slice whose heatmap peaks highest and that peak.
 */
export function refineCandidates(
  points: readonly PlacedPoint[],
  models: SidePointModels,
  cfg: SidePointConfig,
): CandidateResult[] {
  const out: CandidateResult[] = points.map(() => "no model");
  const P = cfg.inputPx;
  const mmPerPx = cfg.sizeMm / P;
  const reach = cfg.slicesEachSide + 1;
  for (const family of SIDE_FAMILIES) {
    const mine = points.map((p, i) => ({ p, i })).filter(({ p }) => familyOf(p) === family);
    if (!mine.length || !models[family].length) continue;
    const wins: Window[] = [];
    const pixels: Float32Array[] = [];
    const failed = new Set<number>();
    for (const { p, i } of mine) {
      for (let s = p.slice - reach; s <= p.slice + reach; s++) {
        if (s < 0 || s >= p.stack.planes.length) continue;
        try {
          pixels.push(sideWindow(p.stack, s, p.x, p.y, P, mmPerPx, mirrorsWindow(p.condition)));
          wins.push({ point: i, slice: s });
        } catch {
          failed.add(i);
        }
      }
    }
    const peaks = predictPeaks(models[family], pixels, cfg);
    for (const { p, i } of mine) {
      const own = wins.map((w, k) => ({ w, k })).filter(({ w }) => w.point === i);
      if (!own.length || failed.has(i)) {
        out[i] = "window failed";
        continue;
      }
      const best = own.reduce((a, b) => (peaks[b.k].peak > peaks[a.k].peak ? b : a));
      const peak = peaks[best.k];
      const at = windowToImage(p.stack, p, peak.x, peak.y, P, mmPerPx, mirrorsWindow(p.condition));
      out[i] = {
        slice: best.w.slice,
        x: at.x,
        y: at.y,
        lps: pixelToLps(p.stack.planes[best.w.slice], at.x, at.y),
        peak: peak.peak,
        shiftMm: Math.hypot(peak.x - P / 2, peak.y - P / 2) * mmPerPx,
      };
    }
  }
  return out;
}

/**
 * Apply the gates to the candidates: a point moves to its candidate where its family's stage 1b is on,
 * the peak reaches the gate's `minPeak` and the move is at most its `maxShiftMm`; otherwise it stays
 * (with the net's peak as its confidence when the net looked).
 */
export function applyRefinement(
  points: readonly PlacedPoint[],
  candidates: readonly CandidateResult[],
  gates: Readonly<Record<Family, RefineGate>>,
): { points: PlacedPoint[]; outcomes: { family: SideFamily; outcome: SidePointOutcome }[] } {
  const outcomes: { family: SideFamily; outcome: SidePointOutcome }[] = [];
  const moved = points.map((p, i): PlacedPoint => {
    const family = familyOf(p);
    const c = candidates[i];
    if (typeof c === "string") {
      outcomes.push({ family, outcome: c });
      return p;
    }
    const gate = gates[family];
    const outcome: SidePointOutcome = !gate.on
      ? "gate off"
      : c.peak < gate.minPeak
        ? "low peak"
        : c.shiftMm > gate.maxShiftMm
          ? "far from projection"
          : "refined";
    outcomes.push({ family, outcome });
    if (outcome !== "refined")
      return { ...p, confidence: p.placedBy === "localizer" ? p.confidence : c.peak };
    return { ...p, slice: c.slice, x: c.x, y: c.y, lps: c.lps, placedBy: "refinement", confidence: c.peak };
  });
  return { points: moved, outcomes };
}

/** Candidates of points by their identity and place: the same point, the same answer. */
export type CandidateMemo = Map<string, CandidateResult>;

const candidateKey = (p: PlacedPoint) =>
  `${p.condition}/${p.levelIndex}/${p.stack.seriesId}/${p.slice}/${p.x}/${p.y}`;

/**
 * refineCandidates through a memo: points already asked about are answered from it, the others
 * computed (in one call) and remembered. Pass 2 asks about the same points while it gathers the
 * gates' evidence and when it places them as decided.
 */
export function memoizedCandidates(
  memo: CandidateMemo,
  models: SidePointModels,
  cfg: SidePointConfig,
): (points: readonly PlacedPoint[]) => CandidateResult[] {
  return (points) => {
    const missing = points.filter((p) => !memo.has(candidateKey(p)));
    const fresh = refineCandidates(missing, models, cfg);
    missing.forEach((p, i) => memo.set(candidateKey(p), fresh[i]));
    return points.map((p) => memo.get(candidateKey(p))!);
  };
}

/** Stage 1b at test time and out of fold: candidates, then the gates. */
export function refineSidePoints(
  points: readonly PlacedPoint[],
  models: SidePointModels,
  cfg: SidePointConfig,
  gates: Readonly<Record<Family, RefineGate>>,
): ReturnType<typeof applyRefinement> {
  return applyRefinement(points, refineCandidates(points, models, cfg), gates);
}

/** Each window's heatmap peak (window pixels, centres at +0.5) with the fold models' mean logits. */
export function predictPeaks(
  models: readonly tf.LayersModel[],
  windows: readonly Float32Array[],
  cfg: SidePointConfig,
  batchSize = 64,
): { x: number; y: number; peak: number }[] {
  const P = cfg.inputPx;
  const cells = sidePointMapSize(sidePointSpec(cfg));
  const stride = P / cells;
  const out: { x: number; y: number; peak: number }[] = [];
  for (let start = 0; start < windows.length; start += batchSize) {
    const chunk = windows.slice(start, start + batchSize);
    const data = new Float32Array(chunk.length * P * P);
    chunk.forEach((w, i) => data.set(w, i * P * P));
    const logits = tf.tidy(() => {
      const x = tf.tensor4d(data, [chunk.length, P, P, 1]);
      const sum = models.map((m) => m.predict(x) as tf.Tensor).reduce((a, b) => tf.add(a, b));
      return tf.div(sum, models.length);
    });
    const flat = logits.dataSync();
    logits.dispose();
    chunk.forEach((_, i) => {
      const p = decodePeak(flat.subarray(i * cells * cells, (i + 1) * cells * cells), cells);
      out.push({ x: p.x * stride, y: p.y * stride, peak: p.peak });
    });
  }
  return out;
}
