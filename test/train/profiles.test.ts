import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { FAMILIES, LEVELS } from "../../lib/data/schema";
import { buildClassifier, buildLocalizer, gaussianTargets, heatmapSize, META_SIZE } from "../../lib/models";
import { initBackend } from "../../lib/engine";
import { classifierSpec, localizerSpec, PROFILES, resolveConfig } from "../../lib/config";
import { classifierLoss, createStepper, localizerLoss, type Batch, type TrainLoss } from "../../lib/train";

/** One step the way fitUnit takes it on this backend (a graph call on TensorFlow, tfjs's otherwise). */
async function oneStep(model: tf.LayersModel, loss: TrainLoss, batch: Batch): Promise<number> {
  const stepper = await createStepper(model, loss, null);
  try {
    return stepper.step(batch, 1e-3);
  } finally {
    stepper.dispose();
  }
}

// The full profile is the real-data configuration and never runs end to end here (no real images):
// this at least proves every profile's models build, have the shapes the pipeline assumes, and train.
// On the best backend (native or wasm): the pure-JS cpu backend needs minutes for the full shapes.
beforeAll(async () => {
  await initBackend({ log: false }); // the best backend here, or LUMBAR_BACKEND (CI runs both)
});

describe.each(PROFILES)("profile %s", (profile) => {
  const cfg = resolveConfig(profile);

  it("localizer: integer heatmap grid, one channel per level, one finite training step", async () => {
    const spec = localizerSpec(cfg.localizer);
    const size = heatmapSize(spec);
    expect(Number.isInteger(size)).toBe(true);
    const model = buildLocalizer(spec);
    expect(model.outputs[0].shape).toEqual([null, size, size, LEVELS.length]);
    const px = cfg.localizer.inputPx;
    const x = tf.randomUniform([2, px, px, 1], 0, 1, "float32", 1);
    const points = [0, 1].map(() =>
      LEVELS.map((_, k) => [size / 2, (size * (k + 1)) / 6] as [number, number]),
    );
    const target = gaussianTargets(points, size, cfg.localizer.sigmaCells);
    const loss = await oneStep(model, localizerLoss(cfg.localizer), {
      inputs: [x],
      size: 2,
      targets: { target },
    });
    expect(Number.isFinite(loss)).toBe(true);
    // an untrained net spreads its mass: the loss is near log(cells) plus the target's own entropy
    expect(loss).toBeGreaterThan(Math.log(size * size) / 2);
    tf.dispose([x, target, ...model.weights.map((w) => w.read())]);
  });

  it.each(FAMILIES)(
    "classifier %s: 3-class softmax over a 2.5D crop, one finite training step",
    async (family) => {
      const spec = classifierSpec(cfg.classifier, family);
      expect(spec.channels).toBe(2 * cfg.classifier.crops[family].slicesEachSide + 1);
      const model = buildClassifier(spec, `cls_${family}`);
      const crop = tf.randomUniform([2, spec.cropPx, spec.cropPx, spec.channels], 0, 1, "float32", 2);
      const meta = tf.zeros([2, META_SIZE]);
      const probs = model.predict([crop, meta]) as tf.Tensor2D;
      expect(probs.shape).toEqual([2, 3]);
      for (const row of probs.arraySync()) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const labels = tf.tensor1d([0, 2], "int32");
      const loss = await oneStep(model, classifierLoss({ ...cfg.classifier, anySevereWeight: 0 }, family), {
        inputs: [crop, meta],
        size: 2,
        targets: { labels },
      });
      expect(Number.isFinite(loss)).toBe(true);
      tf.dispose([crop, meta, probs, labels, ...model.weights.map((w) => w.read())]);
    },
  );
});
