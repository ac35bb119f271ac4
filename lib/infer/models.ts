import * as tf from "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FAMILIES, type Family } from "../data/schema";
import { classifierSpec, localizerSpec, type ClassifierConfig, type WeightsConfig } from "../config";
import { buildClassifier, buildLocalizer, type LevelChainPrior } from "../models";
import { CheckpointError, loadModelWeights } from "../models/weights-file";
import type { CrossFamilyModel, PriorModel } from "../submit";
import { legacyGates, type Gates } from "../gates";
import { SIDE_FAMILIES, type OffsetModel, type SideFamily } from "../study";
import { buildSidePoints } from "./side-points";
import { epochWeightsFile, finalWeightsFile, type UnitState } from "./unit-state";
import {
  CONFIG_FILE,
  CROSS_FAMILY_FILE,
  LEVEL_PRIOR_FILE,
  OFFSETS_FILE,
  PRIOR_FILE,
  readConfigFile,
  readEpochsFile,
  readLevelPrior,
  readOffsets,
  readJson,
  readPrior,
  readCrossFamily,
  readGatesFile,
} from "./weights-folder";

/** Models of the k folds (trained by runKernel, or rebuilt from a weights folder by loadTrained). */
export interface Trained {
  localizers: tf.LayersModel[];
  /** Stage 1b per family and fold (empty lists: side points stay at their projection). */
  sidePoints: Record<SideFamily, tf.LayersModel[]>;
  classifiers: Record<Family, tf.LayersModel[]>;
  offsets: OffsetModel;
  /** Step prior between consecutive levels for chain decoding (null: independent peaks). */
  levelPrior: LevelChainPrior | null;
  /** Rows a missing series leaves, from the study's other families (null: the prior). */
  crossFamily: CrossFamilyModel | null;
  /** Which optional parts run (lib/gates), as decided out of fold by the kernel. */
  gates: Gates;
}

/** A weights folder read back: the models plus what inference needs besides them. */
export interface LoadedWeights extends Trained {
  /** The checkpoints folder the models came from. */
  readonly dir: string;
  readonly config: WeightsConfig;
  readonly prior: PriorModel;
  /** Each unit's weights file and the epoch it holds. */
  readonly units: { unit: string; file: string; epoch: number | null }[];
}

/** A family's classifier as the kernel builds, checkpoints and reloads it (the name keys its weights). */
export function buildFamilyClassifier(cfg: ClassifierConfig, family: Family): tf.LayersModel {
  return buildClassifier(classifierSpec(cfg, family), `cls_${family}`);
}

/**
 * Rebuild every fold's localizer and classifiers from a checkpoints folder: config.json gives the
 * architectures, each unit's weights at its type's epoch in epochs.json (the kernel's common epoch;
 * without that file best.weights, or the last epoch's when no epoch ever improved, as in fitUnit); offsets.json and prior.json the rest. Anything missing, corrupt, unfinished or
 * made for another architecture is a CheckpointError naming the file.
 */
export function loadTrained(dir: string): LoadedWeights {
  const config = readConfigFile(dir);
  if (!config) throw new CheckpointError(join(dir, CONFIG_FILE), "missing");
  const offsets = readOffsets(join(dir, OFFSETS_FILE));
  const prior = readPrior(join(dir, PRIOR_FILE));
  const levelPrior = readLevelPrior(join(dir, LEVEL_PRIOR_FILE));
  const crossFamily = readCrossFamily(join(dir, CROSS_FAMILY_FILE));
  const epochs = readEpochsFile(dir);
  // A folder from before the gates runs every part as it did then.
  const gates = readGatesFile(dir) ?? legacyGates(config.sidePoints, config.tta);
  // Without enough studies for CV the kernel trains one model on everything, in fold0.
  const folds = Array.from({ length: config.folds }, (_, f) => f).filter(
    (f) => f === 0 || existsSync(join(dir, "localizer", `fold${f}`)),
  );
  const units: LoadedWeights["units"] = [];
  const made: tf.LayersModel[] = [];
  const load = (unit: string, model: tf.LayersModel) => {
    made.push(model);
    units.push(loadUnit(join(dir, unit), unit, model, epochs?.[unit.split("/")[0]]));
    return model;
  };
  try {
    const localizers = folds.map((f) =>
      load(`localizer/fold${f}`, buildLocalizer(localizerSpec(config.localizer))),
    );
    // A weights folder from before stage 1b has no side-point units: those points stay projected.
    const sidePoints = Object.fromEntries(
      SIDE_FAMILIES.map((family) => [
        family,
        existsSync(join(dir, `${family}-points`))
          ? folds.map((f) => load(`${family}-points/fold${f}`, buildSidePoints(config.sidePoints, family)))
          : [],
      ]),
    ) as Record<SideFamily, tf.LayersModel[]>;
    const classifiers = Object.fromEntries(
      FAMILIES.map((family) => [
        family,
        folds.map((f) => load(`${family}/fold${f}`, buildFamilyClassifier(config.classifier, family))),
      ]),
    ) as Record<Family, tf.LayersModel[]>;
    return {
      dir,
      config,
      prior,
      offsets,
      levelPrior,
      crossFamily,
      gates,
      localizers,
      sidePoints,
      classifiers,
      units,
    };
  } catch (e) {
    disposeModels(made);
    throw e;
  }
}

/** Free the weights of models built here (tfjs keeps variables until disposed). */
export function disposeTrained(trained: Trained): void {
  disposeModels([
    ...trained.localizers,
    ...Object.values(trained.sidePoints).flat(),
    ...Object.values(trained.classifiers).flat(),
  ]);
}

function disposeModels(models: readonly tf.LayersModel[]): void {
  tf.dispose(models.flatMap((m) => m.weights.map((w) => w.read())));
}

function loadUnit(
  unitDir: string,
  unit: string,
  model: tf.LayersModel,
  epoch?: number,
): { unit: string; file: string; epoch: number | null } {
  const stateFile = join(unitDir, "state.json");
  const state = readJson(stateFile) as Partial<UnitState>;
  if (state.done !== true)
    throw new CheckpointError(
      stateFile,
      `training of ${unit} did not finish (epoch ${state.epoch ?? "?"}); rerun \`lumbar kernel\` with the same --out to finish it`,
    );
  const file =
    epoch === undefined ? finalWeightsFile(unitDir, state as UnitState) : epochWeightsFile(unitDir, epoch);
  if (!file) throw new CheckpointError(join(unitDir, "best.weights"), "missing");
  if (!existsSync(file)) throw new CheckpointError(file, "missing (epochs.json names that epoch)");
  let meta: unknown;
  try {
    meta = loadModelWeights(file, model);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(file, `corrupt: ${(e as Error).message}`);
  }
  const saved = (meta as { epoch?: unknown } | undefined)?.epoch;
  return { unit, file, epoch: typeof saved === "number" ? saved : (epoch ?? null) };
}
