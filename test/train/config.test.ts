import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import {
  DEFAULT_CONFIG,
  INTENSITY_RANDOMIZATION,
  PRESETS,
  resolveConfig,
  weightsConfig,
} from "../../lib/config";
import { readConfigFile, writeConfigFile } from "../../lib/infer";
import { foldSplit, studyFolds } from "../../lib/train/folds";

describe("resolveConfig", () => {
  it("applies the preset over the defaults and explicit overrides last", () => {
    const c = resolveConfig("smoke", { seed: 7, classifier: { epochs: 3 } });
    expect(c.profile).toBe("smoke");
    expect(c.seed).toBe(7);
    expect(c.classifier.epochs).toBe(3);
    expect(c.classifier.cropPx).toBe(PRESETS.smoke.classifier!.cropPx);
    // untouched nested fields keep their defaults
    expect(c.classifier.augment).toEqual(DEFAULT_CONFIG.classifier.augment);
    expect(c.localizer.filters).toEqual([8, 16]);
  });
  it("stage 1 randomization: off in smoke, on in quick and full, switched off by a null override", () => {
    expect(resolveConfig("smoke").localizer.randomize).toBeNull();
    expect(resolveConfig("smoke").sidePoints.randomize).toBeNull();
    for (const p of ["quick", "full"] as const) {
      expect(resolveConfig(p).localizer.randomize).toEqual(INTENSITY_RANDOMIZATION);
      expect(resolveConfig(p).sidePoints.randomize).toEqual(INTENSITY_RANDOMIZATION);
    }
    const off = resolveConfig("quick", { localizer: { randomize: null }, sidePoints: { randomize: null } });
    expect([off.localizer.randomize, off.sidePoints.randomize]).toEqual([null, null]);
    expect(off.localizer.zoom).toEqual([0.75, 1.35]);
  });
  it("rejects an unknown profile with a usage error", () => {
    expect(() => resolveConfig("huge")).toThrow(/unknown profile/);
  });
  it("round-trips through config.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const c = resolveConfig("quick", { seed: 3 });
    writeConfigFile(dir, weightsConfig(c));
    expect(readConfigFile(dir)).toEqual(weightsConfig(c));
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).version).toBe(1);
  });
  it("refuses a config.json without the format version, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify(weightsConfig(resolveConfig("quick"))));
    expect(() => readConfigFile(dir)).toThrow(
      `${join(dir, "config.json")}: not a training configuration: format version undefined`,
    );
  });
  it("is absent (null) when the folder has no config.json", () => {
    expect(readConfigFile(mkdtempSync(join(tmpdir(), "cfg-")))).toBeNull();
  });
});

describe("studyFolds", () => {
  const ids = Array.from({ length: 23 }, (_, i) => 1000 + i * 7);
  it("puts every study in exactly one fold, balanced to within one", () => {
    const folds = studyFolds(ids, 4, 1);
    expect(folds.size).toBe(23);
    const sizes = [0, 1, 2, 3].map((f) => foldSplit(folds, f).valid.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((a, b) => a + b)).toBe(23);
    const { train, valid } = foldSplit(folds, 2);
    expect(train.filter((t) => valid.includes(t))).toEqual([]);
  });
  it("depends on the seed and the id set, not the input order", () => {
    const a = studyFolds(ids, 3, 5);
    const b = studyFolds([...ids].reverse(), 3, 5);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    const c = studyFolds(ids, 3, 6);
    expect([...c.entries()].sort()).not.toEqual([...a.entries()].sort());
  });
});
