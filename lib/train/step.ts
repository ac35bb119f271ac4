import * as tf from "@tensorflow/tfjs";
import { FlatAdam, setLearningRate } from "../engine";
import { GraphTrainer, type GraphLoss, type NamedTensor } from "../engine/graph";
import { readEnv } from "../util/env";

/** One training batch: the model's inputs (model.inputs order) and what the loss reads beside its output. */
export interface Batch {
  readonly inputs: readonly tf.Tensor[];
  readonly size: number;
  /** Targets, labels, masks by the names the loss's graph form feeds them under. */
  readonly targets: Readonly<Record<string, tf.Tensor>>;
}

export function disposeBatch(b: Batch): void {
  tf.dispose([...b.inputs, ...Object.values(b.targets)]);
}

/** A unit's loss in both forms: tfjs ops (eager, the reference) and graph ops (lib/models/graph-losses). */
export interface TrainLoss {
  eager(output: tf.Tensor, targets: Readonly<Record<string, tf.Tensor>>): tf.Scalar;
  readonly graph: GraphLoss;
}

/**
 * How a unit's model takes its optimisation steps. Both kinds hold the weights and Adam's state
 * (FlatAdam's checkpoint format) between steps; `sync` makes the LayersModel hold the trained
 * weights (before validation, checkpoints and the end of the unit).
 */
export interface Stepper {
  readonly kind: "graph" | "eager";
  step(batch: Batch, learningRate: number): number;
  sync(): void;
  optimizerWeights(): Promise<NamedTensor[]>;
  dispose(): void;
}

/**
 * Graph steps (one TensorFlow call per batch, lib/engine/graph) on the TensorFlow backends, eager
 * tfjs steps elsewhere; LUMBAR_TRAIN=eager forces tfjs's on TensorFlow too (the reference path).
 */
export function stepKind(): "graph" | "eager" {
  if (tf.getBackend() !== "tensorflow") return "eager";
  return readEnv("LUMBAR_TRAIN") === "eager" ? "eager" : "graph";
}

/** A stepper for `model`, Adam's state restored from `optimizerState` (FlatAdam's weights) when resuming. */
export async function createStepper(
  model: tf.LayersModel,
  loss: TrainLoss,
  optimizerState: NamedTensor[] | null,
  kind = stepKind(),
): Promise<Stepper> {
  return kind === "graph"
    ? graphStepper(model, loss, optimizerState)
    : eagerStepper(model, loss, optimizerState);
}

async function eagerStepper(
  model: tf.LayersModel,
  loss: TrainLoss,
  state: NamedTensor[] | null,
): Promise<Stepper> {
  const optimizer = new FlatAdam(0);
  // Adam creates its slots lazily; setWeights creates them from the saved tensors.
  if (state) await optimizer.setWeights(state);
  return {
    kind: "eager",
    step: (batch, learningRate) => {
      setLearningRate(optimizer, learningRate);
      return eagerStep(model, optimizer, batch, loss);
    },
    sync: () => {},
    optimizerWeights: () => optimizer.getWeights(),
    dispose: () => optimizer.dispose(),
  };
}

/** One tfjs optimisation step; returns the batch loss. */
export function eagerStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  batch: Batch,
  loss: TrainLoss,
): number {
  // Explicit varList: without it tfjs differentiates every trainable variable alive in the process
  // (other folds' models too), and Adam's slot order would depend on what else exists.
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const inputs = batch.inputs.length === 1 ? batch.inputs[0] : [...batch.inputs];
  const value = optimizer.minimize(
    () => loss.eager(model.apply(inputs, { training: true }) as tf.Tensor, batch.targets),
    true,
    vars,
  );
  const out = value ? value.dataSync()[0] : NaN;
  value?.dispose();
  return out;
}

async function graphStepper(
  model: tf.LayersModel,
  loss: TrainLoss,
  state: NamedTensor[] | null,
): Promise<Stepper> {
  const trainer = await GraphTrainer.create(model, loss.graph, state ?? undefined);
  return {
    kind: "graph",
    step: (batch, learningRate) => trainer.step(batch.inputs, batch.targets, learningRate),
    sync: () => trainer.pullWeights(),
    optimizerWeights: () => trainer.getOptimizerWeights(),
    dispose: () => trainer.dispose(),
  };
}
