import * as tf from "@tensorflow/tfjs";
import { openRun, type KernelOptions } from "./context";
import { trainClassifiers } from "./classifier-stage";
import { fitCrossFamilyFallback, scoreCv } from "./cv";
import { decideGates } from "./gates-stage";
import { localizedPass } from "./localized-pass";
import { trainLocalizers } from "./localizer-stage";
import { writeReport, type KernelReport } from "./report";
import { predictTest } from "./test-stage";
import { loadTrain } from "./train-split";

/**
 * The batch kernel: train both stages with k-fold CV on DATA's train split, decide out of fold which
 * optional parts run (lib/gates), predict its test split, write OUT/submission.csv (always complete
 * and valid: anything that cannot be processed gets the prior), OUT/points.csv and OUT/report.json.
 * Checkpoints in OUT/checkpoints make a rerun resume.
 */
export async function runKernel(opts: KernelOptions): Promise<KernelReport> {
  const ctx = openRun(opts);
  const train = await loadTrain(ctx);
  const stage1 = await trainLocalizers(ctx, train);
  const pass = await localizedPass(ctx, train, stage1);
  const stage2 = await trainClassifiers(ctx, train, pass);
  const gated = decideGates(ctx, train, stage1, pass, stage2);
  const cv = scoreCv(ctx, train, stage1, stage2, gated);
  const crossFamily = fitCrossFamilyFallback(train, stage1, gated);
  const test = await predictTest(ctx, train, { stage1, pass, stage2, crossFamily, gates: gated.report });
  const report = writeReport(ctx, train, { cv, stage1, pass, stage2, test, gates: gated.report });
  train.inputs.close();
  const models = [
    ...stage1.localizers,
    ...Object.values<tf.LayersModel[]>(stage1.sidePoints).flat(),
    ...Object.values<tf.LayersModel[]>(stage2.classifiers).flat(),
  ];
  tf.dispose(models.flatMap((m) => m.weights.map((w) => w.read())));
  return report;
}
