import * as tf from "@tensorflow/tfjs";

/** Change the learning rate of a tfjs optimizer, FlatAdam included (for schedules). */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr;
}
