import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildClassifier } from "../../lib/models";
import { resolveConfig } from "../../lib/config";
import { classifierLoss } from "../../lib/train";
import { fitUnit, type Batch, type FitTask } from "../../lib/train/fit";
import { readState } from "../../lib/infer";
import { saveModelWeights, loadModelWeights, CheckpointError } from "../../lib/models/weights-file";
import { JsonlLog } from "../../lib/train/log";
import { Rng } from "../../lib/util/rng";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// Dropout on: a resumed run must draw the masks an uninterrupted one draws (seeded per epoch).
const spec = { cropPx: 8, channels: 1, filters: [4], dense: 4, dropout: 0.3 };

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

function task(dir: string, model: tf.LayersModel, epochs: number, crashAt = -1): FitTask {
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

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

describe("fitUnit", () => {
  it("resumes after a crash and ends with the same weights as an uninterrupted run", async () => {
    const a = mkdtempSync(join(tmpdir(), "fit-a-"));
    const b = mkdtempSync(join(tmpdir(), "fit-b-"));
    const init = buildClassifier(spec);
    const initFile = join(a, "init.weights");
    saveModelWeights(initFile, init);

    const straight = buildClassifier(spec);
    loadModelWeights(initFile, straight);
    await fitUnit(task(a, straight, 4));

    const crashed = buildClassifier(spec);
    loadModelWeights(initFile, crashed);
    await expect(fitUnit(task(b, crashed, 4, 2))).rejects.toThrow("killed");
    expect(readState(b).epoch).toBe(2);
    const resumed = buildClassifier(spec); // fresh process: weights come from the checkpoint only
    await fitUnit(task(b, resumed, 4));
    expect(readState(b)).toMatchObject({ epoch: 4, done: true });

    const wa = weightsOf(straight);
    const wb = weightsOf(resumed);
    expect(wb.length).toBe(wa.length);
    wa.forEach((v, i) => expect(wb[i]).toBeCloseTo(v, 5));
    // every epoch's weights are kept (the kernel's common epoch reads them), only the last optimizer
    expect(
      readdirSync(b)
        .filter((f) => f.startsWith("last-"))
        .sort(),
    ).toEqual([
      "last-e0.weights",
      "last-e1.weights",
      "last-e2.weights",
      "last-e3.optimizer",
      "last-e3.weights",
    ]);
    // the validation curve, one score per epoch, survives the crash
    expect(readState(b).curve).toHaveLength(4);
    expect(readState(b).curve).toEqual(readState(a).curve);
    const lines = readFileSync(join(b, "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([0, 1, 2, 3]);
  });

  it("a finished unit is not retrained: its best weights are loaded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fit-c-"));
    const m = buildClassifier(spec);
    await fitUnit(task(dir, m, 1));
    const again = buildClassifier(spec);
    await fitUnit(task(dir, again, 1, 0)); // would throw if it trained
    expect(weightsOf(again)).toEqual(weightsOf(m));
    expect(existsSync(join(dir, "best.weights"))).toBe(true);
  });

  it("refuses weights of another architecture with a typed error", () => {
    const dir = mkdtempSync(join(tmpdir(), "fit-d-"));
    const file = join(dir, "x.weights");
    saveModelWeights(file, buildClassifier(spec));
    expect(() => loadModelWeights(file, buildClassifier({ ...spec, filters: [6] }))).toThrow(CheckpointError);
  });
});
