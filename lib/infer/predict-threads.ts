import * as tf from "@tensorflow/tfjs";
import type { WeightsConfig } from "../config";
import type { StudyEntry } from "../data/dataset";
import { FAMILIES, type Family } from "../data/schema";
import { backendInfo } from "../engine";
import { buildLocalizer } from "../models";
import { weightArrays, withWeightArrays } from "../models/weights-file";
import { localizerSpec } from "../config";
import type { PriorModel } from "../submit";
import { SIDE_FAMILIES, type SideFamily } from "../study";
import { startHelpers, type HelperThread } from "../util/helper-threads";
import { buildFamilyClassifier, type Trained } from "./models";
import { buildSidePoints } from "./side-points";

/** The trained models as plain arrays, with what inference needs besides them: what a predict helper starts with. */
export interface PredictHelperInit {
  readonly backend: string;
  readonly config: WeightsConfig;
  readonly prior: PriorModel;
  readonly trained: Omit<Trained, "localizers" | "sidePoints" | "classifiers"> & {
    readonly localizers: Float32Array[][];
    readonly sidePoints: Record<SideFamily, Float32Array[][]>;
    readonly classifiers: Record<Family, Float32Array[][]>;
  };
}

/** What the test split asks a predict helper for: one study (undefined entry: no image folder). */
export interface PredictRequest {
  readonly entry: StudyEntry | undefined;
  readonly studyId: number;
}

/**
 * Helper threads that predict test studies beside the calling thread (`threads` minus this one), each
 * with copies of every model; none for a single study.
 */
export function startPredictHelpers(
  threads: number,
  trained: Trained,
  config: WeightsConfig,
  prior: PriorModel,
  studies: number,
): HelperThread[] {
  const arrays = <K extends string>(models: Record<K, tf.LayersModel[]>) =>
    Object.fromEntries(
      Object.entries<tf.LayersModel[]>(models).map(([k, ms]) => [k, ms.map(weightArrays)]),
    ) as Record<K, Float32Array[][]>;
  const module = { callerFile: __filename, dir: __dirname, name: "predict-worker" };
  return startHelpers(threads, studies, module, (): PredictHelperInit => ({
    backend: backendInfo()?.choice ?? tf.getBackend(),
    config,
    prior,
    trained: {
      ...trained,
      localizers: trained.localizers.map(weightArrays),
      sidePoints: arrays(trained.sidePoints),
      classifiers: arrays(trained.classifiers),
    },
  }));
}

/** The models built again from their arrays. */
export function trainedFromArrays(init: PredictHelperInit): Trained {
  const { config, trained } = init;
  return {
    ...trained,
    localizers: trained.localizers.map((w) =>
      withWeightArrays(buildLocalizer(localizerSpec(config.localizer)), w),
    ),
    sidePoints: Object.fromEntries(
      SIDE_FAMILIES.map((f) => [
        f,
        trained.sidePoints[f].map((w) => withWeightArrays(buildSidePoints(config.sidePoints, f), w)),
      ]),
    ) as Record<SideFamily, tf.LayersModel[]>,
    classifiers: Object.fromEntries(
      FAMILIES.map((f) => [
        f,
        trained.classifiers[f].map((w) => withWeightArrays(buildFamilyClassifier(config.classifier, f), w)),
      ]),
    ) as Record<Family, tf.LayersModel[]>,
  };
}
