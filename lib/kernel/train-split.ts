import { join } from "node:path";
import { cacheKey, cachedBuild, SampleStore } from "../cache";
import { loadTrainSplit, type TrainSplit } from "../data/train-split";
import { fitPrior, type PriorModel } from "../submit";
import type { Failure } from "../study";
import { foldSplit, studyFolds } from "../train/folds";
import { prepareIdentity, prepareTrainStudies, type PreparedStudy } from "../train/prepare";
import { Rng } from "../util/rng";
import type { KernelContext } from "./context";

/** The train split read and prepared (pass 1), with its class prior and the CV folds. */
export interface PreparedTrain {
  readonly split: TrainSplit;
  readonly prior: PriorModel;
  readonly prepared: readonly PreparedStudy[];
  /** Per-study problems so far; later stages append theirs. */
  readonly failures: Failure[];
  /** Study -> fold; empty when there are fewer studies than folds (then one model trains on all). */
  readonly folds: ReadonlyMap<number, number>;
  /** Train and validation study ids per fold (one split, validation empty, without CV). */
  readonly splits: readonly { train: number[]; valid: number[] }[];
  /** OUT/cache, where the prepared studies' crops and localizer images are (lib/cache). */
  readonly inputs: SampleStore;
  /** The key of pass 1's cache build (later builds key on it). */
  readonly inputsKey: string;
}

/** Pass 1's cache build: the prepared studies (pixels as record references) and their failures. */
interface PreparedMeta {
  readonly prepared: PreparedStudy[];
  readonly failures: Failure[];
}

/** Load the train split, keep at most config.maxTrainStudies (seeded), prepare them, make the folds. */
export async function loadTrain(ctx: KernelContext): Promise<PreparedTrain> {
  const { config } = ctx;
  const split = loadTrainSplit(ctx.opts.data);
  const prior = fitPrior(split.labels);
  let studies = split.studies;
  if (config.maxTrainStudies !== null && studies.length > config.maxTrainStudies) {
    const ids = studies.map((s) => s.studyId);
    const keep = new Set(new Rng(config.seed).shuffle(ids).slice(0, config.maxTrainStudies));
    studies = studies.filter((s) => keep.has(s.studyId));
  }
  const inputs = new SampleStore(ctx.opts.cache ?? join(ctx.opts.out, "cache"));
  const pass1 = {
    studies,
    labels: split.labelsByStudy,
    coords: split.coordsByStudy,
    loc: config.localizer,
    cls: config.classifier,
    pts: config.sidePoints,
  };
  // Cut once per OUT and data: the crops and images go to disk as they are cut; a rerun, and
  // every unit process, reads the build back (nothing decoded) while its key holds.
  const inputsKey = cacheKey(prepareIdentity(pass1));
  const built = await ctx.clock("prepareTrain", () =>
    cachedBuild<PreparedMeta>({
      dir: inputs.dir,
      stage: "pass1",
      key: inputsKey,
      build: (writer) =>
        prepareTrainStudies({
          ...pass1,
          quiet: ctx.quiet,
          keep: (s) => ({
            ...s,
            localizer: writer.localizer(s.localizer),
            gtCrops: s.gtCrops.map((c) => writer.crop(c)),
            sidePoints: s.sidePoints.map((c) => writer.crop(c)),
          }),
        }),
    }),
  );
  if (!ctx.quiet)
    console.error(`[cache] pass 1: ${built.reused ? "reused" : `built (${built.rebuilt})`} in ${inputs.dir}`);
  const { prepared, failures } = built.meta;
  const ids = prepared.map((p) => p.studyId);
  const canCv = prepared.length >= config.folds;
  const folds = canCv ? studyFolds(ids, config.folds, config.seed) : new Map<number, number>();
  const splits = canCv
    ? Array.from({ length: config.folds }, (_, f) => foldSplit(folds, f))
    : [{ train: ids, valid: [] as number[] }];
  return { split: { ...split, studies }, prior, prepared, failures, folds, splits, inputs, inputsKey };
}

/** The prepared studies with these ids, in prepared order. */
export function pick(train: PreparedTrain, ids: readonly number[]): PreparedStudy[] {
  return train.prepared.filter((p) => ids.includes(p.studyId));
}
