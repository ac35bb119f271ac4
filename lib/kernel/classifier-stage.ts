import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { FAMILIES, type Condition, type Family, type SeverityIndex } from "../data/schema";
import type { CropInputKind } from "../gates";
import { epochWeightsFile, predictSamples, predictSamplesByTta } from "../infer";
import type { Probs3 } from "../metric";
import { loadModelWeights } from "../models/weights-file";
import type { CropSampleLike } from "../cache";
import { familyOf, sampleKey, type CropSample } from "../study";
import type { UnitJob } from "../train/unit-job";
import { trainUnits } from "../train/unit-pool";
import { commonEpoch, unitCurves, type CommonEpoch } from "./common-epoch";
import type { KernelContext } from "./context";
import type { LocalizedPass } from "./localized-pass";
import { pick, type PreparedTrain } from "./train-split";
import { unitId } from "./unit-ids";

/** One out-of-fold row at the common epoch: what it was made from and the fold's prediction. */
export interface OofRow {
  readonly studyId: number;
  readonly condition: Condition;
  readonly levelIndex: number;
  readonly label: SeverityIndex | null;
  readonly input: CropInputKind;
  readonly probs: Probs3;
}

/** Out-of-fold rows with and without the mirror TTA (the TTA gate picks per family). */
export type ByTta<T> = Readonly<Record<"tta" | "plain", T>>;

/** Stage 2's result: classifiers per family and fold, and out-of-fold predictions by row id. */
export interface ClassifierStage {
  /** Per family and fold, at the family's common epoch (what the test split is predicted with). */
  readonly classifiers: Record<Family, tf.LayersModel[]>;
  /** Per family: the epoch chosen from the folds' mean validation curve. */
  readonly epochs: Record<Family, CommonEpoch>;
  /** Each fold at its own best epoch, at the out-of-fold localized points (the optimistic CV). */
  readonly oofLocalized: Map<string, Probs3>;
  /** Each fold at its own best epoch, at the labelled points (perfect localization). */
  readonly oofLabelled: Map<string, Probs3>;
  /** Each fold at the common epoch, at the out-of-fold placed points (the honest CV's rows). */
  readonly oofRows: ByTta<OofRow[]>;
  /** The same models on the degraded crops pass 2 made on purpose (lib/kernel degradations). */
  readonly degradedRows: ByTta<OofRow[]>;
}

/**
 * Train every family x fold classifier at once on the unit pool (labelled crops, mixed with the
 * localized ones of the same points), then predict each fold's validation studies here: at each
 * fold's best epoch (the CV fitUnit's selection flatters), then at the family's common epoch, chosen
 * from the folds' mean validation curve, which the returned models keep.
 */
export function trainClassifiers(
  ctx: KernelContext,
  train: PreparedTrain,
  pass: LocalizedPass,
): Promise<ClassifierStage> {
  const { config } = ctx;
  const { labelled, localized } = cropsOf(train, pass);
  return ctx.clock("trainClassifiers", async () => {
    const units = classifierUnits(train);
    const jobs = classifierJobs(ctx, train, pass);
    const opts = { threads: ctx.threads, label: "train classifiers", log: ctx.log, quiet: ctx.quiet };
    const models = await trainUnits(jobs, opts);
    const out: ClassifierStage = {
      classifiers: { spinal: [], foraminal: [], subarticular: [] },
      epochs: Object.fromEntries(
        FAMILIES.map((family) => [
          family,
          commonEpoch(
            unitCurves(jobs.filter((j) => j.kind === "classifier" && j.family === family).map((j) => j.dir)),
          ),
        ]),
      ) as Record<Family, CommonEpoch>,
      oofLocalized: new Map(),
      oofLabelled: new Map(),
      oofRows: { tta: [], plain: [] },
      degradedRows: { tta: [], plain: [] },
    };
    const predictInto = (
      preds: Map<string, Probs3>,
      model: tf.LayersModel,
      samples: CropSampleLike[],
      family: Family,
    ) => {
      const crops = train.inputs.crops<CropSample>(samples); // one fold's validation samples of one family
      const probs = predictSamples([model], crops, config.classifier, family, config.tta);
      samples.forEach((s, i) => preds.set(sampleKey(s), probs[i]));
    };
    const rowsInto = (
      into: ByTta<OofRow[]>,
      model: tf.LayersModel,
      samples: CropSampleLike[],
      family: Family,
    ) => {
      const crops = train.inputs.crops<CropSample>(samples);
      const byTta = predictSamplesByTta([model], crops, config.classifier, family);
      for (const tta of ["tta", "plain"] as const) {
        into[tta].push(
          ...crops.map(({ studyId, condition, levelIndex, label, input }, i) => ({
            ...{ studyId, condition, levelIndex, label, input },
            probs: byTta[tta][i],
          })),
        );
      }
    };
    units.forEach(({ family, split: { valid } }, k) => {
      out.classifiers[family].push(models[k]);
      predictInto(out.oofLocalized, models[k], localized(valid, family), family);
      predictInto(out.oofLabelled, models[k], labelled(valid, family), family);
      loadModelWeights(epochWeightsFile(jobs[k].dir, out.epochs[family].epoch), models[k]);
      rowsInto(out.oofRows, models[k], localized(valid, family), family);
      const degraded = valid.flatMap((id) =>
        (pass.degraded.get(id) ?? []).filter((c) => familyOf(c) === family),
      );
      rowsInto(out.degradedRows, models[k], degraded, family);
    });
    return out;
  });
}

/** Every family x fold of stage 2, families in FAMILIES order, folds inside. */
function classifierUnits(train: PreparedTrain) {
  return FAMILIES.flatMap((family) => train.splits.map((split, f) => ({ family, f, split })));
}

/** A family's crops of some studies: at their labelled points, or at their localized ones (pass 2). */
function cropsOf(train: PreparedTrain, pass: LocalizedPass) {
  return {
    labelled: (ids: number[], family: Family) =>
      pick(train, ids).flatMap((p) => p.gtCrops.filter((c) => familyOf(c) === family)),
    localized: (ids: number[], family: Family) =>
      ids.flatMap((id) => (pass.crops.get(id) ?? []).filter((c) => familyOf(c) === family)),
  };
}

/**
 * One classifier unit per family and fold (checkpoints in OUT/checkpoints/FAMILY/foldF): trained on
 * labelled crops mixed with the localized ones of the same points, validated on localized crops.
 */
export function classifierJobs(ctx: KernelContext, train: PreparedTrain, pass: LocalizedPass): UnitJob[] {
  const { config } = ctx;
  const { labelled, localized } = cropsOf(train, pass);
  return classifierUnits(train).map(({ family, f, split: { train: trainIds, valid } }): UnitJob => ({
    kind: "classifier",
    dir: join(ctx.ckpt, unitId(family, f)),
    name: `${family} f${f}`,
    family,
    train: labelled(trainIds, family),
    trainAlternates: localized(trainIds, family),
    valid: localized(valid, family),
    cfg: config.classifier,
    patience: config.patience,
    seed: config.seed + 1009 * f + FAMILIES.indexOf(family),
    tta: config.tta,
    cache: train.inputs.dir,
  }));
}
