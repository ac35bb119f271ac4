import * as tf from "@tensorflow/tfjs";
import type { NamedTensor } from "../engine/graph";
import { readTensorBundle, writeTensorBundle } from "../models/weights-file";

/** Save Adam's moments etc. (FlatAdam's getWeights format) so a resumed run continues the same optimisation. */
export async function saveOptimizer(
  file: string,
  optimizer: { optimizerWeights(): Promise<NamedTensor[]> },
): Promise<void> {
  const named = await optimizer.optimizerWeights();
  writeTensorBundle(
    file,
    named.map((n) => ({ name: n.name, tensor: n.tensor })),
  );
}

/** The saved optimizer state as tensors (the caller disposes them). */
export function readOptimizer(file: string): NamedTensor[] {
  const { tensors } = readTensorBundle(file);
  return tensors.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, t.shape) }));
}
