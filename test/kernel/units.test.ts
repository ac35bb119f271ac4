import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { initBackend } from "../../lib/engine";
import { generateDataset } from "../../lib/synth";
import { runKernel, runUnit, UnknownUnitError, type KernelPlan } from "../../lib/kernel";
import { tempDir } from "../helpers/tmp";

/**
 * A smoke run cut into units: `--plan`, then each unit by `--unit ID` in its own process, then a
 * plain kernel on the same folder, writes the same bytes as one process (units are seeded on their
 * own, and a classifier unit recomputes its inputs from the finished localizer checkpoints).
 */
const BIN = resolve(__dirname, "../../bin/lumbar.js");
let data: string;
let root: string;
const read = (out: string, file: string) => readFileSync(join(out, file), "utf8");
const lumbar = (out: string, ...args: string[]) =>
  spawnSync(
    process.execPath,
    [BIN, "kernel", "--data", data, "--out", out, "--profile", "smoke", "--quiet", ...args],
    { encoding: "utf8" },
  );
const trainedUnits = (out: string) =>
  read(out, "train-log.jsonl")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { unit: string }).unit);

beforeAll(async () => {
  await initBackend({ log: false }); // the best backend here, or LUMBAR_BACKEND (children inherit it)
  root = tempDir("lumbar-units-");
  data = join(root, "data");
  await generateDataset({ out: data, train: 8, test: 2, seed: 5, size: "small" });
});

describe("kernel --plan / --unit", () => {
  it("units in separate processes, then a plain kernel: the same submission and oof as one process", async () => {
    const out = join(root, "units");
    const plan = lumbar(out, "--plan");
    expect(plan.status).toBe(0);
    const ids = plan.stdout.trim().split("\n");
    const fams = ["spinal", "foraminal", "subarticular"];
    const stage1 = [
      "localizer/fold0",
      "localizer/fold1",
      "foraminal-points/fold0",
      "foraminal-points/fold1",
      "subarticular-points/fold0",
      "subarticular-points/fold1",
      "spinal-points/fold0",
      "spinal-points/fold1",
    ];
    expect(ids).toEqual([...stage1, ...fams.flatMap((f) => [`${f}/fold0`, `${f}/fold1`])]);
    const written = JSON.parse(read(out, "plan.json")) as KernelPlan;
    expect(written.units.map((u) => u.id)).toEqual(ids);
    expect(written.units[2]).toMatchObject({ kind: "side-points", needs: [] });
    expect(written.units[stage1.length].needs).toEqual(stage1);
    expect(written.data).toBe(data);

    // A classifier unit before its localizers: a typed error naming them, exit 2, nothing trained.
    const early = lumbar(out, "--unit", "spinal/fold0");
    expect(early.status).toBe(2);
    expect(early.stderr.trim().split("\n").at(-1)).toBe(
      `lumbar: UnitNotReadyError: unit spinal/fold0 needs these units finished first: ${stage1.join(", ")}`,
    );

    for (const id of ids) {
      const r = lumbar(out, "--unit", id);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`unit ${id}: finished`);
    }
    const perUnit = trainedUnits(out);
    expect(new Set(perUnit).size).toBe(ids.length);
    expect(ids.length).toBe(14);
    expect(perUnit.length).toBe(14); // smoke: one epoch per unit

    // The plain run trains nothing more: CV, inference and the report.
    await runKernel({ data, out, profile: "smoke", overrides: { threads: 1 }, quiet: true });
    expect(trainedUnits(out)).toEqual(perUnit);

    const one = join(root, "one");
    await runKernel({ data, out: one, profile: "smoke", overrides: { threads: 2 }, quiet: true });
    expect(read(out, "submission.csv")).toBe(read(one, "submission.csv"));
    expect(read(out, "oof.csv")).toBe(read(one, "oof.csv"));
  }, 300_000); // 16 fresh processes, each starting TensorFlow: 2 min on a busy 2-core machine

  it("an unknown unit ID is a typed error listing the run's units", async () => {
    const out = join(root, "unknown");
    await expect(runUnit({ data, out, profile: "smoke", quiet: true }, "spinal/fold7")).rejects.toThrow(
      UnknownUnitError,
    );
    await expect(runUnit({ data, out, profile: "smoke", quiet: true }, "localizer")).rejects.toThrow(
      /"localizer" is not a unit of this run; its units: localizer\/fold0, localizer\/fold1, foraminal-points\/fold0/,
    );
  });

  it("a unit run with another --data than the plan in OUT is a usage error", async () => {
    const out = join(root, "other-data");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "plan.json"), JSON.stringify({ version: 1, data: "/elsewhere" }));
    await expect(runUnit({ data, out, profile: "smoke", quiet: true }, "localizer/fold0")).rejects.toThrow(
      /planned for --data \/elsewhere/,
    );
  });
});
