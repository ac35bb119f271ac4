import { createHash } from "node:crypto";
import type * as tf from "@tensorflow/tfjs";
import { cacheKey, cachedBuild, codeIdentity, type CropSampleLike, type SampleWriter } from "../cache";
import { baselineGates, forcedGates } from "../gates";
import type { LabelCoordinate } from "../data/coordinates";
import { FAMILIES, LEVELS, type Family } from "../data/schema";
import {
  applyRefinement,
  memoizedCandidates,
  pointRow,
  predictScoredLevels,
  refineSidePoints,
  type CandidateMemo,
  type PointRow,
} from "../infer";
import {
  addFailures,
  fileFailures,
  fitOffsets,
  frameToLps,
  levelsInputKind,
  loadStudy,
  localizedCrops,
  localizerStack,
  midSlice,
  pointErrors,
  SIDE_FAMILIES,
  type Failure,
  type OffsetModel,
  type Placement,
} from "../study";
import { progressBar } from "../util/progress";
import type { KernelContext } from "./context";
import {
  canalSliceUnreadable,
  DEGRADED_STUDIES_MAX,
  ownSliceUnreadable,
  sagittalT2Missing,
  type Localize,
} from "./degradations";
import { foldSidePoints, type LocalizerStage } from "./localizer-stage";
import {
  addStudyEvidence,
  decidePlacement,
  emptyPlacementEvidence,
  type PlacementDecision,
} from "./placement-gates";
import type { PreparedTrain } from "./train-split";

/** Pass 2's result: crops at out-of-fold placed points, stage 1b's gates, and how far the points were off. */
export interface LocalizedPass {
  /** Condition offsets from all train studies: what test studies are placed with. */
  readonly offsets: OffsetModel;
  /** Per study, references into the cache folder (lib/cache): crops at the points placed as the gates say. */
  readonly crops: ReadonlyMap<number, CropSampleLike[]>;
  /**
   * Per study, crops from degraded inputs made on purpose (a slice unreadable): judged out of fold,
   * never trained on.
   */
  readonly degraded: ReadonlyMap<number, CropSampleLike[]>;
  /** Stage 1b per family and canal-first placement, decided out of fold (with the evidence). */
  readonly placement: Pick<PlacementDecision, "refine" | "canalFirst"> & {
    readonly evidence: PlacementDecision["evidence"] | null;
  };
  /** 3D error (mm) of each placed point against its labelled one, by family. */
  readonly errors: readonly { family: string; mm: number }[];
  /** Per family, how many points stage 1b moved or left where they were, by outcome. */
  readonly sidePointOutcomes: Record<string, Record<string, number>>;
  /** Every out-of-fold placed point, beside its labelled one: points.csv's oof rows. */
  readonly points: readonly PointRow[];
}

/** Pass 2's cache build. */
interface PassMeta {
  readonly crops: [number, CropSampleLike[]][];
  readonly degraded: [number, CropSampleLike[]][];
  readonly placement: LocalizedPass["placement"];
  readonly errors: { family: string; mm: number }[];
  readonly sidePointOutcomes: Record<string, Record<string, number>>;
  readonly points: PointRow[];
  readonly failures: Failure[];
}

/** Models' weights, hashed: pass 2's points depend on the localizers and the side-point nets. */
function weightsHash(models: readonly tf.LayersModel[]): string {
  const hash = createHash("sha256");
  for (const model of models)
    for (const w of model.weights) {
      const data = w.read().dataSync() as Float32Array;
      hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  return hash.digest("hex");
}

/**
 * Pass 2 over the train studies, each with its own fold's models (out of fold). First the evidence:
 * where the canal and side points would be, projected and refined, against their labelled points;
 * stage 1b's gates and canal-first placement are decided on it (lib/gates). Then the crops at the
 * points placed as decided (how the classifier will see test studies), and crops from degraded inputs
 * made on purpose (lib/kernel degradations) for the out-of-fold judgement of such rows. A study that
 * fails is listed in `train.failures`, and so is a file that failed to decode only now. Cached under a
 * key of pass 1's, the levels, offsets, models and code.
 */
export async function localizedPass(
  ctx: KernelContext,
  train: PreparedTrain,
  stage1: LocalizerStage,
): Promise<LocalizedPass> {
  const { prepared, folds } = train;
  const foldOffsets = folds.size
    ? Array.from({ length: ctx.config.folds }, (_, f) =>
        fitOffsets(prepared.filter((p) => folds.get(p.studyId) !== f).map((p) => p.gtPoints)),
      )
    : [];
  const offsets = fitOffsets(prepared.map((p) => p.gtPoints));
  const key = cacheKey({
    stage: "localized crops (pass 2)",
    pass1: train.inputsKey,
    code: codeIdentity(["gates", "infer", "kernel"]),
    levels: [...stage1.oofLevels],
    levelChain: stage1.levelChain.on,
    gates: ctx.config.gates,
    foldOffsets: foldOffsets.map((m) => [...m]),
    // Stage 1b moves the points, the localizers re-localize a degraded study: their weights decide the crops.
    sidePoints: {
      config: ctx.config.sidePoints,
      weights: weightsHash(SIDE_FAMILIES.flatMap((f) => stage1.sidePoints[f])),
    },
    localizers: weightsHash(stage1.localizers),
  });
  const build = async (writer: SampleWriter): Promise<PassMeta> => {
    const failuresBefore = train.failures.length;
    const memos = new Map<number, CandidateMemo>();
    const placement = await decideOutOfFold(ctx, train, stage1, foldOffsets, memos);
    const cut = await cutCrops(ctx, train, stage1, foldOffsets, placement, memos, writer);
    return { ...cut, placement, failures: train.failures.slice(failuresBefore) };
  };
  const built = await ctx.clock("prepareLocalized", () =>
    cachedBuild<PassMeta>({ dir: train.inputs.dir, stage: "pass2", key, build }),
  );
  if (built.reused) train.failures.push(...built.meta.failures);
  if (!ctx.quiet)
    console.error(
      `[cache] pass 2: ${built.reused ? "reused" : `built (${built.rebuilt})`} in ${train.inputs.dir}`,
    );
  const { crops, degraded, placement, errors, sidePointOutcomes, points } = built.meta;
  return {
    offsets,
    crops: new Map(crops),
    degraded: new Map(degraded),
    placement,
    errors,
    sidePointOutcomes,
    points,
  };
}

/** The out-of-fold studies with their fold, entry and labels, in prepared order. */
function oofStudies(train: PreparedTrain, stage1: LocalizerStage) {
  return train.prepared.flatMap((p) => {
    const levels = stage1.oofLevels.get(p.studyId);
    if (!levels) return [];
    const entry = train.split.studies.find((e) => e.studyId === p.studyId)!;
    return [
      {
        p,
        levels,
        entry,
        fold: train.folds.get(p.studyId)!,
        labels: train.split.labelsByStudy.get(p.studyId),
      },
    ];
  });
}

/**
 * Gather stage 1b's evidence on every out-of-fold study, then decide (the baseline without CV). The
 * nets' answers are kept per study (`memos`): the crops pass places the same points again.
 */
async function decideOutOfFold(
  ctx: KernelContext,
  train: PreparedTrain,
  stage1: LocalizerStage,
  foldOffsets: readonly OffsetModel[],
  memos: Map<number, CandidateMemo>,
): Promise<LocalizedPass["placement"]> {
  const studies = oofStudies(train, stage1);
  if (!studies.length) return { ...baselineGates(), evidence: null };
  const { sidePoints } = ctx.config;
  const evidence = emptyPlacementEvidence();
  const bar = progressBar("prepare train (pass 2: stage 1b evidence)", studies.length, { quiet: ctx.quiet });
  for (const { p, levels, entry, fold } of studies) {
    try {
      const study = await loadStudy(entry);
      const memo: CandidateMemo = new Map();
      memos.set(p.studyId, memo);
      const candidates = memoizedCandidates(memo, foldSidePoints(stage1, fold), sidePoints);
      addStudyEvidence(evidence, study, levels, foldOffsets[fold], candidates, sidePoints, p.gtPoints, fold);
    } catch {
      // the crops pass reads the study again and lists what fails
    }
    bar.tick();
  }
  bar.stop();
  const clip = Object.fromEntries(
    FAMILIES.map((f) => [f, ctx.config.classifier.crops[f].sizeMm / 2]),
  ) as Record<Family, number>;
  const decided = decidePlacement(evidence, clip);
  const forced = forcedGates(ctx.config.gates, ctx.config.sidePoints, ctx.config.tta);
  return forced ? { ...decided, refine: forced.refine, canalFirst: forced.canalFirst } : decided;
}

/**
 * Each out-of-fold study placed as decided, with its fold's models: its crops, point errors, stage
 * 1b's outcomes, points.csv rows, and the degraded crops made from it (on at most
 * DEGRADED_STUDIES_MAX studies, spread over the list: enough rows per group at any size).
 */
async function cutCrops(
  ctx: KernelContext,
  train: PreparedTrain,
  stage1: LocalizerStage,
  foldOffsets: readonly OffsetModel[],
  decided: LocalizedPass["placement"],
  memos: ReadonlyMap<number, CandidateMemo>,
  writer: SampleWriter,
): Promise<Omit<PassMeta, "placement" | "failures">> {
  const { config } = ctx;
  const out: Omit<PassMeta, "placement" | "failures"> = {
    crops: [],
    degraded: [],
    errors: [],
    sidePointOutcomes: {},
    points: [],
  };
  const studies = oofStudies(train, stage1);
  const stride = Math.ceil(studies.length / DEGRADED_STUDIES_MAX);
  const bar = progressBar("prepare train (pass 2: crops)", studies.length, { quiet: ctx.quiet });
  for (const [i, { p, levels, entry, fold, labels }] of studies.entries()) {
    try {
      const models = foldSidePoints(stage1, fold);
      const candidates = memoizedCandidates(memos.get(p.studyId) ?? new Map(), models, config.sidePoints);
      const study = await loadStudy(entry);
      const levelsInput = levelsInputKind(localizerStack(study)!); // pass 1 localized this study on it
      const common = { offsets: foldOffsets[fold], cls: config.classifier, labels };
      const placement: Placement = {
        refine: (pts) => applyRefinement(pts, candidates(pts), decided.refine),
        canalFirst: decided.canalFirst,
      };
      const r = await localizedCrops(entry, { ...common, placement, levels, levelsInput, study });
      for (const { family, outcome } of r.outcomes) {
        const counts = (out.sidePointOutcomes[family] ??= {});
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
      out.crops.push([p.studyId, r.crops.map((c) => writer.crop(c))]);
      addFailures(train.failures, fileFailures(p.studyId, "train", r.files));
      out.errors.push(...pointErrors(r.points, p.gtPoints));
      const coords = train.split.coordsByStudy.get(p.studyId) ?? [];
      out.points.push(...oofPointRows(p, r, coords, fold));
      if (i % stride !== 0) continue;
      // A degraded study's windows differ from the memo's: its nets read them afresh.
      const fresh: Placement = {
        refine: (pts) => refineSidePoints(pts, models, config.sidePoints, decided.refine),
        canalFirst: decided.canalFirst,
      };
      const localize = foldLocalize(ctx, stage1, fold);
      const degraded = [
        ...ownSliceUnreadable(p.studyId, r.points, config.classifier, labels, levelsInput),
        ...(await canalSliceUnreadable(entry, study, coords, localize, { ...common, placement: fresh })),
        ...(await sagittalT2Missing(entry, study, localize, { ...common, placement: fresh })),
      ];
      out.degraded.push([p.studyId, degraded.map((c) => writer.crop(c))]);
    } catch (e) {
      train.failures.push({ studyId: p.studyId, stage: "localized crops", reason: (e as Error).message });
    }
    bar.tick();
  }
  bar.stop();
  return out;
}

/** points.csv rows of a study placed out of fold: each beside its labelled point, with its row's input kind. */
function oofPointRows(
  p: PreparedTrain["prepared"][number],
  r: Pick<Awaited<ReturnType<typeof localizedCrops>>, "points" | "crops">,
  coords: readonly LabelCoordinate[],
  fold: number,
): PointRow[] {
  return r.points.map((pt) => {
    const same = (q: { condition: string; levelIndex: number }) =>
      q.condition === pt.condition && q.levelIndex === pt.levelIndex;
    const label = coords.find((c) => c.condition === pt.condition && c.level === LEVELS[pt.levelIndex]);
    const input = r.crops.find(same)?.input ?? "missing-series";
    return pointRow(p.studyId, pt, input, {
      split: "oof",
      fold,
      label,
      labelLps: p.gtPoints.find(same)?.lps,
    });
  });
}

/** Fold f's localizer as the kernel decodes it (level-chain gate), on any version of a study. */
function foldLocalize(ctx: KernelContext, stage1: LocalizerStage, f: number): Localize {
  const prior = stage1.levelChain.on ? stage1.foldPriors[f] : null;
  return (study) => {
    const view = localizerStack(study);
    if (!view) return null;
    const mid = midSlice(view.stack, ctx.config.localizer.inputPx);
    const [scored] = predictScoredLevels([stage1.localizers[f]], [mid], ctx.config.localizer, prior);
    return {
      levels: { lps: scored.points.map(([u, v]) => frameToLps(mid, u, v)), confidence: scored.mass },
      levelsInput: levelsInputKind(view),
    };
  };
}
