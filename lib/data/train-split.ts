import { existsSync } from "node:fs";
import { groupBy } from "../util/group-by";
import { loadCoordinates, type LabelCoordinate } from "./coordinates";
import { datasetPaths, indexDataset, type StudyEntry } from "./dataset";
import { loadTrainLabels, type StudyLabels, type TrainLabels } from "./train-labels";

/** A data folder's train split as training and the notebooks read it. */
export interface TrainSplit {
  readonly labels: TrainLabels;
  readonly labelsByStudy: ReadonlyMap<number, StudyLabels>;
  /** train_label_coordinates.csv by study (empty when the file is absent). */
  readonly coordsByStudy: ReadonlyMap<number, readonly LabelCoordinate[]>;
  /** Studies with an image folder, labels and coordinates: the ones a model can learn from. */
  readonly studies: readonly StudyEntry[];
}

export function loadTrainSplit(data: string): TrainSplit {
  const paths = datasetPaths(data, "train");
  const labels = loadTrainLabels(paths.trainLabels);
  const coords = existsSync(paths.coordinates) ? loadCoordinates(paths.coordinates) : [];
  const coordsByStudy = groupBy(coords, (c) => c.studyId);
  const labelsByStudy = new Map(labels.studies.map((s) => [s.studyId, s]));
  const studies = indexDataset(data, "train").studies.filter(
    (s) => labelsByStudy.has(s.studyId) && coordsByStudy.has(s.studyId),
  );
  return { labels, labelsByStudy, coordsByStudy, studies };
}
