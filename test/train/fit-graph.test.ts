import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { readState } from "../../lib/infer";
import { buildClassifier } from "../../lib/models";
import { loadModelWeights, saveModelWeights } from "../../lib/models/weights-file";
import { fitUnit } from "../../lib/train/fit";
import { readEnv } from "../../lib/util/env";
import { relError } from "../engine/parity";
import { spec, task, weightsOf } from "../helpers/fit-task";
import { haveNativeTensorflow } from "../helpers/native";

// fitUnit on TensorFlow trains through the graph path; its checkpoints are the files the eager path
// writes, so a run resumes across paths, and a graph run resumed after a crash ends where an
// uninterrupted one does.
const onTensorflow =
  haveNativeTensorflow() && (readEnv("LUMBAR_BACKEND") ?? "tensorflow").startsWith("tensorflow");

/** Train `epochs` epochs in `dir` from the weights in `init`, on the given path, crashing at `crashAt`. */
async function fit(dir: string, init: string, epochs: number, path: "graph" | "eager", crashAt = -1) {
  process.env.LUMBAR_TRAIN = path;
  const model = buildClassifier(spec);
  loadModelWeights(init, model);
  await fitUnit(task(dir, model, epochs, crashAt));
  return model;
}

describe.skipIf(!onTensorflow)("fitUnit on the graph path", () => {
  let init: string;
  beforeAll(async () => {
    await initBackend({ backend: "tensorflow", log: false });
    init = join(mkdtempSync(join(tmpdir(), "fit-graph-init-")), "init.weights");
    saveModelWeights(init, buildClassifier(spec));
  });
  afterEach(() => {
    delete process.env.LUMBAR_TRAIN;
  });

  it("resumes after a crash and ends with the weights of an uninterrupted run", async () => {
    const straight = await fit(mkdtempSync(join(tmpdir(), "fit-graph-a-")), init, 4, "graph");
    const b = mkdtempSync(join(tmpdir(), "fit-graph-b-"));
    await expect(fit(b, init, 4, "graph", 2)).rejects.toThrow("killed");
    expect(readState(b).epoch).toBe(2);
    // A fresh model: the weights come from the checkpoint only.
    process.env.LUMBAR_TRAIN = "graph";
    const resumed = buildClassifier(spec);
    await fitUnit(task(b, resumed, 4));
    expect(readState(b)).toMatchObject({ epoch: 4, done: true });
    const wa = weightsOf(straight);
    weightsOf(resumed).forEach((v, i) => expect(v).toBeCloseTo(wa[i], 5));
    expect(readdirSync(b).filter((f) => f.endsWith(".optimizer"))).toEqual(["last-e3.optimizer"]);
  });

  it.each([
    ["eager", "graph"],
    ["graph", "eager"],
  ] as const)(
    "a run started on the %s path resumes on the %s path (same checkpoint files)",
    async (first, then) => {
      const reference = await fit(mkdtempSync(join(tmpdir(), "fit-graph-ref-")), init, 4, "eager");
      const dir = mkdtempSync(join(tmpdir(), "fit-graph-mixed-"));
      await expect(fit(dir, init, 4, first, 2)).rejects.toThrow("killed");
      process.env.LUMBAR_TRAIN = then;
      const resumed = buildClassifier(spec);
      await fitUnit(task(dir, resumed, 4));
      expect(readState(dir)).toMatchObject({ epoch: 4, done: true });
      // The paths round differently, nothing else: the weights agree to float rounding.
      resumed
        .getWeights()
        .forEach((w, i) =>
          expect(relError(w.dataSync(), reference.getWeights()[i].dataSync())).toBeLessThan(1e-3),
        );
      tf.dispose(resumed.weights.map((w) => w.read()));
    },
  );
});
