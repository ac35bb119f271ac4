import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../util/rng";

/** tfjs's variance-scaling family (Glorot, He, LeCun): the random initialisers of conv/dense kernels. */
const VARIANCE_SCALING = new Set([
  "VarianceScaling",
  "GlorotUniform",
  "GlorotNormal",
  "HeUniform",
  "HeNormal",
  "LeCunUniform",
  "LeCunNormal",
]);

/** Config key of a layer's initialiser -> the name its weight ends with. */
const WEIGHT_OF: Readonly<Record<string, string>> = {
  kernelInitializer: "kernel",
  depthwiseInitializer: "depthwise_kernel",
  pointwiseInitializer: "pointwise_kernel",
};

interface SerializedInitializer {
  className: string;
  config: { scale?: number; mode?: string; distribution?: string };
}

/**
 * Redraw every randomly initialised weight of `model` (variance-scaling kernels) from `rng`, with the
 * same distribution the layer was built with. tfjs initialisers without a seed draw from Math.random,
 * so two fresh trainings started from different weights; after this a fresh unit's start depends only
 * on its seed. Constant initialisers (biases, batch-norm) are deterministic already and left alone.
 * Returns how many weights were redrawn.
 */
export function seedInitialWeights(model: tf.LayersModel, rng: Rng): number {
  let n = 0;
  const visit = (layers: readonly tf.layers.Layer[]) => {
    for (const layer of layers) {
      if (layer instanceof tf.LayersModel) {
        visit(layer.layers);
        continue;
      }
      const config = layer.getConfig() as Record<string, unknown>;
      for (const [key, suffix] of Object.entries(WEIGHT_OF)) {
        const init = config[key] as SerializedInitializer | undefined;
        if (!init || !VARIANCE_SCALING.has(init.className)) continue;
        const weight = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
        if (!weight) continue;
        const seeded = tf.initializers.varianceScaling({
          scale: init.config.scale ?? 1,
          mode: (init.config.mode ?? "fanIn") as "fanIn" | "fanOut" | "fanAvg",
          distribution: (init.config.distribution ?? "normal") as "normal" | "uniform" | "truncatedNormal",
          seed: rng.nextUint32(),
        });
        const value = seeded.apply(weight.shape, weight.dtype);
        weight.write(value);
        value.dispose();
        n++;
      }
    }
  };
  visit(model.layers);
  return n;
}
