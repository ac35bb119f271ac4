import * as tf from "@tensorflow/tfjs";
import { readTensorBundle, writeTensorBundle } from "../models/weights-file";

/** Save Adam's moments etc. so a resumed run continues the same optimisation. */
export async function saveOptimizer(file: string, optimizer: tf.Optimizer): Promise<void> {
  const named = await optimizer.getWeights();
  writeTensorBundle(
    file,
    named.map((n) => ({ name: n.name, tensor: n.tensor })),
  );
}

export async function loadOptimizer(file: string, optimizer: tf.Optimizer): Promise<void> {
  const { tensors } = readTensorBundle(file);
  await optimizer.setWeights(tensors.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, t.shape) })));
}
