/**
 * Picks crops of a finished run to show in a notebook: crops at the labelled points of a few train
 * studies (cut by lib/study exactly as training cuts them) with the run's out-of-fold predictions
 * for the same rows. Moderate and severe cases first, they are the interesting ones.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FAMILIES, studyIdOfRow } from "../data/schema";
import { loadTrainSplit } from "../data/train-split";
import type { TrainConfig } from "../config";
import { readPredictions } from "../submit/validate";
import { cropsAt, familyOf, groundTruthPoints, loadStudy, sampleKey, type CropSample } from "../study";
import type { CropExample } from "./train";

export interface RunExampleOptions {
  readonly dataDir: string;
  /** The run's output folder (holds oof.csv). */
  readonly runDir: string;
  readonly config: TrainConfig;
  /** Train studies to show (the first ones of oof.csv by id). Default 3. */
  readonly studies?: number;
  /** Crops per condition family. Default 5. */
  readonly perFamily?: number;
}

export async function runCropExamples(opts: RunExampleOptions): Promise<CropExample[]> {
  const oofFile = join(opts.runDir, "oof.csv");
  const oof = existsSync(oofFile) ? readPredictions(oofFile) : new Map();
  const oofStudies = new Set([...oof.keys()].map(studyIdOfRow));
  const split = loadTrainSplit(opts.dataDir);
  const entries = split.studies
    .filter((s) => oofStudies.size === 0 || oofStudies.has(s.studyId))
    .slice(0, opts.studies ?? 3);
  const crops: CropSample[] = [];
  for (const entry of entries) {
    const study = await loadStudy(entry);
    const { points } = groundTruthPoints(study, split.coordsByStudy.get(entry.studyId) ?? []);
    const labels = split.labelsByStudy.get(entry.studyId);
    crops.push(...cropsAt(entry.studyId, points, opts.config.classifier, labels).crops);
  }
  const perFamily = opts.perFamily ?? 5;
  return FAMILIES.flatMap((family) =>
    crops
      .filter((c) => familyOf(c) === family)
      .sort(
        (a, b) => (b.label ?? -1) - (a.label ?? -1) || a.studyId - b.studyId || a.levelIndex - b.levelIndex,
      )
      .slice(0, perFamily)
      .map((c) => ({ ...c, prediction: oof.get(sampleKey(c)) })),
  );
}
