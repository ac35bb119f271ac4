import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { foldBatchNorm } from "../../bench/trainer/fold";
import { Rng } from "../../lib/util/rng";
import { buildTinyBn } from "./fixtures/tiny-models";
import { randn, relError } from "../engine/parity";

/** Give every BatchNormalization non-trivial statistics, so a wrong fold shows. */
function perturbBn(model: tf.LayersModel, rng: Rng): void {
  for (const l of model.layers) {
    if (l.getClassName() !== "BatchNormalization") continue;
    l.setWeights(
      l.getWeights().map((w, i) =>
        tf.tensor(
          randn(rng, w.size).map((v) => (i === 3 ? 0.5 + Math.abs(v) : v)),
          w.shape,
        ),
      ),
    );
  }
}

function functionalConvBnRelu(): tf.LayersModel {
  let seed = 41;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const x = tf.input({ shape: [8, 8, 2] });
  let y = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      padding: "same",
      useBias: false,
      kernelInitializer: init(),
      name: "c1",
    })
    .apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: "bn1" }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: "relu", name: "r1" }).apply(y) as tf.SymbolicTensor;
  // A conv whose output also feeds a skip: must NOT be folded.
  const c2 = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: "same", kernelInitializer: init(), name: "c2" })
    .apply(y) as tf.SymbolicTensor;
  const bn2 = tf.layers.batchNormalization({ name: "bn2" }).apply(c2) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: "skip" }).apply([bn2, c2]) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, kernelInitializer: init(), name: "head" })
    .apply(
      tf.layers.globalAveragePooling2d({ name: "gap" }).apply(sum) as tf.SymbolicTensor,
    ) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out });
}

describe("foldBatchNorm", () => {
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });

  it("folds conv+BN+ReLU of a Sequential model with the same predictions", async () => {
    const model = buildTinyBn();
    perturbBn(model, new Rng(1));
    const { model: folded, folded: names } = await foldBatchNorm(model);
    expect(names).toHaveLength(1);
    expect(folded.layers.map((l) => l.getClassName())).not.toContain("BatchNormalization");
    expect(folded.layers.length).toBe(model.layers.length - 2); // BN and ReLU gone
    const x = tf.tensor4d(randn(new Rng(2), 3 * 8 * 8 * 2), [3, 8, 8, 2]);
    const want = (model.predict(x) as tf.Tensor).dataSync();
    const got = (folded.predict(x) as tf.Tensor).dataSync();
    expect(relError(got, want)).toBeLessThan(1e-5);
  });

  it("folds only safe pairs of a functional model", async () => {
    const model = functionalConvBnRelu();
    perturbBn(model, new Rng(3));
    const { model: folded, folded: names } = await foldBatchNorm(model);
    expect(names).toEqual(["c1"]);
    expect(folded.layers.map((l) => l.name)).toContain("bn2");
    const x = tf.tensor4d(randn(new Rng(4), 2 * 8 * 8 * 2), [2, 8, 8, 2]);
    expect(
      relError((folded.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync()),
    ).toBeLessThan(1e-5);
  });
});
