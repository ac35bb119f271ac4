import * as tf from "@tensorflow/tfjs";
import { ops, type GraphLoss } from "../../lib/engine/graph";

/**
 * Sum over samples (and heads) of w * cross-entropy(softmax(logits), label).
 * logits [n, heads*classes] (or [n, heads, classes]); labels [n*heads] class indices, -1 = missing
 * (contributes nothing); weights [n*heads]. The mean loss is this sum divided by the total weight,
 * which the caller knows for the whole batch (so data-parallel shards add up exactly).
 */
export function weightedSoftmaxCrossEntropySum(
  logits: tf.Tensor,
  labels: tf.Tensor1D,
  weights: tf.Tensor1D,
  classes: number,
): tf.Scalar {
  return tf.tidy(() => {
    const flat = logits.reshape([-1, classes]);
    const logp = tf.logSoftmax(flat);
    const onehot = tf.oneHot(labels, classes); // -1 -> all zeros
    const ce = tf.neg(tf.sum(tf.mul(onehot, logp), -1));
    return tf.sum(tf.mul(ce, weights)) as tf.Scalar;
  });
}

/** Labels and weights as sent to a gradient step: missing labels (-1) get weight 0, weights default 1. */
export function normaliseTargets(
  labels: Int32Array,
  weights?: Float32Array,
): { labels: Int32Array; weights: Float32Array; total: number } {
  const w = new Float32Array(labels.length);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] < 0 ? 0 : weights ? weights[i] : 1;
    w[i] = v;
    total += v;
  }
  return { labels, weights: w, total };
}

/** The benchmark's loss in graph form (every label present, weight 1): mean cross entropy of softmax(logits). */
export function softmaxCrossEntropyGraph(classes: number): GraphLoss {
  return {
    targets: [{ name: "labels", dtype: "int32", shape: ["B"] }],
    build: (g, logits, t) => {
      const logp = ops.logSoftmax(g, logits);
      return ops.mean(g, ops.neg(g, ops.sum(g, ops.mul(g, ops.oneHot(g, t.labels, classes), logp), [1])));
    },
  };
}
