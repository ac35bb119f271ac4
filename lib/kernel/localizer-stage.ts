import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { Vec3 } from "../geometry";
import { predictLevels } from "../infer";
import { fitLevelChainPrior } from "../models";
import { frameToLps } from "../study";
import type { UnitJob } from "../train/unit-job";
import { trainUnits } from "../train/unit-pool";
import type { KernelContext } from "./context";
import { pick, type PreparedTrain } from "./train-split";

/** Stage 1's result: one localizer per fold and each validation study's level points (LPS mm). */
export interface LocalizerStage {
  readonly localizers: tf.LayersModel[];
  /** Out-of-fold level points per study: how the localizer sees studies it was not trained on. */
  readonly oofLevels: Map<number, Vec3[]>;
}

/** Train every fold's localizer at once on the unit pool, then predict each fold's validation studies. */
export function trainLocalizers(ctx: KernelContext, train: PreparedTrain): Promise<LocalizerStage> {
  const { config } = ctx;
  return ctx.clock("trainLocalizer", async () => {
    const jobs = train.splits.map(({ train: trainIds, valid }, f): UnitJob => ({
      kind: "localizer",
      dir: join(ctx.ckpt, "localizer", `fold${f}`),
      name: `localizer f${f}`,
      train: pick(train, trainIds).map((p) => p.localizer),
      valid: pick(train, valid).map((p) => p.localizer),
      cfg: config.localizer,
      patience: config.patience,
      seed: config.seed + 101 * f,
    }));
    const opts = { threads: ctx.threads, label: "train localizers", log: ctx.log, quiet: ctx.quiet };
    const localizers = await trainUnits(jobs, opts);
    const oofLevels = new Map<number, Vec3[]>();
    train.splits.forEach(({ train: trainIds, valid }, f) => {
      const validStudies = pick(train, valid);
      const pts = predictLevels(
        [localizers[f]],
        validStudies.map((p) => p.localizer),
        config.localizer,
        fitLevelChainPrior(pick(train, trainIds).map((p) => p.localizer)),
      );
      validStudies.forEach((p, i) =>
        oofLevels.set(
          p.studyId,
          pts[i].map(([u, v]) => frameToLps({ ...p.mid, image: p.localizer.image }, u, v)),
        ),
      );
    });
    return { localizers, oofLevels };
  });
}
