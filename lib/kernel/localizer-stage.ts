import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { GATE_MARGIN, beats, forcedGates, pointErrorStats, type PointErrorStats } from "../gates";
import { epochWeightsFile, predictScoredLevels } from "../infer";
import { fitLevelChainPrior, type LevelChainPrior } from "../models";
import { loadModelWeights } from "../models/weights-file";
import { frameToLps, pointErrors, SIDE_FAMILIES, type Levels, type SideFamily } from "../study";
import type { UnitJob } from "../train/unit-job";
import { trainUnits } from "../train/unit-pool";
import { commonEpoch, unitCurves, type CommonEpoch } from "./common-epoch";
import type { KernelContext } from "./context";
import { pick, type PreparedTrain } from "./train-split";
import { unitId } from "./unit-ids";

/**
 * Stage 1's result: one localizer per fold and each validation study's level points (LPS mm), and
 * stage 1b's side-point nets per family and fold.
 */
export interface LocalizerStage {
  /** Every fold's localizer at the common epoch. */
  readonly localizers: tf.LayersModel[];
  /** The epoch chosen from the folds' mean validation curve. */
  readonly epoch: CommonEpoch;
  /** Per family, every fold's side-point net at the family's common epoch (fold f at index f). */
  readonly sidePoints: Record<SideFamily, tf.LayersModel[]>;
  readonly sidePointEpochs: Record<`${SideFamily}-points`, CommonEpoch>;
  /** Out-of-fold level points per study (decoded as the level-chain gate says): how the localizer sees studies it was not trained on. */
  readonly oofLevels: Map<number, Levels>;
  /** The level-chain gate: chain decoding vs each level's own peak, judged on the out-of-fold canal points. */
  readonly levelChain: LevelChainDecision;
  /** Per fold, the level-chain prior fitted on its train studies (what decoded its validation studies). */
  readonly foldPriors: (LevelChainPrior | null)[];
}

/** The level-chain gate's decision and its evidence (out-of-fold level points against the labelled canal points). */
export interface LevelChainDecision {
  readonly on: boolean;
  readonly evidence: {
    readonly clipMm: number;
    readonly chain: PointErrorStats;
    readonly independent: PointErrorStats;
  };
}

/**
 * Train every fold's localizer and side-point nets at once on the unit pool, choose each unit type's
 * common epoch from its folds' mean validation curve and load it into every fold (no fold's own
 * score picks its epoch), then predict each fold's validation studies' levels: those points (refined
 * in pass 2 by the same fold's side-point nets) drive stage 2.
 */
export function trainLocalizers(ctx: KernelContext, train: PreparedTrain): Promise<LocalizerStage> {
  const { config } = ctx;
  return ctx.clock("trainLocalizer", async () => {
    const locJobs = localizerJobs(ctx, train);
    const ptJobs = sidePointJobs(ctx, train);
    const opts = { threads: ctx.threads, label: "train localizers", log: ctx.log, quiet: ctx.quiet };
    const models = await trainUnits([...locJobs, ...ptJobs], opts);
    const localizers = models.slice(0, locJobs.length);
    const atCommonEpoch = (jobs: UnitJob[], ms: tf.LayersModel[]) => {
      const e = commonEpoch(unitCurves(jobs.map((j) => j.dir)));
      jobs.forEach((j, f) => loadModelWeights(epochWeightsFile(j.dir, e.epoch), ms[f]));
      return e;
    };
    const epoch = atCommonEpoch(locJobs, localizers);
    const k = locJobs.length;
    const sidePoints = {} as Record<SideFamily, tf.LayersModel[]>;
    const sidePointEpochs = {} as Record<`${SideFamily}-points`, CommonEpoch>;
    SIDE_FAMILIES.forEach((family, i) => {
      sidePoints[family] = models.slice(k + i * k, k + (i + 1) * k);
      sidePointEpochs[`${family}-points`] = atCommonEpoch(
        ptJobs.slice(i * k, (i + 1) * k),
        sidePoints[family],
      );
    });
    const decoded = { chain: new Map<number, Levels>(), independent: new Map<number, Levels>() };
    const foldPriors = train.splits.map(({ train: trainIds }) =>
      fitLevelChainPrior(pick(train, trainIds).map((p) => p.localizer)),
    );
    train.splits.forEach(({ valid }, f) => {
      const validStudies = pick(train, valid);
      const images = train.inputs.localizers(validStudies.map((p) => p.localizer));
      const prior = foldPriors[f];
      for (const [variant, chainPrior] of [
        ["chain", prior],
        ["independent", null],
      ] as const) {
        const scored = predictScoredLevels([localizers[f]], images, config.localizer, chainPrior);
        validStudies.forEach((p, i) =>
          decoded[variant].set(p.studyId, {
            lps: scored[i].points.map(([u, v]) => frameToLps(p.mid, u, v)),
            confidence: scored[i].mass,
          }),
        );
      }
    });
    const decided = decideLevelChain(train, decoded, config.classifier.crops.spinal.sizeMm / 2);
    const forced = forcedGates(config.gates, config.sidePoints, config.tta);
    const levelChain = { ...decided, on: forced?.levelChain ?? decided.on };
    const oofLevels = decoded[levelChain.on ? "chain" : "independent"];
    return { localizers, epoch, sidePoints, sidePointEpochs, oofLevels, levelChain, foldPriors };
  });
}

/**
 * One side-point unit per family and fold (OUT/checkpoints/FAMILY-points/foldF), families in
 * SIDE_FAMILIES order, trained on windows around the labelled points of the fold's train studies.
 */
export function sidePointJobs(ctx: KernelContext, train: PreparedTrain): UnitJob[] {
  const { config } = ctx;
  return SIDE_FAMILIES.flatMap((family, i) =>
    train.splits.map(({ train: trainIds, valid }, f): UnitJob => {
      const samples = (ids: number[]) =>
        pick(train, ids).flatMap((p) => p.sidePoints.filter((s) => s.family === family));
      return {
        kind: "side-points",
        dir: join(ctx.ckpt, unitId(`${family}-points`, f)),
        name: `${family} points f${f}`,
        family,
        train: samples(trainIds),
        valid: samples(valid),
        cfg: config.sidePoints,
        patience: config.patience,
        seed: config.seed + 307 * f + 53 * (i + 1),
        cache: train.inputs.dir,
      };
    }),
  );
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

/**
 * Chain decoding is on when its out-of-fold level points lie closer to the labelled canal points
 * than each level's own peak by GATE_MARGIN.points (clipped mean error: past the spinal crop's
 * half-width a level is missed whatever the distance).
 */
function decideLevelChain(
  train: PreparedTrain,
  decoded: Record<"chain" | "independent", ReadonlyMap<number, Levels>>,
  clipMm: number,
): LevelChainDecision {
  const errors = (levels: ReadonlyMap<number, Levels>) =>
    train.prepared.flatMap((p) => {
      const l = levels.get(p.studyId);
      if (!l) return [];
      const pred = l.lps.map((lps, levelIndex) => ({
        condition: "spinal_canal_stenosis" as const,
        levelIndex,
        lps,
      }));
      return pointErrors(pred, p.gtPoints).map((e) => e.mm);
    });
  const chain = pointErrorStats(errors(decoded.chain), clipMm);
  const independent = pointErrorStats(errors(decoded.independent), clipMm);
  const on = beats(chain.clippedMeanMm ?? NaN, independent.clippedMeanMm ?? NaN, GATE_MARGIN.points);
  return { on, evidence: { clipMm, chain, independent } };
}
