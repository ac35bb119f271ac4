/**
 * Picks crops of a finished run to show in a notebook: ground-truth crops of a few train studies
 * (lib/train's own preparation, so they are what the classifier was trained on) with the run's
 * out-of-fold predictions for the same rows. Moderate and severe cases first, they are the interesting ones.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CONDITION_INFO, FAMILIES, LEVELS, rowId } from "../data/schema";
import { datasetPaths, indexDataset } from "../data/dataset";
import { loadCoordinates } from "../data/coordinates";
import { loadTrainLabels } from "../data/train-labels";
import { readPredictions } from "../submit/validate";
import { prepareTrainStudies } from "../train/prepare";
import type { TrainConfig } from "../train/config";
import type { CropExample } from "./train";

export interface RunExampleOptions {
  readonly dataDir: string;
  /** The run's output folder (holds oof.csv). */
  readonly runDir: string;
  readonly config: TrainConfig;
  /** Train studies to prepare (the first ones of oof.csv by id). Default 3. */
  readonly studies?: number;
  /** Crops per condition family. Default 5. */
  readonly perFamily?: number;
}

export async function runCropExamples(opts: RunExampleOptions): Promise<CropExample[]> {
  const oofFile = join(opts.runDir, "oof.csv");
  const oof = existsSync(oofFile) ? readPredictions(oofFile) : new Map();
  const oofStudies = new Set([...oof.keys()].map((id) => Number(id.slice(0, id.indexOf("_")))));
  const paths = datasetPaths(opts.dataDir, "train");
  const labels = loadTrainLabels(paths.trainLabels);
  const coords = loadCoordinates(paths.coordinates);
  const entries = indexDataset(opts.dataDir, "train")
    .studies.filter((s) => oofStudies.size === 0 || oofStudies.has(s.studyId))
    .slice(0, opts.studies ?? 3);
  const byStudy = new Map<number, typeof coords>();
  for (const c of coords) byStudy.set(c.studyId, [...(byStudy.get(c.studyId) ?? []), c]);
  const { prepared } = await prepareTrainStudies({
    studies: entries,
    labels: new Map(labels.studies.map((s) => [s.studyId, s])),
    coords: byStudy,
    loc: opts.config.localizer,
    cls: opts.config.classifier,
    quiet: true,
  });
  const crops = prepared.flatMap((p) => p.gtCrops);
  const perFamily = opts.perFamily ?? 5;
  return FAMILIES.flatMap((family) =>
    crops
      .filter((c) => CONDITION_INFO[c.condition].family === family)
      .sort(
        (a, b) => (b.label ?? -1) - (a.label ?? -1) || a.studyId - b.studyId || a.levelIndex - b.levelIndex,
      )
      .slice(0, perFamily)
      .map((c) => ({
        ...c,
        prediction: oof.get(rowId(c.studyId, { condition: c.condition, level: LEVELS[c.levelIndex] })),
      })),
  );
}
