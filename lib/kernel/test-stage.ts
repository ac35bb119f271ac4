import { join } from "node:path";
import { fitLevelChainPrior } from "../models";
import {
  POINTS_FILE,
  predictTestSplit,
  writeEpochsFile,
  writeGatesFile,
  writeInferenceModels,
  writePointsCsv,
  type TestSplitPredictions,
  type Trained,
} from "../infer";
import type { GatesReport } from "./gates-stage";
import { writeSubmission, type CrossFamilyModel } from "../submit";
import type { KernelContext } from "./context";
import type { ClassifierStage } from "./classifier-stage";
import type { LocalizedPass } from "./localized-pass";
import type { LocalizerStage } from "./localizer-stage";
import type { PreparedTrain } from "./train-split";

/**
 * Save what inference needs besides the weights (offsets, level prior, class prior, cross-family
 * fallback, the common epoch per unit type, the gates) into the weights folder, so `lumbar predict`
 * needs no train split (Kaggle's test data has none), loads the same epochs and runs the same parts;
 * predict the test split one study at a time with every fold's models at the common epochs; write
 * OUT/submission.csv and OUT/points.csv (test points, then the out-of-fold ones of pass 2).
 */
export async function predictTest(
  ctx: KernelContext,
  train: PreparedTrain,
  models: {
    stage1: LocalizerStage;
    pass: LocalizedPass;
    stage2: ClassifierStage;
    crossFamily: CrossFamilyModel | null;
    gates: GatesReport;
  },
): Promise<TestSplitPredictions> {
  const { offsets } = models.pass;
  const levelPrior = fitLevelChainPrior(train.prepared.map((p) => p.localizer));
  const trained: Trained = {
    localizers: models.stage1.localizers,
    sidePoints: models.stage1.sidePoints,
    classifiers: models.stage2.classifiers,
    offsets,
    levelPrior,
    crossFamily: models.crossFamily,
    gates: models.gates.decisions,
  };
  writeInferenceModels(ctx.ckpt, {
    offsets,
    levelPrior,
    prior: train.prior,
    crossFamily: models.crossFamily,
  });
  const epochOf = Object.entries({
    localizer: models.stage1.epoch,
    ...models.stage1.sidePointEpochs,
    ...models.stage2.epochs,
  });
  writeEpochsFile(ctx.ckpt, Object.fromEntries(epochOf.map(([unit, e]) => [unit, e.epoch])));
  writeGatesFile(ctx.ckpt, models.gates.decisions, models.gates.evidence);
  const test = await ctx.clock("inference", () =>
    predictTestSplit(ctx.opts.data, trained, ctx.config, train.prior, {
      quiet: ctx.quiet,
      threads: ctx.threads,
    }),
  );
  train.failures.push(...test.failures);
  writeSubmission(join(ctx.opts.out, "submission.csv"), test.predictions, test.expected);
  writePointsCsv(join(ctx.opts.out, POINTS_FILE), [...test.points, ...models.pass.points]);
  return test;
}
