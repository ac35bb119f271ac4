import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../../lib/engine";
import { CONDITIONS, type SeverityIndex } from "../../lib/data/schema";
import { resolveConfig } from "../../lib/config";
import { readState } from "../../lib/infer";
import { JsonlLog } from "../../lib/train/log";
import { fitJob, UnitTrainingError, type ClassifierJob, type LocalizerJob } from "../../lib/train/unit-job";
import { trainUnits } from "../../lib/train/unit-pool";
import { Rng } from "../../lib/util/rng";
import { tempDir } from "../helpers/tmp";
import { cachedBuild, loadCrops, loadLocalizers } from "../../lib/cache";

/** Smoke-sized models on a handful of synthetic samples: a unit trains in about a second. */
const cfg = resolveConfig("smoke", {
  localizer: { inputPx: 16, filters: [4, 8], epochs: 2, batchSize: 4 },
  classifier: { cropPx: 8, filters: [4], dense: 4, epochs: 2, batchSize: 8 },
});

function localizerJob(dir: string, seed: number): LocalizerJob {
  const rng = new Rng(seed);
  const sample = (studyId: number) => ({
    studyId,
    image: Float32Array.from({ length: 16 * 16 }, () => rng.next()),
    points: Array.from({ length: 5 }, (_, k) => [rng.uniform(4, 12), 2 + 2.5 * k] as const),
    mmPerPx: [2, 2] as const,
  });
  return {
    kind: "localizer",
    name: "localizer f0",
    dir,
    seed,
    patience: 100,
    cfg: cfg.localizer,
    train: [1, 2, 3, 4, 5, 6].map(sample),
    valid: [7, 8].map(sample),
  };
}

function classifierJob(dir: string, seed: number): ClassifierJob {
  const rng = new Rng(seed);
  const sample = (studyId: number, levelIndex: number) => {
    const label = rng.int(0, 2) as SeverityIndex;
    return {
      studyId,
      condition: CONDITIONS[0],
      levelIndex,
      label,
      // bytes with scale/offset, as the kernel stores crops; brighter = more severe
      crop: {
        data: Uint8Array.from({ length: 3 * 12 * 12 }, () => Math.min(255, 60 * label + rng.int(0, 80))),
        depth: 3,
        size: 12,
        mmPerPx: 2,
        scale: 1 / 255,
        offset: 0,
      },
      input: "own" as const,
    };
  };
  const studies = (ids: number[]) => ids.flatMap((id) => [0, 1, 2, 3, 4].map((k) => sample(id, k)));
  return {
    kind: "classifier",
    name: "spinal f1",
    dir,
    seed,
    patience: 100,
    family: "spinal",
    // dropout on: its masks must be seeded too
    cfg: { ...cfg.classifier, dropout: 0.3 },
    tta: true,
    train: studies([1, 2, 3, 4]),
    trainAlternates: studies([1, 2]),
    valid: studies([5, 6]),
  };
}

const weightsOf = (m: tf.LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));

describe("trainUnits", () => {
  beforeAll(async () => {
    await initBackend({ log: false }); // the best backend here, or LUMBAR_BACKEND (CI runs both)
  });

  it("a unit trained in a worker thread has bit-identical weights to the same unit in-process", async () => {
    const here = tempDir("units-here-");
    const there = tempDir("units-there-");
    const inProcess = [
      await fitJob(localizerJob(join(here, "loc"), 5), undefined, true),
      await fitJob(classifierJob(join(here, "cls"), 6), undefined, true),
    ];
    const log = new JsonlLog(join(there, "log.jsonl"));
    const inWorkers = await trainUnits(
      [localizerJob(join(there, "loc"), 5), classifierJob(join(there, "cls"), 6)],
      {
        threads: 2,
        label: "test units",
        log,
        quiet: true,
      },
    );
    expect(inWorkers.map(weightsOf)).toEqual(inProcess.map(weightsOf));
    // the best epoch was chosen the same way (same validation scores)
    expect(readState(join(there, "cls"))).toEqual(readState(join(here, "cls")));
    // worker log lines arrive whole, one per unit and epoch
    const lines = readFileSync(log.file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.unit}:${l.epoch}`).sort()).toEqual([
      "localizer f0:0",
      "localizer f0:1",
      "spinal f1:0",
      "spinal f1:1",
    ]);
  });

  it("jobs whose samples are cache references (the kernel's) train in workers to the same weights as in memory", async () => {
    const here = tempDir("units-mem-");
    const there = tempDir("units-cache-");
    const mem = [localizerJob(join(here, "loc"), 5), classifierJob(join(here, "cls"), 6)] as const;
    const cache = join(there, "cache");
    const { meta } = await cachedBuild({
      dir: cache,
      stage: "pass1",
      key: "0123abcd",
      build: async (w) => ({
        loc: {
          train: loadLocalizers(mem[0].train).map((x) => w.localizer(x)),
          valid: loadLocalizers(mem[0].valid).map((x) => w.localizer(x)),
        },
        cls: {
          train: loadCrops(mem[1].train).map((x) => w.crop(x)),
          trainAlternates: loadCrops(mem[1].trainAlternates).map((x) => w.crop(x)),
          valid: loadCrops(mem[1].valid).map((x) => w.crop(x)),
        },
      }),
    });
    const refs = [
      { ...localizerJob(join(there, "loc"), 5), ...meta.loc, cache },
      { ...classifierJob(join(there, "cls"), 6), ...meta.cls, cache },
    ];
    // what is posted to a worker holds no pixels
    expect(JSON.stringify(refs).length).toBeLessThan(20_000);
    const inMemory = [await fitJob(mem[0], undefined, true), await fitJob(mem[1], undefined, true)];
    const fromCache = await trainUnits(refs, { threads: 2, label: "test units", quiet: true });
    expect(fromCache.map(weightsOf)).toEqual(inMemory.map(weightsOf));
    expect(readState(join(there, "cls"))).toEqual(readState(join(here, "cls")));
  });

  it("another seed gives other weights (the comparison above can fail)", async () => {
    const a = await fitJob(classifierJob(join(tempDir("units-seed-"), "a"), 6), undefined, true);
    const b = await fitJob(classifierJob(join(tempDir("units-seed-"), "b"), 7), undefined, true);
    expect(weightsOf(a)).not.toEqual(weightsOf(b));
  });

  it("finished units are loaded, not retrained", async () => {
    const root = tempDir("units-done-");
    const jobs = [localizerJob(join(root, "loc"), 5), classifierJob(join(root, "cls"), 6)];
    const first = await trainUnits(jobs, { threads: 2, label: "test units", quiet: true });
    const log = new JsonlLog(join(root, "again.jsonl"));
    const again = await trainUnits(jobs, { threads: 2, label: "test units", quiet: true, log });
    expect(again.map(weightsOf)).toEqual(first.map(weightsOf));
    expect(() => readFileSync(log.file)).toThrow(); // no epoch ran, nothing logged
  });

  it("a failure in a worker rejects with an error naming the unit", async () => {
    const root = tempDir("units-fail-");
    writeFileSync(join(root, "file"), "not a folder");
    const bad = { ...classifierJob(join(root, "file", "cls"), 6), name: "foraminal f3" };
    const run = trainUnits([localizerJob(join(root, "loc"), 5), bad], {
      threads: 2,
      label: "test",
      quiet: true,
    });
    await expect(run).rejects.toThrow(UnitTrainingError);
    await expect(run).rejects.toThrow(/foraminal f3.*ENOTDIR/);
  });

  it("workers that do not start in time: the units train in this thread, with the same weights", async () => {
    const here = tempDir("units-stuck-here-");
    const there = tempDir("units-stuck-there-");
    const jobs = (root: string) => [localizerJob(join(root, "loc"), 5), classifierJob(join(root, "cls"), 6)];
    const inProcess = await trainUnits(jobs(here), { threads: 1, label: "test", quiet: true });
    const messages: string[] = [];
    const error = console.error;
    console.error = (m: string) => void messages.push(m);
    try {
      // no worker can say "ready" within 0 ms
      const fallback = await trainUnits(jobs(there), {
        threads: 2,
        label: "test",
        quiet: true,
        startTimeoutMs: 0,
      });
      expect(fallback.map(weightsOf)).toEqual(inProcess.map(weightsOf));
    } finally {
      console.error = error;
    }
    expect(messages).toEqual([
      "[units] a unit worker thread did not start within 0 s: training the units left in this thread",
    ]);
  });
});
