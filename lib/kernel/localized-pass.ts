import { createHash } from "node:crypto";
import type * as tf from "@tensorflow/tfjs";
import { cacheKey, cachedBuild, codeIdentity, type CropSampleLike, type SampleWriter } from "../cache";
import { baselineGates, forcedGates } from "../gates";
import { FAMILIES, type Family } from "../data/schema";
import type { CandidateMemo, PointRow } from "../infer";
import { addFailures, fitOffsets, SIDE_FAMILIES, type Failure, type OffsetModel } from "../study";
import { shareStudies, type HelperThread } from "../util/helper-threads";
import { progressBar } from "../util/progress";
import type { KernelContext } from "./context";
import { DEGRADED_STUDIES_MAX } from "./degradations";
import type { LocalizerStage } from "./localizer-stage";
import { startPass2Helpers } from "./pass2-threads";
import {
  foldModels,
  studyCut,
  studyEvidence,
  type FoldModels,
  type Pass2Decision,
  type Pass2Settings,
  type Pass2Study,
  type StudyCut,
  type StudyEvidence,
  type Stage1Models,
} from "./pass2-study";
import type { Pass2Request } from "./pass2-worker";
import {
  decidePlacement,
  emptyPlacementEvidence,
  mergeEvidence,
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
    const studies = pass2Studies(train, stage1);
    const settings: Pass2Settings = {
      sidePoints: ctx.config.sidePoints,
      classifier: ctx.config.classifier,
      localizer: ctx.config.localizer,
      foldOffsets,
    };
    const models: Stage1Models = {
      localizers: stage1.localizers,
      sidePoints: stage1.sidePoints,
      priors: stage1.localizers.map((_, f) => (stage1.levelChain.on ? stage1.foldPriors[f] : null)),
    };
    const folds = foldModels(models, ctx.config.localizer);
    const helpers = startPass2Helpers(ctx.threads, models, settings, studies.length);
    try {
      const memos = new Map<number, CandidateMemo>();
      const placement = await decideOutOfFold(ctx, studies, folds, settings, helpers, memos);
      const cut = await cutCrops(ctx, train, studies, folds, settings, placement, helpers, memos, writer);
      return { ...cut, placement, failures: train.failures.slice(failuresBefore) };
    } finally {
      await Promise.all(helpers.map((h) => h.terminate()));
    }
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

/** The out-of-fold studies in prepared order, each as pass 2 handles it; DEGRADED_STUDIES_MAX spread over the list are degraded too. */
function pass2Studies(train: PreparedTrain, stage1: LocalizerStage): Pass2Study[] {
  const listed = train.prepared.filter((p) => stage1.oofLevels.has(p.studyId));
  const stride = Math.ceil(listed.length / DEGRADED_STUDIES_MAX);
  return listed.map((p, index) => ({
    entry: train.split.studies.find((e) => e.studyId === p.studyId)!,
    levels: stage1.oofLevels.get(p.studyId)!,
    fold: train.folds.get(p.studyId)!,
    labels: train.split.labelsByStudy.get(p.studyId),
    coords: train.split.coordsByStudy.get(p.studyId) ?? [],
    gtPoints: p.gtPoints,
    degrade: index % stride === 0,
  }));
}

/**
 * Gather stage 1b's evidence on every out-of-fold study, then decide (the baseline without CV). The
 * nets' answers are kept per study (`memos`): the crops pass places the same points again.
 */
async function decideOutOfFold(
  ctx: KernelContext,
  studies: readonly Pass2Study[],
  folds: readonly FoldModels[],
  settings: Pass2Settings,
  helpers: readonly HelperThread[],
  memos: Map<number, CandidateMemo>,
): Promise<LocalizedPass["placement"]> {
  if (!studies.length) return { ...baselineGates(), evidence: null };
  const evidence = emptyPlacementEvidence();
  const bar = progressBar("prepare train (pass 2: stage 1b evidence)", studies.length, { quiet: ctx.quiet });
  await shareStudies<StudyEvidence | null>(
    studies.length,
    (i) => studyEvidence(studies[i], folds[studies[i].fold], settings),
    helpers.map(
      (h) => (i) =>
        h.call<StudyEvidence | null>({ type: "evidence", study: studies[i] } satisfies Pass2Request),
    ),
    (i, r) => {
      // null: the study cannot be read; the crops pass reads it again and lists what fails
      if (r) {
        mergeEvidence(evidence, r.evidence);
        memos.set(i, r.memo);
      }
      bar.tick();
    },
  );
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
 * 1b's outcomes, points.csv rows, and the degraded crops made from it; written in list order.
 */
async function cutCrops(
  ctx: KernelContext,
  train: PreparedTrain,
  studies: readonly Pass2Study[],
  folds: readonly FoldModels[],
  settings: Pass2Settings,
  placement: LocalizedPass["placement"],
  helpers: readonly HelperThread[],
  memos: ReadonlyMap<number, CandidateMemo>,
  writer: SampleWriter,
): Promise<Omit<PassMeta, "placement" | "failures">> {
  const out: Omit<PassMeta, "placement" | "failures"> = {
    crops: [],
    degraded: [],
    errors: [],
    sidePointOutcomes: {},
    points: [],
  };
  const decided: Pass2Decision = { refine: placement.refine, canalFirst: placement.canalFirst };
  const memo = (i: number) => memos.get(i) ?? new Map();
  const bar = progressBar("prepare train (pass 2: crops)", studies.length, { quiet: ctx.quiet });
  await shareStudies<StudyCut>(
    studies.length,
    (i) => studyCut(studies[i], folds[studies[i].fold], settings, decided, memo(i)),
    helpers.map(
      (h) => (i) =>
        h.call<StudyCut>({ type: "cut", study: studies[i], decided, memo: memo(i) } satisfies Pass2Request),
    ),
    (i, r) => {
      const studyId = studies[i].entry.studyId;
      if (r.own) {
        for (const { family, outcome } of r.own.outcomes) {
          const counts = (out.sidePointOutcomes[family] ??= {});
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        }
        out.crops.push([studyId, r.own.crops.map((c) => writer.crop(c))]);
        addFailures(train.failures, r.own.fileFailures);
        out.errors.push(...r.own.errors);
        out.points.push(...r.own.points);
      }
      if (r.degraded) out.degraded.push([studyId, r.degraded.map((c) => writer.crop(c))]);
      if (r.failure) train.failures.push(r.failure);
      bar.tick();
    },
  );
  bar.stop();
  return out;
}
