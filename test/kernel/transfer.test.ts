import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config";
import { initBackend } from "../../lib/engine";
import { errorSummary } from "../../lib/gates";
import { labelledLocalizerSet, localizerTransfer, type LabelledSet } from "../../lib/kernel/transfer";
import { generateDataset } from "../../lib/synth";
import { tempDir } from "../helpers/tmp";

/**
 * The hold-out mechanism on tiny data (smoke profile, 2 folds): two phantom sets of other seeds, one
 * seen and one held out (the cartoon writer is too slow for a unit test: ~35 CPU s for 6 studies).
 */
const config = resolveConfig("smoke", { folds: 2 });
let root: string;
let phantom: LabelledSet;
let other: LabelledSet;

beforeAll(async () => {
  await initBackend({ log: false });
  root = tempDir("lumbar-transfer-");
  await generateDataset({ out: join(root, "phantom"), train: 6, test: 0, seed: 5, size: "small" });
  await generateDataset({ out: join(root, "other"), train: 6, test: 0, seed: 6, size: "small" });
  const set = (name: string) =>
    labelledLocalizerSet({
      name,
      data: join(root, name),
      out: join(root, "prepare", name),
      cache: join(root, "cache", name),
      profile: "smoke",
      overrides: config,
      quiet: true,
    });
  phantom = await set("phantom");
  other = await set("other");
});

const run = async () => {
  const { models, ...numbers } = await localizerTransfer({
    seen: [phantom],
    heldOut: [other],
    cfg: config.localizer,
    folds: 2,
    seed: 42,
    patience: config.patience,
    dir: join(root, "run"),
    threads: 1,
    quiet: true,
  });
  expect(models).toHaveLength(2);
  return numbers;
};

describe("localizerTransfer: level point errors (mm) out of fold and on a held-out set", () => {
  it("reads every labelled study's localizer image through the kernel's pass 1", () => {
    for (const s of [phantom, other]) {
      expect(s.samples.map((x) => x.studyId)).toHaveLength(6);
      for (const x of s.samples) {
        expect(x.image).toHaveLength(32 * 32);
        expect(x.points).toHaveLength(5);
        expect(x.mmPerPx.every((v) => v > 0)).toBe(true);
      }
    }
  });

  it("each seen study once (out of fold), each held-out study once per fold's model; a rerun reuses the folds", async () => {
    const first = await run();
    const [seen, held] = first.sets;
    expect([seen.set, seen.role, held.set, held.role]).toEqual(["phantom", "seen", "other", "held-out"]);
    // every study labels all five levels: 6 x 5 points out of fold, 2 models x 6 x 5 held out
    expect(seen.errorsMm).toHaveLength(30);
    expect(held.errorsMm).toHaveLength(60);
    for (const e of [...seen.errorsMm, ...held.errorsMm]) expect(e).toBeGreaterThanOrEqual(0);
    expect(first.heldOut).toEqual(errorSummary(held.errorsMm));
    expect(first.seen).toEqual(errorSummary(seen.errorsMm));
    expect(first.epoch.epoch).toBe(0); // smoke: one epoch
    expect(await run()).toEqual(first);
  });
});
