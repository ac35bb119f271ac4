import * as tf from "@tensorflow/tfjs";
import { localizerSpec, type LocalizerConfig } from "../config";
import { decodeLevels, heatmapSize, type LevelChainPrior } from "../models";
import type { LocalizerInput } from "../study";

/**
 * Level points of each input, in input pixels. Several models (folds) are averaged in logit space,
 * then decoded as a chain of levels under `prior` (independent peaks when it is null).
 */
export function predictLevels(
  models: readonly tf.LayersModel[],
  inputs: readonly LocalizerInput[],
  cfg: LocalizerConfig,
  prior: LevelChainPrior | null,
  batchSize = 16,
): [number, number][][] {
  return predictScoredLevels(models, inputs, cfg, prior, batchSize).map((l) => l.points);
}

/** The level points of each input (input pixels) and the heatmap's probability mass around each. */
export interface ScoredLevels {
  readonly points: [number, number][];
  readonly mass: number[];
}

/** predictLevels with each level's probability mass: the localizer's confidence. */
export function predictScoredLevels(
  models: readonly tf.LayersModel[],
  inputs: readonly LocalizerInput[],
  cfg: LocalizerConfig,
  prior: LevelChainPrior | null,
  batchSize = 16,
): ScoredLevels[] {
  const px = cfg.inputPx;
  const size = heatmapSize(localizerSpec(cfg));
  const stride = px / size;
  const out: ScoredLevels[] = [];
  for (let start = 0; start < inputs.length; start += batchSize) {
    const chunk = inputs.slice(start, start + batchSize);
    const data = new Float32Array(chunk.length * px * px);
    chunk.forEach((s, i) => data.set(s.image, i * px * px));
    const logits = tf.tidy(() => {
      const x = tf.tensor4d(data, [chunk.length, px, px, 1]);
      const sum = models.map((m) => m.predict(x) as tf.Tensor).reduce((a, b) => tf.add(a, b));
      return tf.div(sum, models.length);
    });
    const flat = logits.dataSync() as Float32Array;
    logits.dispose();
    const mmPerCell = chunk.map((s) => [s.mmPerPx[0] * stride, s.mmPerPx[1] * stride] as const);
    for (const pts of decodeLevels(flat, chunk.length, size, prior, mmPerCell))
      out.push({ points: pts.map((p) => [p.x * stride, p.y * stride]), mass: pts.map((p) => p.mass) });
  }
  return out;
}
