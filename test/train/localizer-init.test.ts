import { beforeAll, describe, expect, it } from "vitest";
import type * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/engine";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  localizerSpec,
  localizerTrainingConfig,
  resolveConfig,
  type LocalizerConfig,
} from "../../lib/config";
import { buildLocalizer } from "../../lib/models";
import { localizerInitFile, SHIPPED_LOCALIZER } from "../../lib/models/shipped";
import type { ShippedLocalizerMeta } from "../../lib/kernel/shipped-localizer";
import { CheckpointError, loadModelWeights, saveModelWeights } from "../../lib/models/weights-file";
import { fitLocalizer } from "../../lib/train/localizer";
import { withSeededMathRandom } from "../../lib/train/seeded-random";
import { UsageError } from "../../lib/util/errors";

beforeAll(async () => {
  await initBackend({ log: false }); // the best backend here, or LUMBAR_BACKEND (CI runs both)
});

const smoke = resolveConfig("smoke").localizer;

/** A localizer unit of `cfg` on two in-memory studies, trained for `epochs` in a fresh folder. */
function fit(cfg: LocalizerConfig, epochs: number) {
  const px = cfg.inputPx;
  const samples = [1, 2].map((studyId) => ({
    studyId,
    image: Float32Array.from({ length: px * px }, (_, i) => ((i * studyId) % 7) / 7),
    points: [0, 1, 2, 3, 4].map((k) => [px / 2, 4 + 5 * k] as const),
    mmPerPx: [2, 2] as const,
  }));
  const dir = mkdtempSync(join(tmpdir(), "loc-init-"));
  return fitLocalizer({
    name: "loc",
    dir,
    patience: 5,
    seed: 3,
    quiet: true,
    train: samples,
    valid: [],
    cfg: { ...cfg, epochs, fineTuneEpochs: epochs },
  });
}

const values = (m: tf.LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));

describe("a localizer unit's init weights", () => {
  const dir = mkdtempSync(join(tmpdir(), "loc-init-file-"));
  const file = join(dir, "init.weights");
  let source: tf.LayersModel;
  beforeAll(() => {
    source = withSeededMathRandom(99, () => buildLocalizer(localizerSpec(smoke)));
    saveModelWeights(file, source);
  });

  it("are where a fresh unit starts; without them it starts from its seeded random init", async () => {
    const started = await fit({ ...smoke, init: file }, 0);
    expect(values(started)).toEqual(values(source));
    const scratch = await fit(smoke, 0);
    expect(values(scratch)[0]).not.toEqual(values(source)[0]);
  });

  it("then train: one epoch moves them, the same from the same start", async () => {
    const a = values(await fit({ ...smoke, init: file }, 1));
    const b = values(await fit({ ...smoke, init: file }, 1));
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(values(source)[0]);
  });

  it("of another architecture are refused, naming the file and the shapes", async () => {
    await expect(fit({ ...smoke, filters: [4, 8], init: file }, 0)).rejects.toThrow(CheckpointError);
    await expect(fit({ ...smoke, filters: [4, 8], init: file }, 0)).rejects.toThrow(
      /init\.weights: tensor 0 \(loc_b0a_conv\/kernel\) has shape \[3,3,1,8\], model expects \[3,3,1,4\]/,
    );
  });

  it("set one: the unit trains fineTuneEpochs from them, epochs from a random init", () => {
    const cfg = { ...smoke, epochs: 36, fineTuneEpochs: 12 };
    expect(localizerTrainingConfig({ ...cfg, init: file }).epochs).toBe(12);
    expect(localizerTrainingConfig({ ...cfg, init: null }).epochs).toBe(36);
  });

  it("synthetic is the quick profile's start (smoke and full have other architectures)", () => {
    expect(resolveConfig("quick").localizer.init).toBe("synthetic");
    expect(resolveConfig("quick", { localizer: { init: null } }).localizer.init).toBeNull();
    expect(resolveConfig("smoke").localizer.init).toBeNull();
    expect(resolveConfig("full").localizer.init).toBeNull();
  });

  it("synthetic: the shipped file, in the quick profile's architecture, made from synthetic sets only", () => {
    const file = localizerInitFile("synthetic");
    expect(file).toBe(SHIPPED_LOCALIZER);
    const quick = resolveConfig("quick").localizer;
    const meta = loadModelWeights(file, buildLocalizer(localizerSpec(quick))) as ShippedLocalizerMeta;
    expect(meta.spec).toEqual(localizerSpec(quick));
    expect(meta.trainedOn.map((t) => t.set)).toEqual([
      "0-random-s2024",
      "1-demo",
      "2-cartoon-bright-canal-s2024",
    ]);
    expect(meta.validation.medianMm).toBeLessThan(5);
  });

  it("named by a path that does not exist are a usage error naming it", () => {
    expect(() => localizerInitFile(join(dir, "nope.weights"))).toThrow(UsageError);
    expect(() => localizerInitFile(join(dir, "nope.weights"))).toThrow(/no weights file .*nope\.weights/);
    expect(localizerInitFile(file)).toBe(file);
  });
});
