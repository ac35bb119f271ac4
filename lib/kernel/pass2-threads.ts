import * as tf from "@tensorflow/tfjs";
import { backendInfo } from "../engine";
import type { LevelChainPrior } from "../models";
import { weightArrays } from "../models/weights-file";
import { SIDE_FAMILIES, type SideFamily } from "../study";
import { startHelpers, type HelperThread } from "../util/helper-threads";
import type { LocalizerStage } from "./localizer-stage";
import type { Pass2Settings } from "./pass2-study";

/** One fold's weights as they cross to a pass-2 helper (each model's tensors in model.weights order). */
export interface FoldWeights {
  /** Per family, the fold's side-point net; null when the family has none (points keep their projection). */
  readonly sidePoints: Readonly<Record<SideFamily, Float32Array[] | null>>;
  readonly localizer: Float32Array[];
  readonly prior: LevelChainPrior | null;
}

/** What a pass-2 helper starts with: the main thread's backend (same kernels, same floats) and the models. */
export interface Pass2HelperInit {
  readonly backend: string;
  readonly settings: Pass2Settings;
  readonly folds: readonly FoldWeights[];
}

/**
 * Helper threads that take pass 2's studies beside the kernel's thread (--threads minus this one),
 * each with copies of every fold's models: pass 2 is stage 1b's nets on every study, three times on
 * the degraded ones.
 */
export function startPass2Helpers(
  threads: number,
  stage1: LocalizerStage,
  settings: Pass2Settings,
  studies: number,
): HelperThread[] {
  const module = { callerFile: __filename, dir: __dirname, name: "pass2-worker" };
  return startHelpers(threads, studies, module, (): Pass2HelperInit => ({
    backend: backendInfo()?.choice ?? tf.getBackend(),
    settings,
    folds: stage1.localizers.map((localizer, f) => ({
      sidePoints: Object.fromEntries(
        SIDE_FAMILIES.map((family) => {
          const net = stage1.sidePoints[family][f];
          return [family, net ? weightArrays(net) : null];
        }),
      ) as FoldWeights["sidePoints"],
      localizer: weightArrays(localizer),
      prior: stage1.levelChain.on ? stage1.foldPriors[f] : null,
    })),
  }));
}
