import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { FlatAdam } from "../../lib/engine/flat-adam";
import { Rng } from "../../lib/util/rng";
import { randn } from "./parity";

// FlatAdam must be tfjs's Adam with fewer kernels: the same weights bit for bit, and optimizer
// state that round-trips through either class's getWeights/setWeights.
function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", useBias: false }).apply(input);
  x = tf.layers.batchNormalization().apply(x);
  x = tf.layers.activation({ activation: "relu" }).apply(x);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  const out = tf.layers.dense({ units: 3, activation: "softmax" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const rng = new Rng(11);
const X = randn(rng, 8 * 6 * 6 * 2);
const Y = Array.from({ length: 8 }, (_, i) => i % 3);

function step(model: tf.LayersModel, opt: tf.Optimizer): void {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  tf.dispose(
    opt.minimize(
      () => {
        const p = model.apply(tf.tensor4d(X, [8, 6, 6, 2]), { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(Y, 3), p) as tf.Scalar;
      },
      true,
      vars,
    ) ?? [],
  );
}

function freshModel(): tf.LayersModel {
  const m = tinyModel();
  const r = new Rng(3);
  // Seeded weights, the same for every copy; a variance must be positive.
  m.setWeights(
    m.weights.map((w) => {
      const shape = w.shape as number[];
      const v = randn(
        r,
        shape.reduce((a, b) => a * b, 1),
      );
      return tf.tensor(/variance/.test(w.name) ? v.map((x) => 1 + Math.abs(x)) : v, shape);
    }),
  );
  return m;
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe("FlatAdam", () => {
  beforeAll(async () => {
    await initBackend({ log: false });
  });

  it("trains to the same weights as tfjs's Adam, bit for bit", () => {
    const a = freshModel(),
      b = freshModel();
    const adam = tf.train.adam(0.01),
      flat = new FlatAdam(0.01);
    for (let i = 0; i < 5; i++) {
      step(a, adam);
      step(b, flat);
    }
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(weightsOf(b)).not.toEqual(weightsOf(freshModel())); // it did train
  });

  it("state saved by one class resumes in the other with the same result", async () => {
    // The reference resumes too (setWeights recomputes beta^t, which rounds unlike the running product).
    const resume = async (from: tf.Optimizer, to: tf.Optimizer) => {
      await to.setWeights((await from.getWeights()).map((s) => ({ name: s.name, tensor: s.tensor.clone() })));
      return to;
    };
    const ref = freshModel();
    let refOpt: tf.Optimizer = tf.train.adam(0.01);
    step(ref, refOpt);
    step(ref, refOpt);
    refOpt = await resume(refOpt, tf.train.adam(0.01));
    step(ref, refOpt);
    refOpt = await resume(refOpt, tf.train.adam(0.01));
    step(ref, refOpt);

    const m = freshModel();
    const first = new FlatAdam(0.01);
    step(m, first);
    step(m, first);
    const saved = await first.getWeights();
    expect(saved.map((s) => s.name).slice(1, 3)).toEqual(
      m.trainableWeights.slice(0, 2).map((w) => `${(w.read() as tf.Variable).name}/m`),
    );
    const second = await resume(first, tf.train.adam(0.01)); // tfjs's own class continues from FlatAdam's state
    step(m, second);
    step(m, await resume(second, new FlatAdam(0.01))); // and back
    expect(weightsOf(m)).toEqual(weightsOf(ref));
  });

  it("leaves no tensors behind per step", () => {
    const m = freshModel();
    const opt = new FlatAdam(0.01);
    step(m, opt);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step(m, opt);
    expect(tf.memory().numTensors).toBe(before);
  });
});
