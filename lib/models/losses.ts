import * as tf from "@tensorflow/tfjs";
import { SEVERITY_WEIGHTS } from "../data/schema";

const EPS = 1e-7;

/**
 * Cross entropy weighted like the metric: each sample weighs 1/2/4 by its true class.
 * labels: int32 [B] (0..2), probs: [B, 3] softmax. Returns the weighted mean (sum w*ce / sum w),
 * which is what the metric's sample-weighted log loss computes per condition.
 */
export function weightedCrossEntropy(labels: tf.Tensor1D, probs: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(labels, 3).toFloat();
    const w = tf.sum(tf.mul(onehot, tf.tensor1d([...SEVERITY_WEIGHTS])), 1);
    const ce = tf.neg(tf.sum(tf.mul(onehot, tf.log(tf.clipByValue(probs, EPS, 1))), 1));
    return tf.div(tf.sum(tf.mul(w, ce)), tf.sum(w)) as tf.Scalar;
  });
}

/**
 * The metric's any_severe_spinal term: per study, P(any level severe) = max over the 5 spinal levels
 * of P(severe), scored by binary cross entropy weighted 4 when positive and 1 when negative.
 * probs: [S * 5, 3] with the five levels of each study consecutive; anySevere: [S] 0/1.
 */
export function anySevereSpinalLoss(probs: tf.Tensor2D, anySevere: tf.Tensor1D, levels = 5): tf.Scalar {
  return tf.tidy(() => {
    const severe = tf.reshape(tf.slice(probs, [0, 2], [-1, 1]), [-1, levels]);
    const p = tf.clipByValue(tf.max(severe, 1), EPS, 1 - EPS);
    const y = anySevere.toFloat();
    const w = tf.add(1, tf.mul(3, y));
    const bce = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
    return tf.div(tf.sum(tf.mul(w, bce)), tf.sum(w)) as tf.Scalar;
  });
}

/**
 * Heatmap loss: spatial softmax per channel, cross entropy against a normalised target [B,H,W,K].
 * Channels whose target is all zero (unlabelled level) are left out of the mean.
 */
export function spatialSoftmaxCe(logits: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [b, h, w, k] = logits.shape;
    const l = tf.reshape(tf.transpose(logits, [0, 3, 1, 2]), [b * k, h * w]);
    const t = tf.reshape(tf.transpose(target, [0, 3, 1, 2]), [b * k, h * w]);
    const logp = tf.logSoftmax(l);
    const ce = tf.neg(tf.sum(tf.mul(t, logp), 1));
    const has = tf.sum(t, 1);
    return tf.div(tf.sum(tf.mul(ce, has)), tf.maximum(tf.sum(has), 1)) as tf.Scalar;
  });
}
