import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { Vec3 } from "../geometry";
import { epochWeightsFile, predictLevels } from "../infer";
import { fitLevelChainPrior } from "../models";
import { loadModelWeights } from "../models/weights-file";
import { frameToLps } from "../study";
import type { UnitJob } from "../train/unit-job";
import { trainUnits } from "../train/unit-pool";
import { commonEpoch, unitCurves, type CommonEpoch } from "./common-epoch";
import type { KernelContext } from "./context";
import { pick, type PreparedTrain } from "./train-split";
import { unitId } from "./unit-ids";

/** Stage 1's result: one localizer per fold and each validation study's level points (LPS mm). */
export interface LocalizerStage {
  /** Every fold's localizer at the common epoch. */
  readonly localizers: tf.LayersModel[];
  /** The epoch chosen from the folds' mean validation curve. */
  readonly epoch: CommonEpoch;
  /** Out-of-fold level points per study: how the localizer sees studies it was not trained on. */
  readonly oofLevels: Map<number, Vec3[]>;
}

/**
 * Train every fold's localizer at once on the unit pool, choose the common epoch from the folds' mean
 * validation curve and load it into every fold (no fold's own score picks its epoch), then predict
 * each fold's validation studies: those points drive pass 2 and so stage 2.
 */
export function trainLocalizers(ctx: KernelContext, train: PreparedTrain): Promise<LocalizerStage> {
  const { config } = ctx;
  return ctx.clock("trainLocalizer", async () => {
    const jobs = localizerJobs(ctx, train);
    const opts = { threads: ctx.threads, label: "train localizers", log: ctx.log, quiet: ctx.quiet };
    const localizers = await trainUnits(jobs, opts);
    const epoch = commonEpoch(unitCurves(jobs.map((j) => j.dir)));
    jobs.forEach((j, f) => loadModelWeights(epochWeightsFile(j.dir, epoch.epoch), localizers[f]));
    const oofLevels = new Map<number, Vec3[]>();
    train.splits.forEach(({ train: trainIds, valid }, f) => {
      const validStudies = pick(train, valid);
      const pts = predictLevels(
        [localizers[f]],
        train.inputs.localizers(validStudies.map((p) => p.localizer)),
        config.localizer,
        fitLevelChainPrior(pick(train, trainIds).map((p) => p.localizer)),
      );
      validStudies.forEach((p, i) =>
        oofLevels.set(
          p.studyId,
          pts[i].map(([u, v]) => frameToLps(p.mid, u, v)),
        ),
      );
    });
    return { localizers, epoch, oofLevels };
  });
}

/** One localizer unit per fold (checkpoints in OUT/checkpoints/localizer/foldF), seeded per fold. */
export function localizerJobs(ctx: KernelContext, train: PreparedTrain): UnitJob[] {
  const { config } = ctx;
  return train.splits.map(({ train: trainIds, valid }, f): UnitJob => ({
    kind: "localizer",
    dir: join(ctx.ckpt, unitId("localizer", f)),
    name: `localizer f${f}`,
    train: pick(train, trainIds).map((p) => p.localizer),
    valid: pick(train, valid).map((p) => p.localizer),
    cfg: config.localizer,
    patience: config.patience,
    seed: config.seed + 101 * f,
    cache: train.inputs.dir,
  }));
}
