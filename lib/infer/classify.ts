import * as tf from "@tensorflow/tfjs";
import type { Family } from "../data/schema";
import type { ClassifierConfig } from "../config";
import type { Probs3 } from "../metric";
import { IDENTITY_VIEW, mirrorKind, renderInputs, type CropSample, type CropView } from "../study";

/**
 * Probabilities for samples, averaged over models (folds) and views (identity, plus the mirror when
 * `tta`). Returns one Probs3 per sample, in order.
 */
export function predictSamples(
  models: readonly tf.LayersModel[],
  samples: readonly CropSample[],
  cfg: ClassifierConfig,
  family: Family,
  tta: boolean,
  batchSize = 64,
): Probs3[] {
  const byTta = predictViews(models, samples, cfg, family, tta, batchSize);
  return tta ? byTta.tta : byTta.plain;
}

/**
 * predictSamples' answers without and with the mirror TTA, from one pass per view: the identity view's
 * sums are the plain answer on the way to the mirrored one (the same numbers either call gives).
 */
export function predictSamplesByTta(
  models: readonly tf.LayersModel[],
  samples: readonly CropSample[],
  cfg: ClassifierConfig,
  family: Family,
  batchSize = 64,
): Record<"plain" | "tta", Probs3[]> {
  return predictViews(models, samples, cfg, family, true, batchSize);
}

function predictViews(
  models: readonly tf.LayersModel[],
  samples: readonly CropSample[],
  cfg: ClassifierConfig,
  family: Family,
  tta: boolean,
  batchSize: number,
): Record<"plain" | "tta", Probs3[]> {
  const views: CropView[] = [
    IDENTITY_VIEW,
    ...(tta ? [{ ...IDENTITY_VIEW, mirror: mirrorKind(family) }] : []),
  ];
  const out = { plain: [] as Probs3[], tta: [] as Probs3[] };
  for (let start = 0; start < samples.length; start += batchSize) {
    const chunk = samples.slice(start, start + batchSize);
    const sum = new Float64Array(chunk.length * 3);
    views.forEach((view, v) => {
      const [crop, meta] = renderInputs(
        chunk,
        chunk.map(() => view),
        cfg,
        family,
      );
      for (const m of models) {
        const p = m.predict([crop, meta]) as tf.Tensor;
        const d = p.dataSync();
        for (let i = 0; i < d.length; i++) sum[i] += d[i];
        p.dispose();
      }
      crop.dispose();
      meta.dispose();
      const n = (v + 1) * models.length;
      const into = v === 0 ? out.plain : out.tta;
      for (let i = 0; i < chunk.length; i++)
        into.push([sum[3 * i] / n, sum[3 * i + 1] / n, sum[3 * i + 2] / n]);
    });
  }
  return out;
}
