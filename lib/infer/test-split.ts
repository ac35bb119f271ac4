import { existsSync } from "node:fs";
import { LEVELS, rowId, studyIdOfRow, studyRowIds } from "../data/schema";
import { datasetPaths, indexDataset, type StudyEntry } from "../data/dataset";
import { loadSampleSubmission } from "../data/submission-file";
import type { WeightsConfig } from "../config";
import type { Probs3 } from "../metric";
import type { PriorModel } from "../submit";
import type { Vec3 } from "../geometry";
import type { InputKind } from "../gates";
import { addFailures, fileFailures, type Failure } from "../study";
import { shareStudies } from "../util/helper-threads";
import { progressBar } from "../util/progress";
import type { Trained } from "./models";
import { startPredictHelpers, type PredictRequest } from "./predict-threads";
import { pointRow, type PointRow } from "./points-file";
import { predictStudy, type Fallback } from "./predict-study";

/** What predicting a test split gives: the expected rows, predictions and what fell back or failed. */
export interface TestSplitPredictions {
  /** Row ids to submit: sample_submission.csv's, else every target of every test study folder. */
  readonly expected: string[];
  readonly studies: number[];
  readonly predictions: Map<string, Probs3>;
  readonly levels: Map<number, Vec3[]>;
  /** Every point placed, as points.csv rows. */
  readonly points: PointRow[];
  /** Row id -> what the row was made from. */
  readonly inputs: Map<string, InputKind>;
  /** Per family, how many side points stage 1b moved or left at the projection, by outcome. */
  readonly sidePointOutcomes: Record<string, Record<string, number>>;
  readonly fallbacks: Fallback[];
  /** Unusable files ("test header": skipped; "test decode": read as their nearest good slice), per study. */
  readonly failures: Failure[];
}

/** One test study's prediction in plain data (it may come from a helper thread). */
export interface StudyRows {
  readonly predictions: Map<string, Probs3>;
  readonly fallbacks: Fallback[];
  readonly files: Failure[];
  readonly levels: Vec3[] | null;
  readonly points: PointRow[];
  readonly inputs: Map<string, InputKind>;
  readonly outcomes: readonly { family: string; outcome: string }[];
}

/** predictStudy, its points as points.csv rows. */
export async function predictStudyRows(
  entry: StudyEntry | undefined,
  studyId: number,
  trained: Trained,
  config: WeightsConfig,
  prior: PriorModel,
): Promise<StudyRows> {
  const r = await predictStudy(entry, studyId, trained, config, prior);
  return {
    predictions: r.predictions,
    fallbacks: r.fallbacks,
    files: fileFailures(studyId, "test", r.files),
    levels: r.levels ? [...r.levels.lps] : null,
    points: r.points.map((p) => {
      const input = r.inputs.get(rowId(studyId, { condition: p.condition, level: LEVELS[p.levelIndex] }));
      return pointRow(studyId, p, input ?? "missing-series", { split: "test" });
    }),
    inputs: r.inputs,
    outcomes: r.outcomes,
  };
}

/**
 * Predict DATA's test split one study at a time (memory stays bounded), on this thread and on
 * `threads - 1` helper threads with copies of the models (the same result as one thread); used by the
 * kernel and predict.
 */
export async function predictTestSplit(
  data: string,
  trained: Trained,
  config: WeightsConfig,
  prior: PriorModel,
  opts: { quiet?: boolean; threads?: number } = {},
): Promise<TestSplitPredictions> {
  const testIndex = indexDataset(data, "test");
  const testPaths = datasetPaths(data, "test");
  const expected = existsSync(testPaths.sampleSubmission)
    ? [...loadSampleSubmission(testPaths.sampleSubmission).rowIds]
    : testIndex.studies.flatMap((s) => studyRowIds(s.studyId));
  const studies = [...new Set(expected.map(studyIdOfRow))];
  const out: TestSplitPredictions = {
    expected,
    studies,
    predictions: new Map(),
    levels: new Map(),
    points: [],
    inputs: new Map(),
    sidePointOutcomes: {},
    fallbacks: [],
    failures: [],
  };
  const requests: PredictRequest[] = studies.map((studyId) => ({
    entry: testIndex.studies.find((s) => s.studyId === studyId),
    studyId,
  }));
  const bar = progressBar("inference (test)", studies.length, { quiet: opts.quiet });
  const helpers = startPredictHelpers(opts.threads ?? 1, trained, config, prior, studies.length);
  try {
    await shareStudies<StudyRows>(
      requests.length,
      (i) => predictStudyRows(requests[i].entry, requests[i].studyId, trained, config, prior),
      helpers.map((h) => (i) => h.call<StudyRows>(requests[i])),
      (i, r) => {
        const { studyId } = requests[i];
        r.predictions.forEach((v, k) => out.predictions.set(k, v));
        out.fallbacks.push(...r.fallbacks);
        addFailures(out.failures, r.files);
        if (r.levels) out.levels.set(studyId, r.levels);
        out.points.push(...r.points);
        r.inputs.forEach((v, k) => out.inputs.set(k, v));
        for (const { family, outcome } of r.outcomes) {
          const counts = (out.sidePointOutcomes[family] ??= {});
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        }
        bar.tick();
      },
    );
  } finally {
    bar.stop();
    await Promise.all(helpers.map((h) => h.terminate()));
  }
  return out;
}
