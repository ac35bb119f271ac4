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

/** Every fold's localizer and side-point nets as plain arrays (weightArrays): they cross to helper threads. */
export interface LocalizationArrays {
  readonly localizers: Float32Array[][];
  readonly sidePoints: Record<SideFamily, Float32Array[][]>;
}

type Localization = Pick<Trained, "localizers" | "sidePoints">;

export function localizationArrays(m: {
  readonly localizers: readonly tf.LayersModel[];
  readonly sidePoints: Readonly<Record<SideFamily, readonly tf.LayersModel[]>>;
}): LocalizationArrays {
  return { localizers: m.localizers.map(weightArrays), sidePoints: arraysOf(SIDE_FAMILIES, m.sidePoints) };
}

/** The localizers and side-point nets built again from their arrays. */
export function localizationFromArrays(
  w: LocalizationArrays,
  config: Pick<WeightsConfig, "localizer" | "sidePoints">,
): Localization {
  return {
    localizers: w.localizers.map((a) => withWeightArrays(buildLocalizer(localizerSpec(config.localizer)), a)),
    sidePoints: modelsOf(SIDE_FAMILIES, w.sidePoints, (f) => buildSidePoints(config.sidePoints, f)),
  };
}

/** The trained models as plain arrays, with what inference needs besides them: what a predict helper starts with. */
export interface PredictHelperInit {
  readonly backend: string;
  readonly config: WeightsConfig;
  readonly prior: PriorModel;
  readonly trained: Omit<Trained, "localizers" | "sidePoints" | "classifiers"> &
    LocalizationArrays & { readonly classifiers: Record<Family, Float32Array[][]> };
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
  const module = { callerFile: __filename, dir: __dirname, name: "predict-worker" };
  return startHelpers(threads, studies, module, (): PredictHelperInit => ({
    backend: backendInfo()?.choice ?? tf.getBackend(),
    config,
    prior,
    trained: {
      ...trained,
      ...localizationArrays(trained),
      classifiers: arraysOf(FAMILIES, trained.classifiers),
    },
  }));
}

/** The models built again from their arrays. */
export function trainedFromArrays(init: PredictHelperInit): Trained {
  const { config, trained } = init;
  return {
    ...trained,
    ...localizationFromArrays(trained, config),
    classifiers: modelsOf(FAMILIES, trained.classifiers, (f) => buildFamilyClassifier(config.classifier, f)),
  };
}

/** Per key, each model's weightArrays. */
function arraysOf<K extends string>(
  keys: readonly K[],
  models: Readonly<Record<K, readonly tf.LayersModel[]>>,
): Record<K, Float32Array[][]> {
  return Object.fromEntries(keys.map((k) => [k, models[k].map(weightArrays)])) as Record<K, Float32Array[][]>;
}

/** Per key, the models built by `build` with those arrays set in. */
function modelsOf<K extends string>(
  keys: readonly K[],
  arrays: Readonly<Record<K, Float32Array[][]>>,
  build: (key: K) => tf.LayersModel,
): Record<K, tf.LayersModel[]> {
  return Object.fromEntries(
    keys.map((k) => [k, arrays[k].map((a) => withWeightArrays(build(k), a))]),
  ) as Record<K, tf.LayersModel[]>;
}
