import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { TrainerError } from "../../lib/engine/errors";
import type { ModelSpec } from "../../bench/trainer/model-spec";
import type { OptimizerSpec } from "../../bench/trainer/optimizer";
import { createTrainer, type Trainer } from "../../bench/trainer/trainer";
import { Rng } from "../../lib/util/rng";
import { randn, relError } from "../engine/parity";

const FIXTURES = path.resolve(__dirname, "fixtures/tiny-models.ts");
const N = 12;
const HEADS = 2;

function batch(seed: number): { x: Float32Array; labels: Int32Array; weights: Float32Array } {
  const rng = new Rng(seed);
  const x = randn(rng, N * 8 * 8 * 2);
  const labels = new Int32Array(N * HEADS);
  const weights = new Float32Array(N * HEADS);
  for (let i = 0; i < labels.length; i++) {
    labels[i] = i % 7 === 3 ? -1 : rng.int(0, 2); // some missing labels
    weights[i] = [1, 2, 4][rng.int(0, 2)];
  }
  return { x, labels, weights };
}

async function weightsOf(t: Trainer): Promise<Float32Array[]> {
  return t.model.weights.map((w) => w.read().dataSync() as Float32Array);
}

/** A 3-class trainer on a fixture model (the caller disposes it). */
function trainerOn(model: ModelSpec, optimizer: OptimizerSpec, threads: number): Promise<Trainer> {
  return createTrainer({ model, optimizer, classes: 3, threads });
}

describe("trainer", () => {
  const open: Trainer[] = [];
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });
  afterAll(async () => {
    for (const t of open) await t.dispose();
  });

  it("reports the weighted softmax cross-entropy of the batch, before the update", async () => {
    const t = await trainerOn(
      { module: FIXTURES, exportName: "buildTinyPlain" },
      { name: "sgd", learningRate: 0.1 },
      1,
    );
    open.push(t);
    const b = batch(1);
    const logits = await t.predict(b.x);
    // Hand computation from the logits: sum(w * -log softmax[label]) / sum(w) over labelled heads.
    let num = 0,
      den = 0;
    for (let i = 0; i < N * HEADS; i++) {
      if (b.labels[i] < 0) continue;
      const z = Array.from(logits.subarray(i * 3, i * 3 + 3));
      const mx = Math.max(...z);
      const lse = mx + Math.log(z.reduce((s, v) => s + Math.exp(v - mx), 0));
      num += b.weights[i] * (lse - z[b.labels[i]]);
      den += b.weights[i];
    }
    const r = await t.trainBatch(b.x, b.labels, b.weights);
    expect(r.totalWeight).toBeCloseTo(den, 5);
    expect(r.loss).toBeCloseTo(num / den, 5);
    const after = await t.predict(b.x);
    expect(relError(after, logits)).toBeGreaterThan(1e-4); // the step changed the model
  });

  it("two worker threads give the same update as one thread (no BatchNorm)", async () => {
    const spec = { module: FIXTURES, exportName: "buildTinyPlain" };
    const one = await trainerOn(spec, { name: "adam", learningRate: 0.01 }, 1);
    const two = await trainerOn(spec, { name: "adam", learningRate: 0.01 }, 2);
    open.push(one, two);
    expect(two.threads).toBe(2);
    for (let s = 0; s < 3; s++) {
      const b = batch(10 + s);
      const r1 = await one.trainBatch(b.x, b.labels, b.weights);
      const r2 = await two.trainBatch(b.x, b.labels, b.weights);
      expect(r2.loss).toBeCloseTo(r1.loss, 5);
    }
    const w1 = await weightsOf(one),
      w2 = await weightsOf(two);
    for (let i = 0; i < w1.length; i++) expect(relError(w2[i], w1[i])).toBeLessThan(1e-4);
    // Workers predict with the broadcast weights: same logits as the master model.
    const b = batch(99);
    expect(relError(await two.predict(b.x), await one.predict(b.x))).toBeLessThan(1e-4);
  });

  it("is deterministic: two parallel runs end with bit-identical weights (with BatchNorm)", async () => {
    const spec = { module: FIXTURES, exportName: "buildTinyBn" };
    const runs: Float32Array[][] = [];
    for (let r = 0; r < 2; r++) {
      const t = await trainerOn(spec, { name: "adam", learningRate: 0.01 }, 2);
      for (let s = 0; s < 3; s++) {
        const b = batch(20 + s);
        await t.trainBatch(b.x, b.labels, b.weights);
      }
      runs.push(await weightsOf(t));
      await t.dispose();
    }
    for (let i = 0; i < runs[0].length; i++) expect(Array.from(runs[1][i])).toEqual(Array.from(runs[0][i]));
  });

  it("does not leak tensors over training steps", async () => {
    const t = await trainerOn(
      { module: FIXTURES, exportName: "buildTinyBn" },
      { name: "adam", learningRate: 0.01 },
      1,
    );
    open.push(t);
    const b = batch(3);
    await t.trainBatch(b.x, b.labels, b.weights); // creates Adam's slots
    await t.predict(b.x);
    const tensors = tf.memory().numTensors;
    const ids = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    for (let s = 0; s < 4; s++) {
      await t.trainBatch(b.x, b.labels, b.weights);
      await t.predict(b.x);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(ids);
  });

  it("trains a two-input model across workers", async () => {
    const t = await trainerOn(
      { module: FIXTURES, exportName: "buildTinyTwoInputs" },
      { name: "adam", learningRate: 0.05 },
      2,
    );
    open.push(t);
    const rng = new Rng(5);
    const x = randn(rng, N * 8 * 8 * 2),
      meta = randn(rng, N * 3);
    const labels = Int32Array.from({ length: N }, (_, i) => i % 3);
    const first = await t.trainBatch([x, meta], labels);
    let last = first;
    for (let s = 0; s < 15; s++) last = await t.trainBatch([x, meta], labels);
    expect(last.loss).toBeLessThan(first.loss); // it learns the fixed batch
    expect((await t.predict([x, meta])).length).toBe(N * 3);
  });

  it("rejects inputs of the wrong size with a TrainerError", async () => {
    const t = await trainerOn(
      { module: FIXTURES, exportName: "buildTinyPlain" },
      { name: "sgd", learningRate: 0.1 },
      1,
    );
    open.push(t);
    const b = batch(4);
    await expect(t.trainBatch(b.x.subarray(1), b.labels)).rejects.toBeInstanceOf(TrainerError);
    await expect(t.trainBatch(b.x, b.labels.subarray(1))).rejects.toBeInstanceOf(TrainerError);
    await expect(
      t.trainBatch(
        b.x,
        Int32Array.from(b.labels, () => 3),
      ),
    ).rejects.toBeInstanceOf(TrainerError);
    await expect(
      trainerOn({ module: FIXTURES, exportName: "nope" }, { name: "sgd", learningRate: 0.1 }, 1),
    ).rejects.toBeInstanceOf(TrainerError);
  });
});

describe("trainer weights set from outside", () => {
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });

  it("weightsChanged() re-broadcasts the master weights to the workers", async () => {
    const spec = { module: FIXTURES, exportName: "buildTinyBn" };
    const t = await trainerOn(spec, { name: "adam", learningRate: 0.01 }, 2);
    try {
      const b = batch(7);
      const before = await t.predict(b.x);
      t.model.setWeights(t.model.getWeights().map((w) => tf.mul(w, 0.5)));
      t.weightsChanged();
      const after = await t.predict(b.x);
      const local = (t.model.predict(tf.tensor(b.x, [N, 8, 8, 2])) as tf.Tensor).dataSync();
      expect(relError(after, before)).toBeGreaterThan(1e-3);
      expect(relError(after, local)).toBeLessThan(1e-4);
    } finally {
      await t.dispose();
    }
  });
});
