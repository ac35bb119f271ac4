import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildClassifier } from "../../lib/models";
import { fitUnit } from "../../lib/train/fit";
import { readState } from "../../lib/infer";
import { saveModelWeights, loadModelWeights, CheckpointError } from "../../lib/models/weights-file";
import { spec, task, weightsOf } from "../helpers/fit-task";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

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
