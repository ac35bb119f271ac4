import * as tf from "@tensorflow/tfjs";
import { LEVELS } from "../data/schema";
import { localizerSpec, localizerTrainingConfig, type LocalizerConfig } from "../config";
import {
  buildLocalizer,
  fitLevelChainPrior,
  gaussianTargets,
  heatmapSize,
  spatialSoftmaxCe,
} from "../models";
import { spatialSoftmaxCeGraph } from "../models/graph-losses";
import { localizerInitFile } from "../models/shipped";
import { loadModelWeights } from "../models/weights-file";
import { predictLevels } from "../infer";
import {
  loadLocalizers,
  mapChunks,
  PREDICT_CHUNK,
  type LocalizerSampleLike,
  type SampleStore,
} from "../cache";
import { bilinearZero, type LocalizerSample } from "../study";
import type { Rng } from "../util/rng";
import { fitUnit, heatmapBatch, unitBasics, type Batch, type TrainLoss, type UnitRun } from "./fit";
import { randomizeIntensity } from "./randomize";
import { mathRandomSeed, withSeededMathRandom } from "./seeded-random";

/**
 * A geometric view of a localizer sample: output pixel (U, V) (continuous, pixel centres at +0.5)
 * shows source point c + zoom * R(rotateRad) * ((U, V) - c) - (sx, sy), c the image centre.
 */
export interface LocalizerView {
  readonly zoom: number;
  readonly rotateRad: number;
  readonly sx: number;
  readonly sy: number;
  readonly gain: number;
}

/** A random view within the configured shift, zoom and rotation ranges, plus an intensity gain. */
function randomLocalizerView(px: number, cfg: LocalizerConfig, rng: Rng): LocalizerView {
  return {
    zoom: rng.uniform(cfg.zoom[0], cfg.zoom[1]),
    rotateRad: (rng.uniform(-cfg.rotateDeg, cfg.rotateDeg) * Math.PI) / 180,
    sx: rng.uniform(-cfg.shiftFrac, cfg.shiftFrac) * px,
    sy: rng.uniform(-cfg.shiftFrac, cfg.shiftFrac) * px,
    gain: 1 + rng.uniform(-0.2, 0.2),
  };
}

/**
 * Resample a px x px image through a view into out at offset (zero outside the source) and map its
 * points the same way (source (x, y) -> c + R(-rotateRad) * ((x, y) - c + (sx, sy)) / zoom).
 */
export function warpSample(
  image: Float32Array,
  points: readonly (readonly [number, number])[],
  px: number,
  view: LocalizerView,
  out: Float32Array,
  offset: number,
): [number, number][] {
  const { zoom, sx, sy, gain } = view;
  const cos = Math.cos(view.rotateRad);
  const sin = Math.sin(view.rotateRad);
  const c = px / 2;
  for (let v = 0; v < px; v++) {
    for (let u = 0; u < px; u++) {
      const du = u + 0.5 - c;
      const dv = v + 0.5 - c;
      const x = c + zoom * (cos * du - sin * dv) - sx - 0.5;
      const y = c + zoom * (sin * du + cos * dv) - sy - 0.5;
      out[offset + v * px + u] = gain * bilinearZero(image, px, px, x, y);
    }
  }
  return points.map(([x, y]) => {
    const dx = (x - c + sx) / zoom;
    const dy = (y - c + sy) / zoom;
    return [c + cos * dx + sin * dy, c - sin * dx + cos * dy];
  });
}

/**
 * A training view of a sample: its slice randomized in intensity (when configured; before the warp,
 * so the padding the warp brings in stays 0 like a real letterbox), then shifted, zoomed and rotated
 * with its points.
 */
function augmentSample(
  s: LocalizerSample,
  px: number,
  cfg: LocalizerConfig,
  rng: Rng,
  out: Float32Array,
  offset: number,
): [number, number][] {
  let image = s.image;
  if (cfg.randomize) {
    image = Float32Array.from(s.image);
    randomizeIntensity(rng, cfg.randomize, image, px, px);
  }
  const points = s.points ?? LEVELS.map(() => [NaN, NaN] as const);
  return warpSample(image, points, px, randomLocalizerView(px, cfg, rng), out, offset);
}

/** Batches of augmented samples with Gaussian heatmap targets; a batch's images are read when it is made. */
export function* localizerBatches(
  samples: readonly LocalizerSampleLike[],
  cfg: LocalizerConfig,
  rng: Rng,
  load: (chosen: readonly LocalizerSampleLike[]) => LocalizerSample[],
): Iterable<Batch> {
  const px = cfg.inputPx;
  const size = heatmapSize(localizerSpec(cfg));
  const stride = px / size;
  const order = rng.shuffle(samples.map((_, i) => i));
  for (let start = 0; start < order.length; start += cfg.batchSize) {
    const ids = order.slice(start, start + cfg.batchSize);
    const batch = load(ids.map((id) => samples[id]));
    const images = new Float32Array(ids.length * px * px);
    const points = batch.map((s, b) =>
      augmentSample(s, px, cfg, rng, images, b * px * px).map(([x, y]) => [x / stride, y / stride] as const),
    );
    const x = tf.tensor4d(images, [ids.length, px, px, 1]);
    yield heatmapBatch(x, gaussianTargets(points, size, cfg.sigmaCells));
  }
}

/** The localizer's loss: spatial softmax cross entropy against the target heatmaps, in both forms. */
export function localizerLoss(cfg: LocalizerConfig): TrainLoss {
  return {
    eager: (out, t) => spatialSoftmaxCe(out as tf.Tensor4D, t.target as tf.Tensor4D),
    graph: spatialSoftmaxCeGraph(heatmapSize(localizerSpec(cfg))),
  };
}

/**
 * Each labelled level's distance from its predicted point, in input pixels or in mm (each sample's
 * mmPerPx: a letterboxed slice's pixels need not be square). Unlabelled levels are skipped.
 */
export function levelPointErrors(
  pred: readonly (readonly (readonly [number, number])[])[],
  samples: readonly Pick<LocalizerSample, "points" | "mmPerPx">[],
  units: "px" | "mm",
): number[] {
  const errors: number[] = [];
  pred.forEach((pts, i) => {
    const { points: truth, mmPerPx } = samples[i];
    const [sx, sy] = units === "mm" ? mmPerPx : [1, 1];
    if (!truth) return;
    pts.forEach(([x, y], k) => {
      const [tx, ty] = truth[k];
      if (Number.isFinite(tx)) errors.push(Math.hypot((x - tx) * sx, (y - ty) * sy));
    });
  });
  return errors;
}

/** Mean distance (input pixels) between predicted and labelled points: the early-stopping score. */
export function meanPointError(
  pred: readonly [number, number][][],
  samples: readonly Pick<LocalizerSample, "points" | "mmPerPx">[],
): number {
  const errors = levelPointErrors(pred, samples, "px");
  return errors.length ? errors.reduce((a, b) => a + b, 0) / errors.length : NaN;
}

/**
 * Train one fold's localizer (resumable in `dir`), early-stopped on the validation point error.
 * Samples may be references into `store` (lib/cache), read a batch (validation: a chunk) at a time.
 */
export async function fitLocalizer(
  opts: UnitRun & {
    train: readonly LocalizerSampleLike[];
    valid: readonly LocalizerSampleLike[];
    /** Where referenced samples' images are (not needed when every sample is in memory). */
    store?: SampleStore;
    cfg: LocalizerConfig;
  },
): Promise<tf.LayersModel> {
  const cfg = localizerTrainingConfig(opts.cfg);
  const load = (samples: readonly LocalizerSampleLike[]) => loadLocalizers(samples, opts.store);
  // Seeded initial weights: the unit is the same wherever and whenever it is trained.
  const model = withSeededMathRandom(mathRandomSeed(opts.seed, "init"), () =>
    buildLocalizer(localizerSpec(cfg)),
  );
  // A fresh unit starts from the init weights; a resumed one from its checkpoint (fitUnit).
  if (cfg.init !== null) loadModelWeights(localizerInitFile(cfg.init), model);
  const train = opts.train.filter((s) => s.points);
  const valid = opts.valid.filter((s) => s.points);
  // Chain decoding during validation too: the best epoch is the one that decodes best as used.
  const prior = fitLevelChainPrior(train);
  await fitUnit({
    ...unitBasics(opts, cfg),
    model,
    batchesPerEpoch: Math.ceil(train.length / cfg.batchSize),
    loss: localizerLoss(cfg),
    trainBatches: (_epoch, rng) => localizerBatches(train, cfg, rng, load),
    evaluate: async (m, epoch): Promise<{ score: number } & Record<string, number>> => {
      // Without a validation set keep the last epoch: a falling fake score always "improves".
      if (!valid.length) return { score: -epoch };
      const pred = mapChunks(valid, PREDICT_CHUNK, (part) => predictLevels([m], load(part), cfg, prior));
      const score = meanPointError(pred, valid);
      return { score, pointErrorPx: score };
    },
  });
  return model;
}
