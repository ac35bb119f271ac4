import { isMainThread, workerData } from "node:worker_threads";
import { initBackend, type BackendChoice } from "../engine";
import { localizationFromArrays, type CandidateMemo } from "../infer";
import { serveHelper } from "../util/helper-threads";
import type { Pass2HelperInit } from "./pass2-threads";
import { foldModels, studyCut, studyEvidence, type Pass2Decision, type Pass2Study } from "./pass2-study";

/** What the kernel asks a pass-2 helper for, one study at a time. */
export type Pass2Request =
  | { type: "evidence"; study: Pass2Study }
  | { type: "cut"; study: Pass2Study; decided: Pass2Decision; memo: CandidateMemo };

if (!isMainThread)
  serveHelper<Pass2Request>(async () => {
    const init = workerData as Pass2HelperInit;
    await initBackend({ backend: init.backend as BackendChoice, log: false });
    const models = { ...localizationFromArrays(init.models, init.settings), priors: init.priors };
    const folds = foldModels(models, init.settings.localizer);
    return (r) =>
      r.type === "evidence"
        ? studyEvidence(r.study, folds[r.study.fold], init.settings)
        : studyCut(r.study, folds[r.study.fold], init.settings, r.decided, r.memo);
  });
