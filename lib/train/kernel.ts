import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { FAMILIES, LEVELS, rowId, studyRowIds, type Family, type SeverityIndex } from "../data/schema";
import { datasetPaths, indexDataset } from "../data/dataset";
import { loadCoordinates, type LabelCoordinate } from "../data/coordinates";
import { labelsByRowId, loadTrainLabels, type StudyLabels } from "../data/train-labels";
import { scoreSubmission, type MetricResult, type Probs3 } from "../metric";
import { fitPrior, priorPredictions, writeSubmission } from "../submit";
import type { Vec3 } from "../geometry";
import { Rng } from "../util/rng";
import { UsageError } from "../util/errors";
import { atomicWrite } from "./checkpoint";
import { familyOf, predictSamples, type CropSample } from "./classifier";
import {
  readConfigJson,
  resolveConfig,
  writeConfigJson,
  weightsConfig,
  type Profile,
  type TrainConfig,
  type TrainOverrides,
} from "./config";
import { foldSplit, studyFolds } from "./folds";
import { predictLevels } from "./localizer";
import { fitLevelChainPrior } from "../models";
import { JsonlLog } from "./log";
import {
  errorSummary,
  localizedCrops,
  pointErrors,
  prepareTrainStudies,
  type Failure,
  type LpsPoint,
  type PreparedStudy,
} from "./prepare";
import { progressBar } from "./progress";
import { fitOffsets, frameToLps } from "./study";
import { predictTestSplit, writeInferenceModels, type Fallback, type Trained } from "./predict";
import { groundTruthScores, type GroundTruthReport } from "./ground-truth";
import type { UnitJob } from "./unit-job";
import { defaultThreads, trainUnits } from "./unit-pool";

export interface KernelOptions {
  /** Competition-layout folder (train + test). */
  readonly data: string;
  readonly out: string;
  readonly profile: Profile;
  readonly seed?: number;
  readonly overrides?: TrainOverrides;
  readonly quiet?: boolean;
  /** Backend description for the report (the caller initialised it). */
  readonly backend?: Record<string, unknown>;
}

export interface KernelReport {
  readonly profile: Profile;
  readonly data: string;
  readonly seed: number;
  readonly backend: Record<string, unknown>;
  readonly cvScore: number | null;
  readonly testScore: number | null;
  readonly priorScore: number | null;
  readonly oracleScore: number | null;
  readonly cv: {
    localized: MetricResult | null;
    groundTruthCoords: MetricResult | null;
    prior: MetricResult | null;
    studies: number;
  };
  readonly test: (GroundTruthReport & { studies: number }) | { studies: number };
  readonly localization: Record<string, unknown>;
  readonly timings: Record<string, number>;
  readonly fallbacks: Fallback[];
  readonly failures: Failure[];
  readonly config: TrainConfig;
}

/**
 * The batch kernel: train both stages with k-fold CV on DATA's train split, predict its test split,
 * write OUT/submission.csv (always complete and valid: anything that cannot be processed gets the
 * prior) and OUT/report.json. Checkpoints in OUT/checkpoints make a rerun resume.
 */
export async function runKernel(opts: KernelOptions): Promise<KernelReport> {
  const resolved = resolveConfig(opts.profile, {
    ...opts.overrides,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const threads = Math.max(1, resolved.threads ?? defaultThreads());
  const config: TrainConfig = { ...resolved, threads };
  const timings: Record<string, number> = {};
  const clock = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      timings[name] = (timings[name] ?? 0) + (Date.now() - t0) / 1000;
    }
  };
  mkdirSync(opts.out, { recursive: true });
  const ckpt = join(opts.out, "checkpoints");
  // Resuming is only sound with the same config: other shapes or folds would mix incompatible units.
  // (threads excepted: it changes where units train, not their weights)
  const previous = readConfigJson(ckpt);
  if (previous && JSON.stringify(previous) !== JSON.stringify(weightsConfig(config))) {
    throw new UsageError(
      `${ckpt} holds checkpoints of a different configuration (profile ${previous.profile}, seed ${previous.seed}); use another --out or delete that folder`,
    );
  }
  writeConfigJson(ckpt, weightsConfig(config));
  const log = new JsonlLog(join(opts.out, "train-log.jsonl"));
  const quiet = opts.quiet;

  // ---- data
  const paths = datasetPaths(opts.data, "train");
  const trainLabels = loadTrainLabels(paths.trainLabels);
  const prior = fitPrior(trainLabels);
  const coords = existsSync(paths.coordinates) ? loadCoordinates(paths.coordinates) : [];
  const coordsByStudy = groupBy(coords, (c) => c.studyId);
  const labelsByStudy = new Map(trainLabels.studies.map((s) => [s.studyId, s]));
  const trainIndex = indexDataset(opts.data, "train");
  let trainEntries = trainIndex.studies.filter(
    (s) => labelsByStudy.has(s.studyId) && coordsByStudy.has(s.studyId),
  );
  if (config.maxTrainStudies !== null && trainEntries.length > config.maxTrainStudies) {
    const keep = new Set(
      new Rng(config.seed).shuffle(trainEntries.map((s) => s.studyId)).slice(0, config.maxTrainStudies),
    );
    trainEntries = trainEntries.filter((s) => keep.has(s.studyId));
  }

  const { prepared, failures } = await clock("prepareTrain", () =>
    prepareTrainStudies({
      studies: trainEntries,
      labels: labelsByStudy,
      coords: coordsByStudy,
      loc: config.localizer,
      cls: config.classifier,
      quiet,
    }),
  );
  const canCv = prepared.length >= config.folds;
  const folds = canCv
    ? studyFolds(
        prepared.map((p) => p.studyId),
        config.folds,
        config.seed,
      )
    : new Map<number, number>();

  // ---- stage 1: localizer CV + out-of-fold level points
  const localizers: tf.LayersModel[] = [];
  const oofLevels = new Map<number, Vec3[]>();
  const splits = Array.from({ length: canCv ? config.folds : 1 }, (_, f) =>
    canCv ? foldSplit(folds, f) : { train: prepared.map((p) => p.studyId), valid: [] as number[] },
  );
  const pick = (ids: number[]) => prepared.filter((p) => ids.includes(p.studyId));
  await clock("trainLocalizer", async () => {
    // All folds at once on `threads` workers (independently seeded: same weights as one by one).
    const jobs = splits.map(({ train, valid }, f): UnitJob => ({
      kind: "localizer",
      dir: join(ckpt, "localizer", `fold${f}`),
      name: `localizer f${f}`,
      train: pick(train).map((p) => p.localizer),
      valid: pick(valid).map((p) => p.localizer),
      cfg: config.localizer,
      patience: config.patience,
      seed: config.seed + 101 * f,
    }));
    localizers.push(...(await trainUnits(jobs, { threads, label: "train localizers", log, quiet })));
    splits.forEach(({ train, valid }, f) => {
      const validStudies = pick(valid);
      const pts = predictLevels(
        [localizers[f]],
        validStudies.map((p) => p.localizer),
        config.localizer,
        fitLevelChainPrior(pick(train).map((p) => p.localizer)),
      );
      validStudies.forEach((p, i) =>
        oofLevels.set(
          p.studyId,
          pts[i].map(([u, v]) => frameToLps({ ...p.mid, image: p.localizer.image }, u, v)),
        ),
      );
    });
  });

  // ---- pass 2: crops at out-of-fold localized points (how the classifier will see test studies)
  const foldOffsets = canCv
    ? Array.from({ length: config.folds }, (_, f) =>
        fitOffsets(prepared.filter((p) => folds.get(p.studyId) !== f).map((p) => p.gtPoints)),
      )
    : [];
  const offsets = fitOffsets(prepared.map((p) => p.gtPoints));
  const locCrops = new Map<number, CropSample[]>();
  const locErrors: { family: string; mm: number }[] = [];
  await clock("prepareLocalized", async () => {
    const bar = progressBar("prepare train (pass 2)", oofLevels.size, { quiet });
    for (const p of prepared) {
      const levels = oofLevels.get(p.studyId);
      if (!levels) continue;
      const entry = trainEntries.find((e) => e.studyId === p.studyId)!;
      try {
        const r = await localizedCrops(
          entry,
          levels,
          foldOffsets[folds.get(p.studyId)!],
          config.classifier,
          labelsByStudy.get(p.studyId),
        );
        locCrops.set(p.studyId, r.crops);
        locErrors.push(...pointErrors(r.points, p.gtPoints));
      } catch (e) {
        failures.push({ studyId: p.studyId, stage: "localized crops", reason: (e as Error).message });
      }
      bar.tick();
    }
    bar.stop();
  });

  // ---- stage 2: one classifier per family, k folds; out-of-fold predictions
  const classifiers = { spinal: [], foraminal: [], subarticular: [] } as Record<Family, tf.LayersModel[]>;
  const oofLoc = new Map<string, Probs3>();
  const oofGt = new Map<string, Probs3>();
  await clock("trainClassifiers", async () => {
    const gtOf = (ids: number[], family: Family) =>
      pick(ids).flatMap((p) => p.gtCrops.filter((c) => familyOf(c) === family));
    const locOf = (ids: number[], family: Family) =>
      ids.flatMap((id) => (locCrops.get(id) ?? []).filter((c) => familyOf(c) === family));
    // Every family x fold unit at once on `threads` workers, then out-of-fold predictions here.
    const units = FAMILIES.flatMap((family) => splits.map((split, f) => ({ family, f, split })));
    const jobs = units.map(({ family, f, split: { train, valid } }): UnitJob => ({
      kind: "classifier",
      dir: join(ckpt, family, `fold${f}`),
      name: `${family} f${f}`,
      family,
      train: gtOf(train, family),
      trainAlternates: locOf(train, family),
      valid: locOf(valid, family),
      cfg: config.classifier,
      patience: config.patience,
      seed: config.seed + 1009 * f + FAMILIES.indexOf(family),
      tta: config.tta,
    }));
    const models = await trainUnits(jobs, { threads, label: "train classifiers", log, quiet });
    units.forEach(({ family, split: { valid } }, k) => {
      const model = models[k];
      classifiers[family].push(model);
      const validLoc = locOf(valid, family);
      predictInto(oofLoc, validLoc, predictSamples([model], validLoc, config.classifier, family, config.tta));
      const validGt = gtOf(valid, family);
      predictInto(oofGt, validGt, predictSamples([model], validGt, config.classifier, family, config.tta));
    });
  });

  // ---- CV scores (out of fold, localized points; and at ground-truth coordinates)
  const cvStudies = [...oofLevels.keys()];
  const cvLabels = labelsFor(trainLabels.studies.filter((s) => oofLevels.has(s.studyId)));
  const withPrior = (preds: Map<string, Probs3>) => {
    const full = priorPredictions(prior, cvStudies);
    for (const [k, v] of preds) full.set(k, v);
    return full;
  };
  const safeScore = (p: Map<string, Probs3>) => (cvLabels.size ? scoreSubmission(cvLabels, p) : null);
  const cv = {
    localized: safeScore(withPrior(oofLoc)),
    groundTruthCoords: safeScore(withPrior(oofGt)),
    prior: safeScore(priorPredictions(prior, cvStudies)),
    studies: cvStudies.length,
  };
  writeOof(join(opts.out, "oof.csv"), withPrior(oofLoc), cvStudies);

  const locTrainErrors = Object.fromEntries(
    ["spinal", "foraminal", "subarticular"].map((f) => [
      f,
      errorSummary(locErrors.filter((e) => e.family === f).map((e) => e.mm)),
    ]),
  );

  // ---- test inference, one study at a time
  const levelPrior = fitLevelChainPrior(prepared.map((p) => p.localizer));
  const trained: Trained = { localizers, classifiers, offsets, levelPrior };
  // With these beside the weights, `lumbar predict` needs no train split (Kaggle's test data has none).
  writeInferenceModels(ckpt, { offsets, levelPrior, prior });
  const {
    expected,
    studies: expectedStudies,
    predictions,
    levels: testLevels,
    fallbacks,
    ...test
  } = await clock("inference", () => predictTestSplit(opts.data, trained, config, prior, quiet));
  failures.push(...test.failures);
  const submissionFile = join(opts.out, "submission.csv");
  writeSubmission(submissionFile, predictions, expected);

  // ---- ground truth from the generator, when present (never needed to run)
  const trainSpinal = new Map(
    prepared.map((p) => [
      p.studyId,
      LEVELS.map(
        (_, k) =>
          p.gtPoints.find((q) => q.condition === "spinal_canal_stenosis" && q.levelIndex === k)?.lps ?? null,
      ),
    ]),
  );
  const gt = groundTruthScores(opts.data, predictions, prior, expectedStudies, testLevels, trainSpinal);
  const report: KernelReport = {
    profile: config.profile,
    data: opts.data,
    seed: config.seed,
    backend: opts.backend ?? { tfBackend: tf.getBackend() },
    cvScore: cv.localized?.score ?? null,
    testScore: gt?.test?.score ?? null,
    priorScore: gt?.prior?.score ?? null,
    oracleScore: gt?.oracle?.score ?? null,
    cv,
    test: { studies: expectedStudies.length, ...(gt ?? {}) },
    localization: { oofTrain: locTrainErrors, ...(gt?.localization ? { test: gt.localization } : {}) },
    timings,
    fallbacks,
    failures,
    config,
  };
  atomicWrite(join(opts.out, "report.json"), JSON.stringify(report, null, 2) + "\n");
  tf.dispose(
    [...localizers, ...Object.values(classifiers).flat()].flatMap((m) => m.weights.map((w) => w.read())),
  );
  return report;
}

function predictInto(
  out: Map<string, Probs3>,
  samples: readonly CropSample[],
  probs: readonly Probs3[],
): void {
  samples.forEach((s, i) =>
    out.set(rowId(s.studyId, { condition: s.condition, level: LEVELS[s.levelIndex] }), probs[i]),
  );
}

function labelsFor(studies: readonly StudyLabels[]): Map<string, SeverityIndex> {
  return labelsByRowId({ file: "", studies, missingCells: 0 });
}

function writeOof(file: string, preds: Map<string, Probs3>, studies: readonly number[]): void {
  const ids = studies.flatMap((s) => studyRowIds(s)).sort();
  const lines = [
    "row_id,normal_mild,moderate,severe",
    ...ids.map((id) => [id, ...(preds.get(id) ?? [NaN, NaN, NaN])].join(",")),
  ];
  atomicWrite(file, lines.join("\n") + "\n");
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

export type { LabelCoordinate, PreparedStudy, LpsPoint };
