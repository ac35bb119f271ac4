import * as tf from "@tensorflow/tfjs";
import type { SidePointConfig } from "../config";
import { decodePeak, sidePointLoss, sidePointMapSize, sidePointTargets } from "../models";
import { sidePointSpec } from "../config";
import { sidePointLossGraph } from "../models/graph-losses";
import { buildSidePoints } from "../infer/side-points";
import type { SideFamily, SidePointSample } from "../study";
import { Rng } from "../util/rng";
import { fitUnit, heatmapBatch, unitBasics, type Batch, type TrainLoss, type UnitRun } from "./fit";
import { randomizeIntensity } from "./randomize";
import { mathRandomSeed, withSeededMathRandom } from "./seeded-random";

/** A drawn training view of a sample: which stored slice, the window's offset from centre (px), a gain. */
interface WindowDraw {
  readonly k: number;
  readonly dx: number;
  readonly dy: number;
  readonly gain: number;
}

/**
 * Cut the network's input window out of a stored sample: slice k, shifted by (dx, dy) pixels, into
 * out at offset. Returns the labelled point in window pixels (it sits at the stored window's centre).
 */
export function drawWindow(
  s: SidePointSample,
  cfg: SidePointConfig,
  d: WindowDraw,
  out: Float32Array,
  offset: number,
): { x: number; y: number } {
  const { size, data, scale = 1, offset: lo = 0 } = s.crop;
  const P = cfg.inputPx;
  const x0 = (size - P) / 2 + d.dx;
  const y0 = (size - P) / 2 + d.dy;
  const base = d.k * size * size;
  for (let v = 0; v < P; v++)
    for (let u = 0; u < P; u++)
      out[offset + v * P + u] = d.gain * (data[base + (y0 + v) * size + x0 + u] * scale + lo);
  return { x: P / 2 - d.dx, y: P / 2 - d.dy };
}

/** Half the labelled slice, the rest its neighbours; any shift within the stored margin. */
function randomDraw(s: SidePointSample, cfg: SidePointConfig, rng: Rng): WindowDraw {
  const depth = s.crop.depth;
  const mid = (depth - 1) / 2;
  const k = depth > 1 && rng.uniform(0, 1) < 0.5 ? rng.int(0, depth - 1) : mid;
  const m = (s.crop.size - cfg.inputPx) / 2;
  return { k, dx: rng.int(-m, m), dy: rng.int(-m, m), gain: 1 + rng.uniform(-0.15, 0.15) };
}

export function* sidePointBatches(
  samples: readonly SidePointSample[],
  cfg: SidePointConfig,
  rng: Rng,
): Iterable<Batch> {
  const P = cfg.inputPx;
  const cells = sidePointMapSize(sidePointSpec(cfg));
  const stride = P / cells;
  const sigmaCells = cfg.sigmaMm / (cfg.sizeMm / cfg.inputPx) / stride;
  const order = rng.shuffle(samples.map((_, i) => i));
  for (let start = 0; start < order.length; start += cfg.batchSize) {
    const ids = order.slice(start, start + cfg.batchSize);
    const images = new Float32Array(ids.length * P * P);
    const points = ids.map((id, b) => {
      const d = randomDraw(samples[id], cfg, rng);
      const at = drawWindow(samples[id], cfg, d, images, b * P * P);
      if (cfg.randomize)
        randomizeIntensity(rng, cfg.randomize, images.subarray(b * P * P, (b + 1) * P * P), P, P);
      return { x: at.x / stride, y: at.y / stride, amplitude: samples[id].amplitudes[d.k] };
    });
    const x = tf.tensor4d(images, [ids.length, P, P, 1]);
    yield heatmapBatch(x, sidePointTargets(points, cells, sigmaCells));
  }
}

/**
 * Mean in-plane error (mm) on the labelled slice of windows shifted by a fixed draw per sample (the
 * same every epoch): centred windows would reward a network that answers "the centre".
 */
export function sidePointError(
  model: tf.LayersModel,
  samples: readonly SidePointSample[],
  cfg: SidePointConfig,
): number {
  if (!samples.length) return NaN;
  const P = cfg.inputPx;
  const cells = sidePointMapSize(sidePointSpec(cfg));
  const stride = P / cells;
  const rng = new Rng(20240);
  const images = new Float32Array(samples.length * P * P);
  const truth = samples.map((s, i) => {
    const m = (s.crop.size - P) / 2;
    const d = { k: (s.crop.depth - 1) / 2, dx: rng.int(-m, m), dy: rng.int(-m, m), gain: 1 };
    return drawWindow(s, cfg, d, images, i * P * P);
  });
  const logits = tf.tidy(() => model.predict(tf.tensor4d(images, [samples.length, P, P, 1])) as tf.Tensor);
  const flat = logits.dataSync();
  logits.dispose();
  const mmPerPx = cfg.sizeMm / P;
  let sum = 0;
  truth.forEach((t, i) => {
    const p = decodePeak(flat.subarray(i * cells * cells, (i + 1) * cells * cells), cells);
    sum += Math.hypot(p.x * stride - t.x, p.y * stride - t.y) * mmPerPx;
  });
  return sum / samples.length;
}

/** The side-point nets' loss: weighted sigmoid cross entropy per cell, in both forms. */
export function sidePointTrainLoss(cfg: SidePointConfig): TrainLoss {
  return {
    eager: (out, t) => sidePointLoss(out as tf.Tensor4D, t.target as tf.Tensor4D),
    graph: sidePointLossGraph(sidePointMapSize(sidePointSpec(cfg))),
  };
}

/** Train one fold's side-point net of one family (resumable in `dir`), scored by sidePointError. */
export async function fitSidePoints(
  opts: UnitRun & {
    family: SideFamily;
    train: readonly SidePointSample[];
    valid: readonly SidePointSample[];
    cfg: SidePointConfig;
  },
): Promise<tf.LayersModel> {
  const { cfg } = opts;
  const model = withSeededMathRandom(mathRandomSeed(opts.seed, "init"), () =>
    buildSidePoints(cfg, opts.family),
  );
  await fitUnit({
    ...unitBasics(opts, cfg),
    model,
    batchesPerEpoch: Math.ceil(opts.train.length / cfg.batchSize),
    loss: sidePointTrainLoss(cfg),
    trainBatches: (_epoch, rng) => sidePointBatches(opts.train, cfg, rng),
    evaluate: async (m, epoch): Promise<{ score: number } & Record<string, number>> => {
      if (!opts.valid.length) return { score: -epoch };
      const score = sidePointError(m, opts.valid, cfg);
      return { score, pointErrorMm: score };
    },
  });
  return model;
}
