import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localizerSpec, resolveConfig } from "../../lib/config";
import { buildShippedLocalizer } from "../../lib/kernel/shipped-localizer";
import type { LabelledSet } from "../../lib/kernel/transfer";
import { buildLocalizer } from "../../lib/models";
import { loadModelWeights } from "../../lib/models/weights-file";

beforeAll(async () => {
  await initBackend({ log: false }); // the best backend here, or LUMBAR_BACKEND (CI runs both)
});

const cfg = { ...resolveConfig("smoke").localizer, epochs: 1 };

/** `n` studies whose five level points run down the middle of the slice. */
function set(name: string, firstId: number, n: number): LabelledSet {
  const px = cfg.inputPx;
  const samples = Array.from({ length: n }, (_, i) => ({
    studyId: firstId + i,
    image: Float32Array.from({ length: px * px }, (_, k) => ((k * (i + 1)) % 5) / 5),
    points: [0, 1, 2, 3, 4].map((k) => [px / 2, 4 + 5 * k] as const),
    mmPerPx: [2, 2] as const,
  }));
  return { name, samples };
}

describe("the shipped localizer's build", () => {
  it("trains on every set less a 1-in-k share each, and writes weights that say what they came from", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shipped-"));
    const file = join(dir, "loc.weights");
    const { model, meta } = await buildShippedLocalizer({
      sets: [set("a", 100, 6), set("b", 200, 4)],
      cfg,
      folds: 2,
      seed: 1,
      patience: 5,
      dir,
      file,
      quiet: true,
    });
    expect(meta.trainedOn).toEqual([
      { set: "a", train: 3, valid: 3 },
      { set: "b", train: 2, valid: 2 },
    ]);
    expect(meta.spec).toEqual(localizerSpec(cfg));
    expect(meta.validation.n).toBe(5 * 5); // five validation studies, five levels each
    expect(meta.epoch).toBeGreaterThanOrEqual(0);
    const again = buildLocalizer(localizerSpec(cfg));
    expect(loadModelWeights(file, again)).toEqual(meta);
    again.weights.forEach((w, i) =>
      expect(Array.from(w.read().dataSync())).toEqual(Array.from(model.weights[i].read().dataSync())),
    );
  });
});
