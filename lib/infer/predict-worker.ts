import { isMainThread, workerData } from "node:worker_threads";
import { initBackend, type BackendChoice } from "../engine";
import { serveHelper } from "../util/helper-threads";
import { trainedFromArrays, type PredictHelperInit, type PredictRequest } from "./predict-threads";
import { predictStudyRows } from "./test-split";

if (!isMainThread)
  serveHelper<PredictRequest>(async () => {
    const init = workerData as PredictHelperInit;
    await initBackend({ backend: init.backend as BackendChoice, log: false });
    const trained = trainedFromArrays(init);
    return (r) => predictStudyRows(r.entry, r.studyId, trained, init.config, init.prior);
  });
