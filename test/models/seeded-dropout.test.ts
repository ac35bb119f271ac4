import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildClassifier,
  reseedDropout,
  SeededDropout,
  seedInitialWeights,
  weightedCrossEntropy,
} from "../../lib/models";
import { saveModel, loadModel } from "../../lib/engine";
import { fitUnit, type Batch, type FitTask } from "../../lib/train/fit";
import { Rng } from "../../lib/util/rng";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** A one-layer model: input [n] -> SeededDropout -> output. */
function dropoutModel(rate: number, seed = 0): { model: tf.LayersModel; layer: SeededDropout } {
  const input = tf.input({ shape: [1000] });
  const layer = new SeededDropout({ rate, seed, name: "drop" });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  return { model, layer };
}

const ones = () => tf.ones([4, 1000]);

function train(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.apply(x, { training: true }) as tf.Tensor).dataSync() as Float32Array);
}

describe("SeededDropout", () => {
  it("is the identity at inference (predict and apply without training)", () => {
    const { model } = dropoutModel(0.5);
    const x = tf.randomNormal([4, 1000], 0, 1, "float32", 3);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
    expect(Array.from((model.apply(x) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it("in training drops about `rate` of the units and scales the rest by 1 / (1 - rate)", () => {
    const { model } = dropoutModel(0.25, 7);
    const y = train(model, ones());
    const kept = y.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    const dropped = 1 - kept.length / y.length;
    expect(dropped).toBeGreaterThan(0.22);
    expect(dropped).toBeLessThan(0.28);
  });

  it("draws a new mask at every call, and the same sequence again after the same reseed", () => {
    const { model, layer } = dropoutModel(0.5, 1);
    const first = train(model, ones());
    const second = train(model, ones());
    expect(Array.from(second)).not.toEqual(Array.from(first));
    layer.reseed(1);
    expect(Array.from(train(model, ones()))).toEqual(Array.from(first));
    expect(Array.from(train(model, ones()))).toEqual(Array.from(second));
    expect(reseedDropout(model, new Rng(5))).toBe(1);
    expect(Array.from(train(model, ones()))).not.toEqual(Array.from(first));
  });

  it("survives saveModel/loadModel (the class is registered) as a SeededDropout of the same rate", async () => {
    const model = buildClassifier({ cropPx: 8, channels: 1, filters: [4], dense: 4, dropout: 0.3 });
    const dir = mkdtempSync(join(tmpdir(), "seeded-dropout-"));
    await saveModel(model, dir);
    const back = await loadModel(dir);
    const layer = back.getLayer("cls_drop");
    expect(layer).toBeInstanceOf(SeededDropout);
    expect((layer as SeededDropout).rate).toBe(0.3);
  });
});

describe("training with SeededDropout is reproducible", () => {
  const spec = { cropPx: 8, channels: 1, filters: [4], dense: 16, dropout: 0.5 };

  /** The same batches whatever the seed: only dropout depends on it. */
  function* batches(): Iterable<Batch> {
    const rng = new Rng(123);
    for (let b = 0; b < 3; b++) {
      const n = 8;
      const labels = Array.from({ length: n }, () => rng.int(0, 2));
      const crop = new Float32Array(n * 64).map(
        (_, k) => labels[Math.floor(k / 64)] * 0.5 + rng.normal(0, 0.1),
      );
      const x = tf.tensor4d(crop, [n, 8, 8, 1]);
      const meta = tf.zeros([n, 6]);
      const y = tf.tensor1d(labels, "int32");
      yield {
        inputs: [x, meta],
        size: n,
        loss: (out) => weightedCrossEntropy(y, out as tf.Tensor2D),
        dispose: () => tf.dispose([x, meta, y]),
      };
    }
  }

  function task(model: tf.LayersModel, seed: number, crashAt = -1, dir?: string): FitTask {
    return {
      name: "t",
      dir: dir ?? mkdtempSync(join(tmpdir(), "fit-dropout-")),
      model,
      epochs: 3,
      learningRate: 0.01,
      patience: 100,
      seed,
      batchesPerEpoch: 3,
      quiet: true,
      trainBatches: (epoch) => {
        if (epoch === crashAt) throw new Error("killed");
        return batches();
      },
      evaluate: async (_m, epoch) => ({ score: -epoch }),
    };
  }

  // Fresh models, as two separate runs would build them: fitUnit draws their initial weights from the seed.
  const fresh = () => buildClassifier(spec);
  const weightsOf = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));

  it("two fresh trainings with the same seed end with bit-identical weights; another seed differs", async () => {
    const a = fresh();
    const b = fresh();
    const c = fresh();
    await fitUnit(task(a, 9));
    await fitUnit(task(b, 9));
    await fitUnit(task(c, 10));
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
  });

  it("a run killed after epoch 1 and resumed draws the same masks as an uninterrupted one", async () => {
    const straight = fresh();
    await fitUnit(task(straight, 9));
    const dir = mkdtempSync(join(tmpdir(), "fit-dropout-resume-"));
    await expect(fitUnit(task(fresh(), 9, 1, dir))).rejects.toThrow("killed");
    const resumed = buildClassifier(spec); // a fresh process: weights come from the checkpoint only
    await fitUnit(task(resumed, 9, -1, dir));
    expect(weightsOf(resumed)).toEqual(weightsOf(straight));
  });
});

describe("seedInitialWeights", () => {
  const spec = { cropPx: 8, channels: 2, filters: [4, 8], dense: 16, dropout: 0.2 };
  const values = (m: tf.LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));

  it("redraws the conv and dense kernels from the seed: same seed, same weights; another seed, others", () => {
    const [a, b, c] = [buildClassifier(spec), buildClassifier(spec), buildClassifier(spec)];
    expect(values(a)).not.toEqual(values(b)); // tfjs's own initialisers are unseeded
    // cls_b0a, cls_b1a, cls_b1b convs, cls_fc and cls_out dense kernels
    expect(seedInitialWeights(a, new Rng(1))).toBe(5);
    seedInitialWeights(b, new Rng(1));
    seedInitialWeights(c, new Rng(2));
    expect(values(b)).toEqual(values(a));
    expect(values(c)).not.toEqual(values(a));
  });

  it("keeps each kernel's Glorot distribution (tfjs's default: truncated normal) and leaves biases and batch-norm weights alone", () => {
    const m = buildClassifier(spec);
    seedInitialWeights(m, new Rng(3));
    let kernels = 0;
    for (const layer of m.layers) {
      for (const w of layer.weights) {
        const v = Array.from(w.read().dataSync());
        const name = w.originalName;
        if (name.endsWith("/kernel")) {
          const init = layer.getConfig().kernelInitializer as { config: Record<string, unknown> };
          expect(init.config).toMatchObject({ scale: 1, mode: "fanAvg", distribution: "normal" }); // Glorot normal
          const shape = w.shape as number[];
          const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
          const sd = Math.sqrt(2 / (receptive * (shape[shape.length - 2] + shape[shape.length - 1])));
          const max = Math.max(...v.map(Math.abs));
          expect(max, name).toBeLessThanOrEqual(2 * sd); // truncated at 2 sd
          expect(max, name).toBeGreaterThan(sd);
          kernels++;
        } else if (/(bias|beta|moving_mean)$/.test(name)) expect(new Set(v), name).toEqual(new Set([0]));
        else if (/(gamma|moving_variance)$/.test(name)) expect(new Set(v), name).toEqual(new Set([1]));
      }
    }
    expect(kernels).toBe(5);
  });
});
