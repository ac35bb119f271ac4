import * as tf from "@tensorflow/tfjs";
import type { Family, SeverityIndex } from "../data/schema";
import type { ClassifierConfig } from "../config";
import { anySevereSpinalLoss, weightedCrossEntropy } from "../models";
import { scoreSubmission, type Probs3 } from "../metric";
import { buildFamilyClassifier, predictSamples } from "../infer";
import { loadCrops, mapChunks, PREDICT_CHUNK, type CropSampleLike, type SampleStore } from "../cache";
import { mirrorKind, renderInputs, sampleKey, type CropSample } from "../study";
import type { Rng } from "../util/rng";
import { randomView } from "./augment";
import { severityLossGraph } from "../models/graph-losses";
import { fitUnit, unitBasics, type Batch, type TrainLoss, type UnitRun } from "./fit";
import { mathRandomSeed, withSeededMathRandom } from "./seeded-random";

/**
 * Shuffled, augmented batches; the spinal loss adds the any-severe term over each batch's studies.
 * Each epoch a point is seen once, half the time (when there is one) through its `alternates` crop:
 * the crop at the localized position, which is how test studies are seen. A batch's crops are read
 * (from the cache, for references) when the batch is made.
 */
function* classifierBatches(
  samples: readonly CropSampleLike[],
  alternates: ReadonlyMap<string, CropSampleLike>,
  cfg: ClassifierConfig,
  family: Family,
  rng: Rng,
  load: (chosen: readonly CropSampleLike[]) => CropSample[],
): Iterable<Batch> {
  const order = rng.shuffle(samples.map((_, i) => i));
  for (let start = 0; start < order.length; start += cfg.batchSize) {
    const chosen = order.slice(start, start + cfg.batchSize).map((i) => {
      const alt = alternates.get(sampleKey(samples[i]));
      return alt && rng.bool() ? alt : samples[i];
    });
    const batch = load(chosen);
    const views = batch.map(() => randomView(rng, cfg.augment, mirrorKind(family)));
    const [crop, meta] = renderInputs(batch, views, cfg, family);
    const labels = tf.tensor1d(
      batch.map((s) => s.label ?? 0),
      "int32",
    );
    const any = anySevereWeight(cfg, family) !== null ? anySevereInputs(batch) : null;
    yield {
      inputs: [crop, meta],
      size: batch.length,
      targets: { labels, ...(any && { any_mask: any.mask, any_label: any.label }) },
    };
  }
}

/** The weight of the any-severe term in a family's loss: spinal only, null when off. */
function anySevereWeight(cfg: ClassifierConfig, family: Family): number | null {
  return family === "spinal" && cfg.anySevereWeight > 0 ? cfg.anySevereWeight : null;
}

/** A family's loss: weighted cross entropy, plus the weighted any-severe term for spinal, in both forms. */
export function classifierLoss(cfg: ClassifierConfig, family: Family): TrainLoss {
  const anyWeight = anySevereWeight(cfg, family);
  return {
    eager: (out, t) => {
      const ce = weightedCrossEntropy(t.labels as tf.Tensor1D, out as tf.Tensor2D);
      if (anyWeight === null) return ce;
      const any = anySevereMasked(out as tf.Tensor2D, t.any_mask as tf.Tensor2D, t.any_label as tf.Tensor1D);
      return tf.add(ce, tf.mul(anyWeight, any)) as tf.Scalar;
    },
    graph: severityLossGraph(anyWeight),
  };
}

/** Study membership mask [S, B] and per-study any-severe label [S] for a batch of spinal samples. */
function anySevereInputs(batch: readonly CropSample[]): { mask: tf.Tensor2D; label: tf.Tensor1D } {
  const studies = [...new Set(batch.map((s) => s.studyId))];
  const mask = new Float32Array(studies.length * batch.length);
  const label = new Float32Array(studies.length);
  batch.forEach((s, b) => {
    const k = studies.indexOf(s.studyId);
    mask[k * batch.length + b] = 1;
    if (s.label === 2) label[k] = 1;
  });
  return { mask: tf.tensor2d(mask, [studies.length, batch.length]), label: tf.tensor1d(label) };
}

/** any-severe BCE where P(any) = max P(severe) over each study's samples in the batch. */
function anySevereMasked(probs: tf.Tensor2D, mask: tf.Tensor2D, label: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const severe = tf.reshape(tf.slice(probs, [0, 2], [-1, 1]), [1, -1]);
    const p = tf.max(tf.mul(mask, severe), 1);
    // Reuse anySevereSpinalLoss's BCE by giving it [S, 3] rows whose "severe" column is p, levels = 1.
    const rows = tf.stack([tf.zerosLike(p), tf.zerosLike(p), p], 1) as tf.Tensor2D;
    return anySevereSpinalLoss(rows, label, 1);
  });
}

/** What a sample's row and label are (a sample in memory or a reference to one in the cache). */
type RowSample = Pick<CropSample, "studyId" | "condition" | "levelIndex" | "label">;

/** Row-id keyed predictions and labels of samples, for lib/metric. */
export function asRows(
  samples: readonly RowSample[],
  probs: readonly Probs3[],
): { preds: Map<string, Probs3>; labels: Map<string, SeverityIndex> } {
  const preds = new Map<string, Probs3>();
  const labels = new Map<string, SeverityIndex>();
  samples.forEach((s, i) => {
    const id = sampleKey(s);
    preds.set(id, probs[i]);
    if (s.label !== null) labels.set(id, s.label);
  });
  return { preds, labels };
}

/** The metric on one family's samples (its family term, plus any_severe_spinal for spinal). */
export function familyScore(samples: readonly RowSample[], probs: readonly Probs3[]): number {
  const { preds, labels } = asRows(samples, probs);
  if (labels.size === 0) return NaN;
  return scoreSubmission(labels, preds).score;
}

/**
 * Train one family's classifier on one fold (resumable), early-stopped on the validation metric.
 * Samples may be references into `store` (lib/cache): then a batch's crops are read per batch and
 * validation's a chunk at a time, never the whole set.
 */
export async function fitClassifier(
  opts: UnitRun & {
    family: Family;
    train: readonly CropSampleLike[];
    /** Crops of the same train points at localized positions, mixed in half the time. */
    trainAlternates?: readonly CropSampleLike[];
    valid: readonly CropSampleLike[];
    /** Where referenced samples' crops are (not needed when every sample is in memory). */
    store?: SampleStore;
    cfg: ClassifierConfig;
    tta: boolean;
  },
): Promise<tf.LayersModel> {
  const { cfg, family } = opts;
  const load = (samples: readonly CropSampleLike[]) => loadCrops(samples, opts.store);
  // Seeded initial weights: the unit is the same wherever and whenever it is trained.
  const model = withSeededMathRandom(mathRandomSeed(opts.seed, "init"), () =>
    buildFamilyClassifier(cfg, family),
  );
  const train = opts.train.filter((s) => s.label !== null);
  const valid = opts.valid.filter((s) => s.label !== null);
  const alternates = new Map(
    (opts.trainAlternates ?? []).filter((s) => s.label !== null).map((s) => [sampleKey(s), s]),
  );
  await fitUnit({
    ...unitBasics(opts, cfg),
    model,
    batchesPerEpoch: Math.ceil(train.length / cfg.batchSize),
    loss: classifierLoss(cfg, family),
    trainBatches: (_epoch, rng) => classifierBatches(train, alternates, cfg, family, rng, load),
    evaluate: async (m, epoch): Promise<{ score: number } & Record<string, number>> => {
      // Without a validation set keep the last epoch: a falling fake score always "improves".
      if (!valid.length) return { score: -epoch };
      const probs = mapChunks(valid, PREDICT_CHUNK, (part) =>
        predictSamples([m], load(part), cfg, family, false),
      );
      return { score: familyScore(valid, probs) };
    },
  });
  return model;
}
