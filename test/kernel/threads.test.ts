import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../../lib/engine";
import { generateDataset } from "../../lib/synth";
import { runKernel, type KernelReport } from "../../lib/kernel";
import { tempDir } from "../helpers/tmp";

/**
 * The smoke kernel trains its units on worker threads or in the main thread with the same result:
 * units are seeded independently, so the submission does not depend on --threads.
 */
let data: string;
let root: string;
const logLines = (out: string) =>
  readFileSync(join(out, "train-log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { unit: string; epoch: number });
const read = (out: string, file: string) => readFileSync(join(out, file), "utf8");
const kernel = (out: string, threads: number): Promise<KernelReport> =>
  runKernel({ data, out, profile: "smoke", overrides: { threads }, quiet: true });

beforeAll(async () => {
  await initBackend({ log: false }); // the best backend here, or LUMBAR_BACKEND (CI runs both)
  root = tempDir("lumbar-threads-");
  data = join(root, "data");
  await generateDataset({ out: data, train: 8, test: 2, seed: 5, size: "small" });
});

describe("kernel --threads", () => {
  it("threads 2 writes the same submission and out-of-fold predictions as threads 1", async () => {
    const one = await kernel(join(root, "t1"), 1);
    const two = await kernel(join(root, "t2"), 2);
    expect(one.config.threads).toBe(1);
    expect(two.config.threads).toBe(2);
    expect(read(join(root, "t2"), "submission.csv")).toBe(read(join(root, "t1"), "submission.csv"));
    expect(read(join(root, "t2"), "oof.csv")).toBe(read(join(root, "t1"), "oof.csv"));
    expect(two.cv).toEqual(one.cv);
    // 2 localizer folds + 3 point nets x 2 folds + 3 families x 2 folds, one epoch each, every unit logged once
    const units = logLines(join(root, "t2")).map((l) => l.unit);
    expect(units.sort()).toEqual(
      logLines(join(root, "t1"))
        .map((l) => l.unit)
        .sort(),
    );
    expect(new Set(units).size).toBe(14);
  });

  it("a rerun with other threads resumes: only the unfinished unit trains, the result is unchanged", async () => {
    const out = join(root, "t2");
    const before = logLines(out).length;
    const submission = read(out, "submission.csv");
    rmSync(join(out, "checkpoints", "foraminal", "fold1"), { recursive: true }); // as if killed in it
    await kernel(out, 1);
    expect(
      logLines(out)
        .slice(before)
        .map((l) => l.unit),
    ).toEqual(["foraminal f1"]);
    expect(read(out, "submission.csv")).toBe(submission);
  });
});
