import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { existsSync, mkdirSync } from "node:fs";
import { Rng } from "../util/rng";
import { INITIAL_STATE, readState, writeState, type UnitState } from "../infer/unit-state";
import { loadModelWeights, saveModelWeights } from "../models/weights-file";
import { progressBar, reportUnit } from "../util/progress";
import { readOptimizer, saveOptimizer } from "./checkpoint";
import { JsonlLog } from "./log";
import { mathRandomSeed, withSeededMathRandom } from "./seeded-random";
import { createStepper, disposeBatch, type Batch, type Stepper, type TrainLoss } from "./step";

export type { Batch, TrainLoss } from "./step";

/** A heatmap batch: images in, the target heatmaps its loss reads. */
export function heatmapBatch(images: tf.Tensor4D, target: tf.Tensor4D): Batch {
  return { inputs: [images], size: images.shape[0], targets: { target } };
}

/** Everything fitUnit needs to train one model on one fold; lower evaluate().score is better. */
export interface FitTask {
  readonly name: string;
  readonly dir: string;
  readonly model: tf.LayersModel;
  readonly epochs: number;
  readonly learningRate: number;
  readonly patience: number;
  readonly seed: number;
  readonly batchesPerEpoch: number;
  readonly loss: TrainLoss;
  trainBatches(epoch: number, rng: Rng): Iterable<Batch>;
  evaluate(model: tf.LayersModel, epoch: number): Promise<{ score: number } & Record<string, number>>;
  readonly log?: JsonlLog;
  readonly quiet?: boolean;
}

/** Cosine decay from `base` to 5% of it over the run: later epochs refine instead of bouncing. */
export function cosineLr(base: number, epoch: number, epochs: number): number {
  const t = epochs > 1 ? epoch / (epochs - 1) : 0;
  return base * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** One epoch over the task's batches under its (seed, epoch) Math.random; returns the mean loss. */
function trainEpoch(task: FitTask, stepper: Stepper, epoch: number): number {
  const bar = progressBar(`${task.name} epoch ${epoch + 1}/${task.epochs}`, task.batchesPerEpoch, {
    quiet: task.quiet,
  });
  const lr = cosineLr(task.learningRate, epoch, task.epochs);
  let lossSum = 0;
  let seen = 0;
  // Dropout masks come from Math.random: seed it per epoch so they depend on (seed, epoch) only.
  withSeededMathRandom(mathRandomSeed(task.seed, epoch), () => {
    for (const batch of task.trainBatches(epoch, new Rng(task.seed).fork(epoch + 1))) {
      const l = stepper.step(batch, lr);
      lossSum += l * batch.size;
      seen += batch.size;
      disposeBatch(batch);
      bar.tick(1, { loss: lossSum / Math.max(seen, 1) });
    }
  });
  bar.stop();
  stepper.sync();
  return lossSum / Math.max(seen, 1);
}

/** What names, places and seeds one unit's training, whatever the model. */
export interface UnitRun {
  readonly name: string;
  readonly dir: string;
  readonly patience: number;
  readonly seed: number;
  readonly log?: JsonlLog;
  readonly quiet?: boolean;
}

/** What every unit hands fitUnit as it came: its name, folder, seed, patience, schedule, log. */
export function unitBasics(
  opts: UnitRun,
  cfg: { epochs: number; learningRate: number },
): Pick<FitTask, "name" | "dir" | "patience" | "seed" | "log" | "quiet" | "epochs" | "learningRate"> {
  const { name, dir, patience, seed, log, quiet } = opts;
  return { name, dir, patience, seed, log, quiet, epochs: cfg.epochs, learningRate: cfg.learningRate };
}

/**
 * Train with early stopping on the validation score, checkpointing after every epoch so a killed run
 * resumes at the next epoch (weights, Adam state and the epoch's seeded shuffle are restored).
 * Leaves the model holding the best epoch's weights; returns the final state.
 */
export async function fitUnit(task: FitTask): Promise<UnitState> {
  const { dir, model } = task;
  const bestFile = join(dir, "best.weights");
  mkdirSync(dir, { recursive: true });
  let state = readState(dir);
  const started = Date.now();
  const summary = (s: UnitState, resumedDone = false) =>
    reportUnit(
      {
        name: task.name,
        epochs: task.epochs,
        bestEpoch: s.bestEpoch,
        bestScore: s.bestScore,
        seconds: (Date.now() - started) / 1000,
        resumedDone,
      },
      { quiet: task.quiet },
    );
  if (state.done && existsSync(bestFile)) {
    loadModelWeights(bestFile, model);
    summary(state, true);
    return state;
  }
  const resumed = await resume(task, state);
  try {
    state = await trainEpochs(task, resumed.stepper, resumed.state);
  } finally {
    resumed.stepper.dispose(); // a graph session holds the unit's variables: freed on failure too
  }
  if (existsSync(bestFile)) loadModelWeights(bestFile, model);
  state = { ...state, done: true };
  writeState(dir, state);
  summary(state);
  return state;
}

/**
 * The stepper a unit trains with, from its last checkpoint (model weights and Adam's state) when
 * there is one, else fresh; and the state training continues from.
 */
async function resume(task: FitTask, state: UnitState): Promise<{ stepper: Stepper; state: UnitState }> {
  const last = state.last;
  if (!last || !existsSync(join(task.dir, last.weights)))
    return { stepper: await createStepper(task.model, task.loss, null), state: INITIAL_STATE };
  loadModelWeights(join(task.dir, last.weights), task.model);
  const optimizerState = readOptimizer(join(task.dir, last.optimizer));
  try {
    return { stepper: await createStepper(task.model, task.loss, optimizerState), state };
  } finally {
    tf.dispose(optimizerState.map((n) => n.tensor));
  }
}

/** Epochs from `state` on, each checkpointed and logged, until the last or early stopping. */
async function trainEpochs(task: FitTask, stepper: Stepper, state: UnitState): Promise<UnitState> {
  const bestFile = join(task.dir, "best.weights");
  let stale = state.epoch - 1 - state.bestEpoch;
  // Early stopping only in the second half: with a cosine schedule the first epochs run at a high
  // rate and a noisy validation score there says little about where training ends.
  const minEpochs = Math.ceil(task.epochs / 2);
  for (
    let epoch = state.epoch;
    epoch < task.epochs && (epoch < minEpochs || stale < task.patience);
    epoch++
  ) {
    const t0 = Date.now();
    const trainLoss = trainEpoch(task, stepper, epoch);
    const metrics = await task.evaluate(task.model, epoch);
    const improved = metrics.score < state.bestScore;
    if (improved) saveModelWeights(bestFile, task.model, { epoch, ...metrics });
    const last = { weights: `last-e${epoch}.weights`, optimizer: `last-e${epoch}.optimizer` };
    saveModelWeights(join(task.dir, last.weights), task.model, { epoch, ...metrics });
    await saveOptimizer(join(task.dir, last.optimizer), stepper);
    state = {
      epoch: epoch + 1,
      bestScore: improved ? metrics.score : state.bestScore,
      bestEpoch: improved ? epoch : state.bestEpoch,
      done: false,
      last,
      curve: [...(state.curve ?? []), metrics.score],
    };
    writeState(task.dir, state);
    stale = improved ? 0 : stale + 1;
    task.log?.write({
      unit: task.name,
      epoch,
      lr: cosineLr(task.learningRate, epoch, task.epochs),
      trainLoss,
      ...metrics,
      best: state.bestScore,
      seconds: (Date.now() - t0) / 1000,
    });
  }
  return state;
}
