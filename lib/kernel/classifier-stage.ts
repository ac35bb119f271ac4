import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { FAMILIES, type Family } from "../data/schema";
import { predictSamples } from "../infer";
import type { Probs3 } from "../metric";
import { familyOf, sampleKey, type CropSample } from "../study";
import type { UnitJob } from "../train/unit-job";
import { trainUnits } from "../train/unit-pool";
import type { KernelContext } from "./context";
import type { LocalizedPass } from "./localized-pass";
import { pick, type PreparedTrain } from "./train-split";

/** Stage 2's result: classifiers per family and fold, and out-of-fold predictions by row id. */
export interface ClassifierStage {
  readonly classifiers: Record<Family, tf.LayersModel[]>;
  /** At the out-of-fold localized points (how test studies are predicted). */
  readonly oofLocalized: Map<string, Probs3>;
  /** At the labelled points (what the classifiers could do with perfect localization). */
  readonly oofLabelled: Map<string, Probs3>;
}

/**
 * Train every family x fold classifier at once on the unit pool (labelled crops, mixed with the
 * localized ones of the same points), then predict each fold's validation studies here.
 */
export function trainClassifiers(
  ctx: KernelContext,
  train: PreparedTrain,
  pass: LocalizedPass,
): Promise<ClassifierStage> {
  const { config } = ctx;
  const labelled = (ids: number[], family: Family) =>
    pick(train, ids).flatMap((p) => p.gtCrops.filter((c) => familyOf(c) === family));
  const localized = (ids: number[], family: Family) =>
    ids.flatMap((id) => (pass.crops.get(id) ?? []).filter((c) => familyOf(c) === family));
  return ctx.clock("trainClassifiers", async () => {
    const units = FAMILIES.flatMap((family) => train.splits.map((split, f) => ({ family, f, split })));
    const jobs = units.map(({ family, f, split: { train: trainIds, valid } }): UnitJob => ({
      kind: "classifier",
      dir: join(ctx.ckpt, family, `fold${f}`),
      name: `${family} f${f}`,
      family,
      train: labelled(trainIds, family),
      trainAlternates: localized(trainIds, family),
      valid: localized(valid, family),
      cfg: config.classifier,
      patience: config.patience,
      seed: config.seed + 1009 * f + FAMILIES.indexOf(family),
      tta: config.tta,
    }));
    const opts = { threads: ctx.threads, label: "train classifiers", log: ctx.log, quiet: ctx.quiet };
    const models = await trainUnits(jobs, opts);
    const out: ClassifierStage = {
      classifiers: { spinal: [], foraminal: [], subarticular: [] },
      oofLocalized: new Map(),
      oofLabelled: new Map(),
    };
    const predictInto = (
      preds: Map<string, Probs3>,
      model: tf.LayersModel,
      samples: CropSample[],
      family: Family,
    ) => {
      const probs = predictSamples([model], samples, config.classifier, family, config.tta);
      samples.forEach((s, i) => preds.set(sampleKey(s), probs[i]));
    };
    units.forEach(({ family, split: { valid } }, k) => {
      out.classifiers[family].push(models[k]);
      predictInto(out.oofLocalized, models[k], localized(valid, family), family);
      predictInto(out.oofLabelled, models[k], labelled(valid, family), family);
    });
    return out;
  });
}
