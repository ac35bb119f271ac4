import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { ModelFileError } from "../../lib/engine/errors";
import { loadModel, loadWeightsInto, MODEL_JSON, saveModel } from "../../lib/engine/io";
import { buildTinyBn, buildTinyPlain } from "./fixtures/tiny-models";
import { Rng } from "../../lib/util/rng";
import { randn } from "./parity";

describe("model save/load on disk", () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lumbar-io-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const input = () => tf.tensor4d(randn(new Rng(3), 2 * 8 * 8 * 2), [2, 8, 8, 2]);

  it("round-trips topology and every weight: same predictions, same values", async () => {
    const model = buildTinyBn();
    // Non-default BatchNorm statistics, so non-trainable weights are checked too.
    const bn = model.layers[1];
    bn.setWeights(bn.getWeights().map((w, i) => tf.fill(w.shape, 0.5 + i)));
    const target = path.join(dir, "a");
    await saveModel(model, target);
    const files = fs.readdirSync(target).sort();
    expect(files).toHaveLength(2);
    expect(files).toContain(MODEL_JSON);
    expect(files.some((f) => /^weights-[0-9a-f]{16}\.bin$/.test(f))).toBe(true);
    const loaded = await loadModel(target);
    expect(loaded.weights.map((w) => w.shape)).toEqual(model.weights.map((w) => w.shape));
    model.weights.forEach((w, i) =>
      expect(Array.from(loaded.weights[i].read().dataSync())).toEqual(Array.from(w.read().dataSync())),
    );
    const x = input();
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
  });

  it("overwrites atomically: no temp files, only the newest weights file remains", async () => {
    const target = path.join(dir, "b");
    const model = buildTinyPlain();
    await saveModel(model, target);
    model.setWeights(model.getWeights().map((w) => tf.mul(w, 2)));
    await saveModel(model, target);
    const files = fs.readdirSync(target);
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    const loaded = await loadModel(target);
    expect(Array.from(loaded.weights[0].read().dataSync())).toEqual(
      Array.from(model.weights[0].read().dataSync()),
    );
  });

  it("loadWeightsInto fills a rebuilt model and rejects another architecture", async () => {
    const target = path.join(dir, "c");
    const model = buildTinyPlain();
    await saveModel(model, target);
    const rebuilt = buildTinyPlain();
    rebuilt.setWeights(rebuilt.getWeights().map((w) => tf.zerosLike(w)));
    loadWeightsInto(rebuilt, target);
    expect(Array.from(rebuilt.weights[2].read().dataSync())).toEqual(
      Array.from(model.weights[2].read().dataSync()),
    );
    expect(() => loadWeightsInto(buildTinyBn(), target)).toThrow(ModelFileError);
  });

  it("rejects missing, truncated and inconsistent folders with ModelFileError", async () => {
    await expect(loadModel(path.join(dir, "missing"))).rejects.toBeInstanceOf(ModelFileError);
    const target = path.join(dir, "d");
    await saveModel(buildTinyPlain(), target);
    const bin = fs.readdirSync(target).find((f) => f.endsWith(".bin"))!;
    const full = fs.readFileSync(path.join(target, bin));
    fs.writeFileSync(path.join(target, bin), full.subarray(0, full.length - 4));
    await expect(loadModel(target)).rejects.toThrow(/bytes, the manifest needs/);
    fs.writeFileSync(path.join(target, bin), full);
    // A manifest whose shape disagrees with the topology: tfjs's strict check, as ModelFileError.
    const json = JSON.parse(fs.readFileSync(path.join(target, MODEL_JSON), "utf8"));
    const w0 = json.weightsManifest[0].weights[0];
    w0.shape = [w0.shape.reduce((a: number, b: number) => a * b, 1)];
    fs.writeFileSync(path.join(target, MODEL_JSON), JSON.stringify(json));
    await expect(loadModel(target)).rejects.toBeInstanceOf(ModelFileError);
    fs.writeFileSync(path.join(target, MODEL_JSON), "{not json");
    await expect(loadModel(target)).rejects.toThrow(/not valid JSON/);
  });
});
