import { isMainThread, parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { localizerSpec } from "../config";
import { initBackend, type BackendChoice } from "../engine";
import { buildSidePoints, type CandidateMemo } from "../infer";
import { buildLocalizer } from "../models";
import { SIDE_FAMILIES, type SideFamily } from "../study";
import type { FoldWeights, Pass2WorkerInit } from "./pass2-threads";
import {
  foldLocalize,
  studyCut,
  studyEvidence,
  type FoldModels,
  type Pass2Decision,
  type Pass2Settings,
  type Pass2Study,
} from "./pass2-study";

/** Messages between the kernel and its pass-2 workers (pass2-threads.ts). */
export type ToPass2Worker =
  | { type: "evidence"; study: Pass2Study }
  | { type: "cut"; study: Pass2Study; decided: Pass2Decision; memo: CandidateMemo };

export type FromPass2Worker =
  { type: "ready" } | { type: "result"; id: number; result: unknown } | { type: "error"; message: string };

/** A fold's models built again from their weights. */
function foldModels(w: FoldWeights, settings: Pass2Settings): FoldModels {
  const sidePoints = {} as Record<SideFamily, tf.LayersModel[]>;
  for (const family of SIDE_FAMILIES) {
    const weights = w.sidePoints[family];
    sidePoints[family] = weights ? [withWeights(buildSidePoints(settings.sidePoints, family), weights)] : [];
  }
  const localizer = withWeights(buildLocalizer(localizerSpec(settings.localizer)), w.localizer);
  return { sidePoints, localize: foldLocalize(localizer, w.prior, settings.localizer) };
}

function withWeights(model: tf.LayersModel, weights: readonly Float32Array[]): tf.LayersModel {
  model.setWeights(weights.map((data, i) => tf.tensor(data, model.weights[i].shape as number[])));
  return model;
}

/** A pass-2 worker: its own backend and copies of every fold's models; one study at a time, in order. */
async function main(): Promise<void> {
  const init = workerData as Pass2WorkerInit;
  const port = parentPort!;
  const send = (m: FromPass2Worker) => port.postMessage(m);
  let folds: FoldModels[];
  try {
    await initBackend({ backend: init.backend as BackendChoice, log: false });
    folds = init.folds.map((w) => foldModels(w, init.settings));
  } catch (e) {
    send({ type: "error", message: `start-up: ${(e as Error).message}` });
    return;
  }
  let queue = Promise.resolve();
  port.on("message", (msg: ToPass2Worker & { id: number }) => {
    queue = queue.then(async () => {
      try {
        const models = folds[msg.study.fold];
        const result =
          msg.type === "evidence"
            ? await studyEvidence(msg.study, models, init.settings)
            : await studyCut(msg.study, models, init.settings, msg.decided, msg.memo);
        send({ type: "result", id: msg.id, result });
      } catch (e) {
        send({ type: "error", message: `study ${msg.study.entry.studyId}: ${(e as Error).message}` });
      }
    });
  });
  send({ type: "ready" });
}

if (!isMainThread) void main();
