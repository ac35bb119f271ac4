import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { buildClassifier, buildLocalizer, heatmapSize, metaVector, gaussianTargets } from "../../lib/models";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("model builders", () => {
  it("localizer maps [B,S,S,1] to 5 heatmaps at S / 2^(blocks-1)", () => {
    const spec = { inputPx: 32, filters: [4, 8, 8] };
    const m = buildLocalizer(spec);
    expect(heatmapSize(spec)).toBe(8);
    const y = m.predict(tf.zeros([2, 32, 32, 1])) as tf.Tensor;
    expect(y.shape).toEqual([2, 8, 8, 5]);
  });
  it("classifier takes a 2.5D crop and the level/side meta and returns a distribution", () => {
    const m = buildClassifier({ cropPx: 16, channels: 3, filters: [4, 8], dense: 4, dropout: 0.1 });
    const y = m.predict([
      tf.randomNormal([3, 16, 16, 3]),
      tf.tensor2d([metaVector(0, "left"), metaVector(4, "right"), metaVector(2, null)]),
    ]) as tf.Tensor;
    expect(y.shape).toEqual([3, 3]);
    Array.from(y.sum(1).dataSync()).forEach((s) => expect(s).toBeCloseTo(1, 5));
  });
  it("meta vector: level one-hot then side +1 left / -1 right / 0 none", () => {
    expect(metaVector(1, "left")).toEqual([0, 1, 0, 0, 0, 1]);
    expect(metaVector(4, "right")).toEqual([0, 0, 0, 0, 1, -1]);
    expect(metaVector(0, null)).toEqual([1, 0, 0, 0, 0, 0]);
  });
  it("gaussian targets sum to 1 per labelled level and peak at the point; unlabelled levels are empty", () => {
    const t = gaussianTargets(
      [
        [
          [2.5, 3.5],
          [NaN, NaN],
          [0.5, 0.5],
          [7.5, 7.5],
          [4, 4],
        ],
      ],
      8,
      1,
    ).arraySync()[0];
    const channel = (c: number) => t.flatMap((row) => row.map((cell) => cell[c]));
    expect(channel(0).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(channel(1).reduce((a, b) => a + b)).toBe(0);
    const c0 = channel(0);
    expect(c0.indexOf(Math.max(...c0))).toBe(3 * 8 + 2); // cell (x=2, y=3) has centre (2.5, 3.5)
  });
});
