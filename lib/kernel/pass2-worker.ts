import { isMainThread, workerData } from "node:worker_threads";
import type * as tf from "@tensorflow/tfjs";
import { localizerSpec } from "../config";
import { initBackend, type BackendChoice } from "../engine";
import { buildSidePoints, type CandidateMemo } from "../infer";
import { buildLocalizer } from "../models";
import { withWeightArrays } from "../models/weights-file";
import { SIDE_FAMILIES, type SideFamily } from "../study";
import { serveHelper } from "../util/helper-threads";
import type { FoldWeights, Pass2HelperInit } from "./pass2-threads";
import {
  foldLocalize,
  studyCut,
  studyEvidence,
  type FoldModels,
  type Pass2Decision,
  type Pass2Settings,
  type Pass2Study,
} from "./pass2-study";

/** What the kernel asks a pass-2 helper for, one study at a time. */
export type Pass2Request =
  | { type: "evidence"; study: Pass2Study }
  | { type: "cut"; study: Pass2Study; decided: Pass2Decision; memo: CandidateMemo };

/** A fold's models built again from their weights. */
function foldModels(w: FoldWeights, settings: Pass2Settings): FoldModels {
  const sidePoints = {} as Record<SideFamily, tf.LayersModel[]>;
  for (const family of SIDE_FAMILIES) {
    const weights = w.sidePoints[family];
    sidePoints[family] = weights
      ? [withWeightArrays(buildSidePoints(settings.sidePoints, family), weights)]
      : [];
  }
  const localizer = withWeightArrays(buildLocalizer(localizerSpec(settings.localizer)), w.localizer);
  return { sidePoints, localize: foldLocalize(localizer, w.prior, settings.localizer) };
}

if (!isMainThread)
  serveHelper<Pass2Request>(async () => {
    const init = workerData as Pass2HelperInit;
    await initBackend({ backend: init.backend as BackendChoice, log: false });
    const folds = init.folds.map((w) => foldModels(w, init.settings));
    return (r) =>
      r.type === "evidence"
        ? studyEvidence(r.study, folds[r.study.fold], init.settings)
        : studyCut(r.study, folds[r.study.fold], init.settings, r.decided, r.memo);
  });
