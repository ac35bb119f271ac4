import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config";
import { classifierLoss } from "../../lib/train";
import type { Batch, FitTask } from "../../lib/train/fit";
import { JsonlLog } from "../../lib/train/log";
import { Rng } from "../../lib/util/rng";

/** A small fitUnit task (a classifier learning whether a crop is bright) for the fit loop's tests. */

// Dropout on: a resumed run must draw the masks an uninterrupted one draws (seeded per epoch).
export const spec = { cropPx: 8, channels: 1, filters: [4], dense: 4, dropout: 0.3 };

/** Class = whether the crop is bright; learnable in a few epochs. */
function* batches(rng: Rng): Iterable<Batch> {
  for (let b = 0; b < 3; b++) {
    const n = 8;
    const labels = Array.from({ length: n }, () => rng.int(0, 2));
    const crop = new Float32Array(n * 64);
    labels.forEach((l, i) => {
      for (let k = 0; k < 64; k++) crop[i * 64 + k] = l * 0.5 + rng.normal(0, 0.1);
    });
    const x = tf.tensor4d(crop, [n, 8, 8, 1]);
    const meta = tf.zeros([n, 6]);
    const y = tf.tensor1d(labels, "int32");
    yield { inputs: [x, meta], size: n, targets: { labels: y } };
  }
}

export function task(dir: string, model: tf.LayersModel, epochs: number, crashAt = -1): FitTask {
  return {
    name: "t",
    dir,
    model,
    epochs,
    learningRate: 0.01,
    patience: 100,
    seed: 9,
    batchesPerEpoch: 3,
    loss: classifierLoss(resolveConfig("smoke").classifier, "foraminal"),
    quiet: true,
    trainBatches: (epoch, rng) => {
      if (epoch === crashAt) throw new Error("killed");
      return batches(rng);
    },
    evaluate: async (_m, epoch) => ({ score: -epoch }),
    log: new JsonlLog(join(dir, "log.jsonl")),
  };
}

export function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}
