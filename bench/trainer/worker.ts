import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/engine/backend";
import { buildFromSpec } from "./model-spec";
import { FoldedCache } from "./folded-cache";
import { inputShapesOf, shardGradients, toInputs, weightLayout, writeWeights } from "./grad-step";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol";

/** A gradient worker: its own wasm backend and model copy; weights arrive through shared memory. */
async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  const send = (m: FromWorker) => port.postMessage(m);
  try {
    await initBackend({ backend: "wasm", log: false });
    const model = buildFromSpec(init.model);
    const layout = weightLayout(model);
    const inputShapes = inputShapesOf(model);
    const outputUnits = (model.outputs[0].shape as number[]).slice(1).reduce((a, b) => a * b, 1);
    const weights = new Float32Array(init.weights);
    const out = new Float32Array(init.out);
    send({ type: "ready", layout, outputUnits });
    const folded = new FoldedCache();
    let loaded = -1;
    // One request at a time: the main thread waits for each reply before the next request.
    port.on("message", async (msg: ToWorker) => {
      try {
        if (msg.type === "close") {
          port.close();
          return;
        }
        // Reload the shared weights only when the master published new ones since our last load
        // (a training step also changes our copy: BatchNorm moving statistics).
        if (msg.version !== loaded) writeWeights(model, layout, weights);
        loaded = msg.type === "step" ? -1 : msg.version;
        if (msg.type === "step") {
          const lossSum = shardGradients(model, layout, inputShapes, init.classes, msg.batch, out);
          send({ type: "stepped", id: msg.id, lossSum });
        } else {
          const net = msg.fold ? await folded.get(model, msg.version) : model;
          const logits = tf.tidy(
            () => (net.predict(toInputs(msg.x, msg.n, inputShapes)) as tf.Tensor).dataSync() as Float32Array,
          );
          send({ type: "predicted", id: msg.id, logits });
        }
      } catch (e) {
        const err = e as Error;
        send({ type: "error", id: "id" in msg ? msg.id : undefined, message: err.message, stack: err.stack });
      }
    });
  } catch (e) {
    const err = e as Error;
    send({ type: "error", message: err.message, stack: err.stack });
  }
}

void main();
