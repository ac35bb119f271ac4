import * as tf from "@tensorflow/tfjs";
import type { BackendInfo } from "../lib/engine/backend";
import { GraphTrainer } from "../lib/engine/graph";
import { Rng } from "../lib/util/rng";
import { softmaxCrossEntropyGraph } from "./trainer/loss";
import { createTrainer } from "./trainer/trainer";
import { REFERENCE_MODELS, type ReferenceModelName } from "./reference-models";
import * as path from "node:path";

/** Wall and process CPU seconds of one timed epoch. */
export interface Timing {
  seconds: number;
  cpu: number;
}

/** What one side's process reports: its timed train and infer epochs (after a warm-up step each). */
export interface SideRun {
  side: string;
  version: string;
  threads: number;
  train: Timing[];
  infer: Timing[];
}

/** One training/inference step of a side, over the same fixed batch every time. */
interface Steps {
  train(): void | Promise<void>;
  infer(): void | Promise<void>;
  dispose(): void | Promise<void>;
}

const MODELS_FILE = path.resolve(__dirname, "reference-models.ts");

/**
 * Our side of `bench train` in this process: the reference model trained as one TensorFlow graph
 * per step (graph, as fitUnit trains on TensorFlow) or by tfjs's eager ops (eager, the trainer of
 * bench/trainer: on TensorFlow its pool of `threads`, on wasm that many data-parallel workers).
 */
export async function ourSide(
  side: "graph" | "eager",
  model: ReferenceModelName,
  info: BackendInfo,
  threads: number,
  steps: number,
  epochs: number,
): Promise<SideRun> {
  const spec = REFERENCE_MODELS[model];
  const { x, labels } = syntheticBatch(spec.batch, spec.inputShape as unknown as number[], spec.classes, 1);
  const run =
    side === "graph" ? await graphSteps(model, x, labels) : await eagerSteps(model, info, threads, x, labels);
  try {
    await time(run.train, 1); // warm-up: the session's first run (graph optimisation), kernels, Adam's slots
    await time(run.infer, 1);
    const train: Timing[] = [];
    const infer: Timing[] = [];
    for (let e = 0; e < epochs; e++) train.push(await time(run.train, steps));
    for (let e = 0; e < epochs; e++) infer.push(await time(run.infer, steps));
    return {
      side,
      version: `tfjs ${tf.version.tfjs} on ${info.choice} ${info.tensorflowVersion ?? ""}`.trim(),
      threads,
      train,
      infer,
    };
  } finally {
    await run.dispose();
  }
}

async function graphSteps(model: ReferenceModelName, x: Float32Array, labels: Int32Array): Promise<Steps> {
  const spec = REFERENCE_MODELS[model];
  const net = spec.build();
  const trainer = await GraphTrainer.create(net, softmaxCrossEntropyGraph(spec.classes));
  const input = tf.tensor(x, [spec.batch, ...spec.inputShape]);
  const targets = { labels: tf.tensor1d(labels, "int32") };
  return {
    train: () => void trainer.step([input], targets, 1e-3),
    infer: () => {
      const out = trainer.infer([input]);
      out.dataSync(); // wait for the values, as the peers do
      out.dispose();
    },
    dispose: () => {
      trainer.dispose();
      tf.dispose([input, targets.labels, ...net.weights.map((w) => w.read())]);
    },
  };
}

async function eagerSteps(
  model: ReferenceModelName,
  info: BackendInfo,
  threads: number,
  x: Float32Array,
  labels: Int32Array,
): Promise<Steps> {
  const spec = REFERENCE_MODELS[model];
  const trainer = await createTrainer({
    model: { module: MODELS_FILE, exportName: spec.exportName },
    optimizer: { name: "adam", learningRate: 1e-3 },
    classes: spec.classes,
    // On TensorFlow the threads are its intra-op pool (set at load); the trainer's workers are wasm's.
    threads: info.tfBackend === "tensorflow" ? 1 : threads,
  });
  return {
    train: async () => void (await trainer.trainBatch(x, labels)),
    infer: async () => void (await trainer.predict(x)),
    dispose: () => trainer.dispose(),
  };
}

async function time(step: () => void | Promise<void>, steps: number): Promise<Timing> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) await step();
  const c = process.cpuUsage(c0);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 };
}

function syntheticBatch(n: number, shape: number[], classes: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(0, classes - 1);
  return { x, labels };
}
