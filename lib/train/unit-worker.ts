import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendChoice } from "../engine";
import type { JsonlLog } from "./log";
import { fitJob } from "./unit-job";
import type { FromUnitWorker, ToUnitWorker, UnitWorkerInit } from "./unit-protocol";

/**
 * A training worker: its own tfjs backend; trains the units it is sent, one at a time, writing
 * checkpoints to each unit's folder. Log lines go to the main thread, which appends them whole.
 */
async function main(): Promise<void> {
  const init = workerData as UnitWorkerInit;
  const port = parentPort!;
  const send = (m: FromUnitWorker) => port.postMessage(m);
  try {
    await initBackend({ backend: init.backend as BackendChoice, log: false });
  } catch (e) {
    const err = e as Error;
    send({ type: "error", message: `backend ${init.backend}: ${err.message}`, stack: err.stack });
    return;
  }
  port.on("message", (msg: ToUnitWorker) => {
    if (msg.type === "close") {
      port.close();
      return;
    }
    void train(msg.id, msg);
  });
  send({ type: "ready" });

  async function train(id: number, msg: Extract<ToUnitWorker, { type: "unit" }>): Promise<void> {
    const t0 = Date.now();
    // Structurally a JsonlLog: stamp the time here, where the epoch ended.
    const log: JsonlLog = {
      file: "(main thread)",
      write: (record) => send({ type: "log", id, record: { time: new Date().toISOString(), ...record } }),
    };
    try {
      const model = await fitJob(msg.job, log, true);
      tf.dispose(model.weights.map((w) => w.read()));
      send({ type: "done", id, seconds: (Date.now() - t0) / 1000 });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      send({ type: "error", id, message: `${err.name}: ${err.message}`, stack: err.stack });
    }
  }
}

void main();
