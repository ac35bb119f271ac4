/**
 * What the study pictures read: a data folder's labels (coordinates, severities, series
 * descriptions: whichever files it has) and a run folder's points (points.csv) with each row's
 * probabilities (oof.csv for out-of-fold train rows, submission.csv for test rows).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { datasetPaths } from "../data/dataset";
import { loadCoordinates, type LabelCoordinate } from "../data/coordinates";
import { loadRunPoints, type RunPoint } from "../data/run-points";
import { loadSeriesDescriptions, type SeriesRecord } from "../data/series-descriptions";
import { labelsByRowId, loadTrainLabels } from "../data/train-labels";
import type { SeverityIndex } from "../data/schema";
import type { Probs3 } from "../metric";
import { readPredictions } from "../submit/validate";
import { RunFolderError } from "./errors";
import type { StudyPointsInputs } from "./study-points";

/** A run's points and the probabilities of their rows. */
export interface RunPoints {
  readonly points: readonly RunPoint[];
  readonly probabilities: ReadonlyMap<string, Probs3>;
}

export const POINTS_FILE = "points.csv";

/** Read RUN/points.csv, oof.csv and submission.csv; a run without points.csv is a RunFolderError. */
export function readRunPoints(runDir: string): RunPoints {
  const file = join(runDir, POINTS_FILE);
  if (!existsSync(file))
    throw new RunFolderError(runDir, `no ${POINTS_FILE} (lumbar kernel and lumbar predict write it)`);
  const probabilities = new Map<string, Probs3>();
  for (const name of ["oof.csv", "submission.csv"]) {
    const f = join(runDir, name);
    if (existsSync(f)) for (const [id, p] of readPredictions(f)) probabilities.set(id, p);
  }
  return { points: loadRunPoints(file), probabilities };
}

/** A data folder's labels for pictures; files it lacks (a test-only folder's train CSVs) give none. */
export interface DataLabels {
  readonly labelled: readonly LabelCoordinate[];
  readonly severities: ReadonlyMap<string, SeverityIndex>;
  readonly series: readonly SeriesRecord[];
}

export function readDataLabels(dataDir: string): DataLabels {
  const train = datasetPaths(dataDir, "train");
  const present = (f: string) => existsSync(f);
  return {
    labelled: present(train.coordinates) ? loadCoordinates(train.coordinates) : [],
    severities: present(train.trainLabels) ? labelsByRowId(loadTrainLabels(train.trainLabels)) : new Map(),
    series: (["train", "test"] as const)
      .map((split) => datasetPaths(dataDir, split).seriesDescriptions)
      .filter(present)
      .flatMap((f) => loadSeriesDescriptions(f)),
  };
}

/** The inputs of studyPointsFigure for one study. */
export function studyPointsInputs(
  dataDir: string,
  studyId: number,
  labels: DataLabels,
  run?: RunPoints,
): StudyPointsInputs {
  return {
    dataDir,
    studyId,
    labelled: labels.labelled,
    severities: labels.severities,
    series: labels.series,
    ...(run ? { predicted: run.points, probabilities: run.probabilities } : {}),
  };
}
