import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { classifierSpec, localizerSpec, resolveConfig, sidePointSpec } from "../../lib/config";
import { initBackend } from "../../lib/engine/backend";
import { buildFamilyClassifier } from "../../lib/infer";
import { buildSidePoints } from "../../lib/infer/side-points";
import {
  buildLocalizer,
  gaussianTargets,
  heatmapSize,
  sidePointMapSize,
  sidePointTargets,
} from "../../lib/models";
import {
  classifierLoss,
  createStepper,
  localizerLoss,
  sidePointTrainLoss,
  type Batch,
  type TrainLoss,
} from "../../lib/train";
import { withSeededMathRandom } from "../../lib/train/seeded-random";
import { readEnv } from "../../lib/util/env";
import { Rng } from "../../lib/util/rng";
import { haveNativeTensorflow } from "../helpers/native";
import { severityTargets } from "../helpers/severity";
import { randn, relError } from "../engine/parity";

// Graph-mode training (one TensorFlow call per batch) against the eager tfjs steps it replaces, for
// every model kind the kernel trains, from the same initial weights on the same seeded batches:
// the losses and the weights after a few Adam steps agree to float rounding; batches of two sizes
// (the last batch of an epoch is smaller); dropout masks drawn from the same seeded Math.random.

const cfg = resolveConfig("smoke");
const onTensorflow =
  haveNativeTensorflow() && (readEnv("LUMBAR_BACKEND") ?? "tensorflow").startsWith("tensorflow");

interface Kind {
  name: string;
  build(): tf.LayersModel;
  /**
   * Weights the loss does not depend on: the localizer's heat bias shifts every cell of a channel
   * alike, which a spatial softmax ignores, so its gradient is rounding noise that Adam turns into
   * steps of +-lr on either path. Left out of the weight comparison (the outputs are compared).
   */
  unconstrained?: string;
  loss: TrainLoss;
  batch(rng: Rng, n: number): Batch;
}

function heatmapKind(
  name: string,
  build: () => tf.LayersModel,
  loss: TrainLoss,
  px: number,
  size: number,
  sidePoint: boolean,
): Kind {
  return {
    name,
    unconstrained: sidePoint ? undefined : "loc_heat/bias",
    build,
    loss,
    batch: (rng, n) => {
      const images = tf.tensor4d(randn(rng, n * px * px), [n, px, px, 1]);
      const target = sidePoint
        ? sidePointTargets(
            Array.from({ length: n }, () => ({
              x: rng.uniform(1, size - 1),
              y: rng.uniform(1, size - 1),
              amplitude: rng.uniform(0.3, 1),
            })),
            size,
            1.2,
          )
        : gaussianTargets(
            Array.from({ length: n }, (_, b) =>
              [0, 1, 2, 3, 4].map(
                (k) =>
                  (b === 0 && k === 3
                    ? [NaN, NaN]
                    : [rng.uniform(1, size - 1), rng.uniform(1, size - 1)]) as [number, number],
              ),
            ),
            size,
            1,
          );
      return { inputs: [images], size: n, targets: { target } };
    },
  };
}

function classifierKind(family: "spinal" | "foraminal"): Kind {
  const c = { ...cfg.classifier, dropout: 0.3, anySevereWeight: 0.5 };
  const model = () => buildFamilyClassifier(c, family);
  const px = c.cropPx;
  const channels = classifierSpec(c, family).channels;
  return {
    name: `classifier ${family}${family === "spinal" ? " (+ any-severe)" : ""}, dropout 0.3`,
    build: model,
    loss: classifierLoss(c, family),
    batch: (rng, n) => {
      const { labels, any_mask, any_label } = severityTargets(rng, n);
      const targets: Record<string, tf.Tensor> = { labels };
      if (family === "spinal") Object.assign(targets, { any_mask, any_label });
      else tf.dispose([any_mask, any_label]);
      const crop = tf.tensor4d(randn(rng, n * px * px * channels), [n, px, px, channels]);
      const meta = tf.tensor2d(randn(rng, n * 6), [n, 6]);
      return { inputs: [crop, meta], size: n, targets };
    },
  };
}

const KINDS: Kind[] = [
  heatmapKind(
    "localizer",
    () => buildLocalizer(localizerSpec(cfg.localizer)),
    localizerLoss(cfg.localizer),
    cfg.localizer.inputPx,
    heatmapSize(localizerSpec(cfg.localizer)),
    false,
  ),
  heatmapKind(
    "side-point net",
    () => buildSidePoints(cfg.sidePoints, "foraminal"),
    sidePointTrainLoss(cfg.sidePoints),
    cfg.sidePoints.inputPx,
    sidePointMapSize(sidePointSpec(cfg.sidePoints)),
    true,
  ),
  classifierKind("spinal"),
  classifierKind("foraminal"),
];

/** Train `steps` batches (sizes 8, 8, ..., 5) with one kind of stepper; losses and final weights. */
async function train(kind: Kind, path: "graph" | "eager", init: tf.Tensor[], steps: number) {
  const model = kind.build();
  model.setWeights(init);
  const stepper = await createStepper(model, kind.loss, null, path);
  const rng = new Rng(77);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const batch = kind.batch(rng, s === steps - 1 ? 5 : 8);
    losses.push(withSeededMathRandom(1000 + s, () => stepper.step(batch, 2e-3)));
    tf.dispose([...batch.inputs, ...Object.values(batch.targets)]);
  }
  stepper.sync();
  const probe = kind.batch(new Rng(5), 4);
  const output = tf.tidy(() => {
    const out = model.predict(probe.inputs.length === 1 ? probe.inputs[0] : [...probe.inputs]) as tf.Tensor;
    // The localizer's logits up to each channel's constant (what its spatial softmax sees).
    return (kind.unconstrained ? tf.sub(out, tf.mean(out, [1, 2], true)) : out).dataSync().slice();
  });
  tf.dispose([...probe.inputs, ...Object.values(probe.targets)]);
  const weights = model.getWeights().map((w) => w.dataSync().slice());
  const adam = (await stepper.optimizerWeights()).map((n) => ({
    name: n.name,
    data: n.tensor.dataSync().slice(),
  }));
  stepper.dispose();
  const names = model.weights.map((w) => (w as unknown as { originalName: string }).originalName);
  return { losses, weights, adam, output, names };
}

describe.skipIf(!onTensorflow)("graph training against eager training, every model kind", () => {
  beforeAll(async () => {
    await initBackend({ backend: "tensorflow", log: false });
  });

  it.each(KINDS)("$name: same losses, weights and Adam state over 4 steps", async (kind) => {
    const init = withSeededMathRandom(5, () => kind.build().getWeights());
    const eager = await train(kind, "eager", init, 4);
    const graph = await train(kind, "graph", init, 4);
    graph.losses.forEach((l, i) =>
      expect(Math.abs(l - eager.losses[i]) / Math.abs(eager.losses[i]), `loss ${i}`).toBeLessThan(1e-4),
    );
    // Adam divides by sqrt(v): a weight whose gradients are ~0 moves by rounding noise, so each
    // tensor is compared at its own scale.
    graph.weights.forEach((w, i) => {
      if (eager.names[i] !== kind.unconstrained)
        expect(relError(w, eager.weights[i]), eager.names[i]).toBeLessThan(2e-3);
    });
    expect(relError(graph.output, eager.output), "outputs of the trained models").toBeLessThan(1e-3);
    expect(graph.adam.map((a) => a.data.length)).toEqual(eager.adam.map((a) => a.data.length));
    graph.adam.forEach((a, i) => {
      if (!a.name.includes(kind.unconstrained ?? "\0"))
        expect(relError(a.data, eager.adam[i].data), eager.adam[i].name).toBeLessThan(2e-3);
    });
    expect(graph.adam[0].data[0]).toBe(4); // iterations
    tf.dispose(init);
  });

  it.each(KINDS)("$name: two graph runs are bit-identical", async (kind) => {
    const init = withSeededMathRandom(6, () => kind.build().getWeights());
    const a = await train(kind, "graph", init, 3);
    const b = await train(kind, "graph", init, 3);
    expect(b.losses).toEqual(a.losses);
    b.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(a.weights[i])));
    tf.dispose(init);
  });
});
