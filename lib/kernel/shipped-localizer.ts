import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { localizerSpec, type LocalizerConfig } from "../config";
import { errorSummary } from "../gates";
import { predictLevels, readState } from "../infer";
import { fitLevelChainPrior } from "../models";
import { saveModelWeights } from "../models/weights-file";
import { fitLocalizer, levelPointErrors } from "../train/localizer";
import { setFolds, type LabelledSet } from "./transfer";

/** What a shipped localizer's weights file says of itself (its bundle's meta). */
export interface ShippedLocalizerMeta {
  readonly kind: "localizer";
  readonly spec: ReturnType<typeof localizerSpec>;
  /** The sets it trained on and how many of their studies (a validation share held back). */
  readonly trainedOn: readonly { set: string; train: number; valid: number }[];
  readonly seed: number;
  readonly epoch: number;
  /** Level point errors (mm, chain decoded) on the held-back share: how well it fits where it came from. */
  readonly validation: ReturnType<typeof errorSummary>;
}

/**
 * Train one localizer on the labelled studies of several sets together, one seeded 1-in-`folds`
 * share of each set held back to pick the best epoch (fitLocalizer's early stopping), and write its
 * weights with a ShippedLocalizerMeta to `file`. Checkpoints go to `dir` (a rerun resumes).
 */
export async function buildShippedLocalizer(opts: {
  sets: readonly LabelledSet[];
  cfg: LocalizerConfig;
  folds: number;
  seed: number;
  patience: number;
  dir: string;
  file: string;
  quiet?: boolean;
}): Promise<{ model: tf.LayersModel; meta: ShippedLocalizerMeta }> {
  const parts = opts.sets.map((set) => ({ set: set.name, ...setFolds(set, opts.folds, opts.seed)[0] }));
  const train = parts.flatMap((p) => p.train);
  const valid = parts.flatMap((p) => p.valid);
  const model = await fitLocalizer({
    name: "shipped localizer",
    dir: join(opts.dir, "localizer"),
    patience: opts.patience,
    seed: opts.seed,
    quiet: opts.quiet,
    train,
    valid,
    cfg: { ...opts.cfg, init: null },
  });
  const prior = fitLevelChainPrior(train);
  const errors = levelPointErrors(predictLevels([model], valid, opts.cfg, prior), valid, "mm");
  const meta: ShippedLocalizerMeta = {
    kind: "localizer",
    spec: localizerSpec(opts.cfg),
    trainedOn: parts.map((p) => ({ set: p.set, train: p.train.length, valid: p.valid.length })),
    seed: opts.seed,
    epoch: readState(join(opts.dir, "localizer")).bestEpoch,
    validation: errorSummary(errors),
  };
  saveModelWeights(opts.file, model, meta);
  return { model, meta };
}
