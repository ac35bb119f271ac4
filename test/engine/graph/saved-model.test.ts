import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadedNativePackage } from "../../../lib/engine/backend";
import { buildTrainingGraph, SIGNATURES, writeSavedModel } from "../../../lib/engine/graph";
import { buildClassifier } from "../../../lib/models";
import { severityLossGraph } from "../../../lib/models/graph-losses";
import { withSeededMathRandom } from "../../../lib/train/seeded-random";
import { Rng } from "../../../lib/util/rng";
import { haveNativeTensorflow } from "../../helpers/native";
import { randn, relError } from "../parity";

// The SavedModel the writer makes is a real one: tfjs-node's public loader (tf.node.loadSavedModel,
// which reads saved_model.pb with the same protobuf module and runs the loader's init op) lists
// its signatures, and its signatures run and share the session's variables.

interface TfNode {
  getMetaGraphsFromSavedModel(dir: string): Promise<
    {
      tags: string[];
      signatureDefs: Record<string, { inputs: Record<string, { dtype: string }> }>;
    }[]
  >;
  loadSavedModel(
    dir: string,
    tags: string[],
    signature: string,
  ): Promise<{ predict(x: Record<string, tf.Tensor>): Record<string, tf.Tensor>; dispose(): void }>;
}

describe.skipIf(!haveNativeTensorflow())("the training graph as a SavedModel folder", () => {
  let node: TfNode;
  beforeAll(async () => {
    await initBackend({ backend: "tensorflow", log: false });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    node = (require(loadedNativePackage()!) as { node: TfNode }).node;
  });

  it("loads with tf.node.loadSavedModel; train_step trains, infer and get_weights see the same variables", async () => {
    const spec = { cropPx: 12, channels: 3, filters: [8, 16], dense: 8, dropout: 0 };
    const model = withSeededMathRandom(3, () => buildClassifier(spec));
    const graph = buildTrainingGraph(model, severityLossGraph(null), {
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    });
    const dir = mkdtempSync(join(tmpdir(), "graph-savedmodel-"));
    writeSavedModel(graph, dir);

    const [meta] = await node.getMetaGraphsFromSavedModel(dir);
    expect(meta.tags).toEqual(["serve"]);
    expect(Object.keys(meta.signatureDefs).sort()).toEqual([...SIGNATURES].sort());
    expect(meta.signatureDefs.train_step.inputs.crop.dtype).toBe("float32");
    expect(meta.signatureDefs.train_step.inputs.labels.dtype).toBe("int32");

    const load = (signature: string) => node.loadSavedModel(dir, ["serve"], signature);
    const [setWeights, trainStep, infer, getWeights] = await Promise.all(
      ["set_weights", "train_step", "infer", "get_weights"].map(load),
    );
    const total = model.trainableWeights.reduce((a, w) => a + w.read().size, 0);
    const initial = Object.fromEntries([
      ...model.weights.map((w, i) => [`w${i}`, w.read()] as const),
      ["adam_m", tf.zeros([total])],
      ["adam_v", tf.zeros([total])],
      ["adam_acc_beta1", tf.scalar(0.9)],
      ["adam_acc_beta2", tf.scalar(0.999)],
    ]);
    setWeights.predict(initial);

    const rng = new Rng(4);
    const crop = tf.tensor4d(randn(rng, 6 * 12 * 12 * 3), [6, 12, 12, 3]);
    const meta6 = tf.tensor2d(randn(rng, 6 * 6), [6, 6]);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], "int32");
    const losses: number[] = [];
    for (let s = 0; s < 25; s++)
      losses.push(trainStep.predict({ crop, meta: meta6, labels, lr: tf.scalar(0.01) }).loss.dataSync()[0]);
    // The variables persist across calls: a fixed batch is learnt.
    expect(losses[24]).toBeLessThan(losses[0] / 3);

    // get_weights reads the trained variables; the LayersModel holding them predicts what infer does.
    const out = getWeights.predict({});
    model.setWeights(model.weights.map((_, i) => out[`w${i}`]));
    for (const n of [3, 6]) {
      const part = [tf.slice(crop, 0, n), tf.slice(meta6, 0, n)];
      const got = infer.predict({ crop: part[0], meta: part[1] }).output;
      expect(got.shape).toEqual([n, 3]); // the batch dimension is known only when the graph runs
      const want = model.predict(part) as tf.Tensor;
      expect(relError(got.dataSync(), want.dataSync())).toBeLessThan(1e-5);
    }
    for (const m of [setWeights, trainStep, infer, getWeights]) m.dispose();
  });
});
