import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { anySevereSpinalLoss, spatialSoftmaxCe, weightedCrossEntropy } from "../../lib/models";
import { weightedBinaryLogLoss, weightedLogLoss } from "../../lib/metric";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("weightedCrossEntropy", () => {
  it("equals the metric's weighted log loss (weights 1/2/4 by true class)", () => {
    const probs = [
      [0.7, 0.2, 0.1],
      [0.3, 0.5, 0.2],
      [0.2, 0.3, 0.5],
      [0.6, 0.3, 0.1],
    ] as const;
    const labels = [0, 1, 2, 2];
    const got = weightedCrossEntropy(
      tf.tensor1d(labels, "int32"),
      tf.tensor2d(probs.map((p) => [...p])),
    ).dataSync()[0];
    // by hand: -(1*ln .7 + 2*ln .5 + 4*ln .5 + 4*ln .1) / (1+2+4+4)
    const hand = -(Math.log(0.7) + 2 * Math.log(0.5) + 4 * Math.log(0.5) + 4 * Math.log(0.1)) / 11;
    expect(got).toBeCloseTo(hand, 5);
    const metric = weightedLogLoss(
      probs.map((p, i) => ({ probs: p, label: labels[i], weight: [1, 2, 4][labels[i]] })),
    );
    expect(got).toBeCloseTo(metric, 5);
  });
});

describe("anySevereSpinalLoss", () => {
  it("scores max P(severe) over a study's levels with weights 4/1", () => {
    // two studies x 5 levels; study 0 has a severe level, study 1 not.
    const severe = [0.1, 0.6, 0.2, 0.05, 0.1, 0.05, 0.1, 0.2, 0.1, 0.05];
    const probs = tf.tensor2d(severe.map((s) => [(1 - s) / 2, (1 - s) / 2, s]));
    const got = anySevereSpinalLoss(probs, tf.tensor1d([1, 0])).dataSync()[0];
    const hand = weightedBinaryLogLoss([
      { p: 0.6, label: true, weight: 4 },
      { p: 0.2, label: false, weight: 1 },
    ]);
    expect(got).toBeCloseTo(hand, 5);
    expect(hand).toBeCloseTo(-(4 * Math.log(0.6) + Math.log(0.8)) / 5, 6);
  });
});

describe("spatialSoftmaxCe", () => {
  it("is the cross entropy of the spatial softmax and ignores unlabelled channels", () => {
    // 1 sample, 2x2 map, 5 channels; channel 0 labelled at cell (0,0), others empty
    const logits = new Float32Array(20);
    logits[0] = 2; // cell 0, channel 0
    const target = new Float32Array(20);
    target[0] = 1;
    const got = spatialSoftmaxCe(
      tf.tensor4d(logits, [1, 2, 2, 5]),
      tf.tensor4d(target, [1, 2, 2, 5]),
    ).dataSync()[0];
    const hand = -Math.log(Math.exp(2) / (Math.exp(2) + 3));
    expect(got).toBeCloseTo(hand, 5);
  });
});
