import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../lib/config";
import { initBackend } from "../../lib/engine/backend";
import { buildFamilyClassifier, predictSamples, predictSamplesByTta } from "../../lib/infer";
import { withSeededMathRandom } from "../../lib/train/seeded-random";
import type { CropSample } from "../../lib/study";
import { Rng } from "../../lib/util/rng";

// The kernel's out-of-fold rows want each classifier's answer with and without the mirror TTA:
// predictSamplesByTta gives both from one pass per view, and must give exactly predictSamples' numbers.

const cfg = resolveConfig("smoke").classifier;

function crops(n: number, seed: number): CropSample[] {
  const rng = new Rng(seed);
  const { sizeMm, slicesEachSide } = cfg.crops.foraminal;
  const size = 20;
  const depth = 2 * slicesEachSide + 1;
  return Array.from({ length: n }, (_, i) => ({
    studyId: 1000 + i,
    condition: i % 2 ? "left_neural_foraminal_narrowing" : "right_neural_foraminal_narrowing",
    levelIndex: i % 5,
    label: null,
    input: "own",
    crop: {
      data: Float32Array.from({ length: depth * size * size }, () => rng.next() * 2 - 1),
      depth,
      size,
      mmPerPx: sizeMm / size,
    },
  }));
}

describe("predictSamplesByTta", () => {
  beforeAll(async () => {
    await initBackend({ log: false });
  });

  it("gives predictSamples' plain and mirrored answers bit for bit, over two models and two chunks", () => {
    const models = [1, 2].map((s) => withSeededMathRandom(s, () => buildFamilyClassifier(cfg, "foraminal")));
    const samples = crops(70, 3); // 64 + 6: two chunks
    const both = predictSamplesByTta(models, samples, cfg, "foraminal");
    expect(both.plain).toEqual(predictSamples(models, samples, cfg, "foraminal", false));
    expect(both.tta).toEqual(predictSamples(models, samples, cfg, "foraminal", true));
    expect(both.plain).toHaveLength(70);
    for (const p of both.tta) expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 5);
    // The mirror is a different view: the TTA answer is not the plain one.
    const moved = both.tta.filter((p, i) => Math.abs(p[2] - both.plain[i][2]) > 1e-6).length;
    expect(moved).toBeGreaterThan(60);
    models.forEach((m) => m.dispose());
  });
});
