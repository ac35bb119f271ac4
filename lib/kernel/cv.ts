import { join } from "node:path";
import { studyRowIds, type SeverityIndex } from "../data/schema";
import { SUBMISSION_HEADER } from "../data/submission-file";
import { labelsByRowId, type StudyLabels } from "../data/train-labels";
import { errorSummary } from "../gates";
import { scoreSubmission, type MetricResult, type Probs3 } from "../metric";
import {
  fitCrossFamily,
  priorPredictions,
  type CrossFamily,
  type CrossFamilyCheck,
  type CrossFamilyModel,
} from "../submit";
import { writeCsvAtomic } from "../util/csv";
import type { KernelContext } from "./context";
import type { ClassifierStage } from "./classifier-stage";
import type { GatedOutOfFold } from "./gates-stage";
import type { LocalizedPass } from "./localized-pass";
import type { LocalizerStage } from "./localizer-stage";
import type { PreparedTrain } from "./train-split";

/** Out-of-fold scores of the studies stage 1 localized (null without labels, i.e. without CV). */
export interface CvScores {
  /** Each fold at its own best epoch: the fold's validation studies also chose its epoch. */
  localized: MetricResult | null;
  /** Each fold at its unit type's common epoch (chosen from the mean curve of all folds), as the gates predict. */
  honest: MetricResult | null;
  groundTruthCoords: MetricResult | null;
  prior: MetricResult | null;
  /**
   * As if every study lacked the family's series (no Sagittal T1: foraminal, no Axial T2:
   * subarticular): the family's weighted log loss from the study's other families (fitted on the
   * other folds) against the prior's. Null without CV.
   */
  crossFamily: Record<CrossFamily, CrossFamilyCheck> | null;
  studies: number;
}

/**
 * Score the out-of-fold predictions (the prior fills rows no model predicted) at localized and at
 * labelled points, at the common epochs as the gates predict (honest), and the prior alone; write
 * OUT/oof.csv (honest: the pipeline the test split is predicted with) for the notebooks.
 */
export function scoreCv(
  ctx: KernelContext,
  train: PreparedTrain,
  stage1: LocalizerStage,
  stage2: ClassifierStage,
  gated: GatedOutOfFold,
): CvScores {
  const studies = [...stage1.oofLevels.keys()];
  const labels = oofLabels(train, stage1);
  const withPrior = (preds: ReadonlyMap<string, Probs3>) => {
    const full = priorPredictions(train.prior, studies);
    for (const [k, v] of preds) full.set(k, v);
    return full;
  };
  const score = (p: Map<string, Probs3>) => (labels.size ? scoreSubmission(labels, p) : null);
  const honest = withPrior(gated.oofHonest);
  writeOof(join(ctx.opts.out, "oof.csv"), honest, studies);
  return {
    localized: score(withPrior(stage2.oofLocalized)),
    honest: score(honest),
    groundTruthCoords: score(withPrior(stage2.oofLabelled)),
    prior: score(priorPredictions(train.prior, studies)),
    crossFamily: gated.report.evidence.crossFamily,
    studies: studies.length,
  };
}

/**
 * The cross-family fallback fitted on every out-of-fold row as the gates predict them (the evidence
 * the test split's rows will have); null without CV (no out-of-fold predictions to fit on).
 */
export function fitCrossFamilyFallback(
  train: PreparedTrain,
  stage1: LocalizerStage,
  gated: GatedOutOfFold,
): CrossFamilyModel | null {
  if (!train.folds.size) return null;
  const studies = [...oofFolds(train, stage1).keys()];
  return fitCrossFamily(gated.oofHonest, oofLabels(train, stage1), train.prior, studies);
}

export function oofLabels(train: PreparedTrain, stage1: LocalizerStage): Map<string, SeverityIndex> {
  return labelsFor(train.split.labels.studies.filter((s) => stage1.oofLevels.has(s.studyId)));
}

/** Study -> fold of the studies stage 1 localized, in study order. */
export function oofFolds(train: PreparedTrain, stage1: LocalizerStage): Map<number, number> {
  return new Map([...train.folds].filter(([s]) => stage1.oofLevels.has(s)).sort((a, b) => a[0] - b[0]));
}

/** Pass 2's point errors per family: median, p90 and mean mm. */
export function localizationErrors(pass: LocalizedPass): Record<string, ReturnType<typeof errorSummary>> {
  return Object.fromEntries(
    ["spinal", "foraminal", "subarticular"].map((f) => [
      f,
      errorSummary(pass.errors.filter((e) => e.family === f).map((e) => e.mm)),
    ]),
  );
}

function labelsFor(studies: readonly StudyLabels[]): Map<string, SeverityIndex> {
  return labelsByRowId({ file: "", studies, missingCells: 0 });
}

/** Every row of the studies, sorted; NaN where nothing was predicted. */
function writeOof(file: string, preds: ReadonlyMap<string, Probs3>, studies: readonly number[]): void {
  const ids = studies.flatMap((s) => studyRowIds(s)).sort();
  writeCsvAtomic(
    file,
    SUBMISSION_HEADER,
    ids.map((id) => [id, ...(preds.get(id) ?? [NaN, NaN, NaN])]),
  );
}
