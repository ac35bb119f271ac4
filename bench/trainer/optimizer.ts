import * as tf from "@tensorflow/tfjs";
import { FlatAdam } from "../../lib/engine/flat-adam";

/** Optimizer settings, plain data so they can cross to worker_threads and into config.json. */
export type OptimizerSpec =
  | { name: "adam"; learningRate: number; beta1?: number; beta2?: number; epsilon?: number }
  | { name: "sgd"; learningRate: number; momentum?: number; nesterov?: boolean };

export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.name) {
    case "adam":
      // epsilon 1e-8 like PyTorch (tfjs defaults to 1e-7), so the benchmark peers do the same maths.
      return new FlatAdam(spec.learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-8);
    case "sgd":
      return spec.momentum
        ? tf.train.momentum(spec.learningRate, spec.momentum, spec.nesterov ?? false)
        : tf.train.sgd(spec.learningRate);
  }
}
