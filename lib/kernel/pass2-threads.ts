import * as tf from "@tensorflow/tfjs";
import { backendInfo } from "../engine";
import { localizationArrays, type LocalizationArrays } from "../infer";
import { startHelpers, type HelperThread } from "../util/helper-threads";
import type { Pass2Settings, Stage1Models } from "./pass2-study";

/** What a pass-2 helper starts with: the main thread's backend (same kernels, same floats) and the models. */
export interface Pass2HelperInit {
  readonly backend: string;
  readonly settings: Pass2Settings;
  readonly models: LocalizationArrays;
  readonly priors: Stage1Models["priors"];
}

/**
 * Helper threads that take pass 2's studies beside the kernel's thread (--threads minus this one),
 * each with copies of every fold's models: pass 2 is stage 1b's nets on every study, three times on
 * the degraded ones.
 */
export function startPass2Helpers(
  threads: number,
  stage1: Stage1Models,
  settings: Pass2Settings,
  studies: number,
): HelperThread[] {
  const module = { callerFile: __filename, dir: __dirname, name: "pass2-worker" };
  return startHelpers(threads, studies, module, (): Pass2HelperInit => ({
    backend: backendInfo()?.choice ?? tf.getBackend(),
    settings,
    models: localizationArrays(stage1),
    priors: stage1.priors,
  }));
}
