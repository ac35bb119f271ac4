import type { ModelSpec } from "./model-spec";
import type { ShardBatch, WeightLayout } from "./grad-step";

/** Messages between the trainer (main thread) and its gradient workers. */
export interface WorkerInit {
  model: ModelSpec;
  classes: number;
  /** Shared: the current weights, written by the main thread before each step. */
  weights: SharedArrayBuffer;
  /** Shared, this worker's own: gradients (trainable) / new values (non-trainable) after a step. */
  out: SharedArrayBuffer;
}

export type ToWorker =
  | { type: "step"; id: number; batch: ShardBatch; version: number }
  | { type: "predict"; id: number; x: Float32Array[]; n: number; fold: boolean; version: number }
  | { type: "close" };

export type FromWorker =
  | { type: "ready"; layout: WeightLayout; outputUnits: number }
  | { type: "stepped"; id: number; lossSum: number }
  | { type: "predicted"; id: number; logits: Float32Array }
  | { type: "error"; id?: number; message: string; stack?: string };
