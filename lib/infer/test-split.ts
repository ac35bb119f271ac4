import { existsSync } from "node:fs";
import { LEVELS, rowId, studyIdOfRow, studyRowIds } from "../data/schema";
import { datasetPaths, indexDataset } from "../data/dataset";
import { loadSampleSubmission } from "../data/submission-file";
import type { WeightsConfig } from "../config";
import type { Probs3 } from "../metric";
import type { PriorModel } from "../submit";
import type { Vec3 } from "../geometry";
import type { InputKind } from "../gates";
import { addFailures, fileFailures, type Failure } from "../study";
import { progressBar } from "../util/progress";
import type { Trained } from "./models";
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

/** Predict DATA's test split one study at a time (memory stays bounded); used by the kernel and predict. */
export async function predictTestSplit(
  data: string,
  trained: Trained,
  config: WeightsConfig,
  prior: PriorModel,
  quiet?: boolean,
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
  const bar = progressBar("inference (test)", studies.length, { quiet });
  for (const studyId of studies) {
    const entry = testIndex.studies.find((s) => s.studyId === studyId);
    const r = await predictStudy(entry, studyId, trained, config, prior);
    r.predictions.forEach((v, k) => out.predictions.set(k, v));
    out.fallbacks.push(...r.fallbacks);
    addFailures(out.failures, fileFailures(studyId, "test", r.files));
    if (r.levels) out.levels.set(studyId, [...r.levels.lps]);
    out.points.push(
      ...r.points.map((p) => {
        const input = r.inputs.get(rowId(studyId, { condition: p.condition, level: LEVELS[p.levelIndex] }));
        return pointRow(studyId, p, input ?? "missing-series", { split: "test" });
      }),
    );
    r.inputs.forEach((v, k) => out.inputs.set(k, v));
    for (const { family, outcome } of r.outcomes) {
      const counts = (out.sidePointOutcomes[family] ??= {});
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    bar.tick();
  }
  bar.stop();
  return out;
}
