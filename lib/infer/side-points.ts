import * as tf from "@tensorflow/tfjs";
import { sidePointSpec, type SidePointConfig } from "../config";
import { pixelToLps } from "../geometry";
import { buildSidePointNet, decodePeak, sidePointMapSize } from "../models";
import {
  familyOf,
  mirrorsWindow,
  SIDE_FAMILIES,
  sideWindow,
  windowToImage,
  type PointLocation,
  type SideFamily,
} from "../study";

/** A family's side-point net as the kernel builds, checkpoints and reloads it (the name keys its weights). */
export function buildSidePoints(cfg: SidePointConfig, family: SideFamily): tf.LayersModel {
  return buildSidePointNet(sidePointSpec(cfg), `pts_${family}`);
}

/** Per family, the fold models (averaged in logit space); an empty list keeps the projection. */
export type SidePointModels = Readonly<Record<SideFamily, readonly tf.LayersModel[]>>;

/** What became of a projected side point: moved to the network's peak, or kept, and why. */
export type SidePointOutcome = "refined" | "no model" | "low peak" | "far from projection" | "window failed";

/** One window the network reads: a candidate slice around one projected point. */
interface Candidate {
  readonly point: number;
  readonly slice: number;
}

/**
 * Stage 1b at test time (and out of fold): for each projected foraminal / subarticular point, read
 * windows centred on the projection on its slice and `slicesEachSide + 1` slices either side, keep
 * the slice whose heatmap peaks highest and move the point to that peak (patient space via the
 * slice's plane). The projection stays where there is no model, the peak is low (`minPeak`), the
 * move is longer than `maxShiftMm`, or no window can be cut. Spinal points pass through.
 */
export function refineSidePoints(
  points: readonly PointLocation[],
  models: SidePointModels,
  cfg: SidePointConfig,
): { points: PointLocation[]; outcomes: { family: SideFamily; outcome: SidePointOutcome }[] } {
  const out = [...points];
  const outcomes: { family: SideFamily; outcome: SidePointOutcome }[] = [];
  const P = cfg.inputPx;
  const mmPerPx = cfg.sizeMm / P;
  const reach = cfg.slicesEachSide + 1;
  for (const family of SIDE_FAMILIES) {
    const mine = points.map((p, i) => ({ p, i })).filter(({ p }) => familyOf(p) === family);
    if (!mine.length) continue;
    if (!models[family].length) {
      mine.forEach(() => outcomes.push({ family, outcome: "no model" }));
      continue;
    }
    const cands: Candidate[] = [];
    const windows: Float32Array[] = [];
    const failed = new Set<number>();
    for (const { p, i } of mine) {
      for (let s = p.slice - reach; s <= p.slice + reach; s++) {
        if (s < 0 || s >= p.stack.planes.length) continue;
        try {
          windows.push(sideWindow(p.stack, s, p.x, p.y, P, mmPerPx, mirrorsWindow(p.condition)));
          cands.push({ point: i, slice: s });
        } catch {
          failed.add(i);
        }
      }
    }
    const peaks = predictPeaks(models[family], windows, cfg);
    for (const { p, i } of mine) {
      const mineC = cands.map((c, k) => ({ c, k })).filter(({ c }) => c.point === i);
      if (!mineC.length || failed.has(i)) {
        outcomes.push({ family, outcome: "window failed" });
        continue;
      }
      const best = mineC.reduce((a, b) => (peaks[b.k].peak > peaks[a.k].peak ? b : a));
      const peak = peaks[best.k];
      const at = windowToImage(p.stack, p, peak.x, peak.y, P, mmPerPx, mirrorsWindow(p.condition));
      const shiftMm = Math.hypot(peak.x - P / 2, peak.y - P / 2) * mmPerPx;
      const outcome: SidePointOutcome =
        peak.peak < cfg.minPeak ? "low peak" : shiftMm > cfg.maxShiftMm ? "far from projection" : "refined";
      outcomes.push({ family, outcome });
      if (outcome !== "refined") continue;
      const plane = p.stack.planes[best.c.slice];
      out[i] = { ...p, slice: best.c.slice, x: at.x, y: at.y, lps: pixelToLps(plane, at.x, at.y) };
    }
  }
  return { points: out, outcomes };
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
