import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../../lib/engine/backend";
import { GraphBuildError } from "../../../lib/engine/errors";
import { GraphTrainer } from "../../../lib/engine/graph";
import { buildClassifier } from "../../../lib/models";
import { severityLossGraph } from "../../../lib/models/graph-losses";
import { Rng } from "../../../lib/util/rng";
import { haveNativeTensorflow } from "../../helpers/native";
import { randn } from "../parity";

describe.skipIf(!haveNativeTensorflow())("GraphTrainer", () => {
  beforeAll(async () => {
    await initBackend({ backend: "tensorflow", log: false });
  });

  it("leaves no tensors behind over steps, weight pulls and optimizer exports", async () => {
    const model = buildClassifier({ cropPx: 8, channels: 2, filters: [4], dense: 4, dropout: 0.5 });
    const trainer = await GraphTrainer.create(model, severityLossGraph(null));
    const rng = new Rng(2);
    const crop = tf.tensor4d(randn(rng, 5 * 8 * 8 * 2), [5, 8, 8, 2]);
    const meta = tf.tensor2d(randn(rng, 5 * 6), [5, 6]);
    const labels = tf.tensor1d([0, 1, 2, 1, 0], "int32");
    const round = async () => {
      trainer.step([crop, meta], { labels }, 1e-3);
      trainer.pullWeights();
      await trainer.getOptimizerWeights();
      trainer.evaluate([crop, meta], { labels });
      trainer.infer([crop, meta]).dispose();
    };
    await round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) await round();
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    tf.dispose([crop, meta, labels, ...model.weights.map((w) => w.read())]);
  });

  it("refuses a layer it has no rule for, naming it", async () => {
    const input = tf.input({ shape: [4] });
    const out = tf.layers
      .dense({ units: 2, activation: "tanh", name: "odd_dense" })
      .apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    await expect(GraphTrainer.create(model, severityLossGraph(null))).rejects.toThrow(GraphBuildError);
    await expect(GraphTrainer.create(model, severityLossGraph(null))).rejects.toThrow(
      /odd_dense: activation tanh/,
    );
  });
});
