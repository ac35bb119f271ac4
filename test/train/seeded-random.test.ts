import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { mathRandomSeed, withSeededMathRandom } from "../../lib/train/seeded-random";
import { Rng } from "../../lib/util/rng";

describe("withSeededMathRandom", () => {
  it("draws Math.random from Rng(seed) inside and restores it after, also on a throw", () => {
    const original = Math.random;
    const ref = new Rng(3);
    expect(withSeededMathRandom(3, () => [Math.random(), Math.random()])).toEqual([ref.next(), ref.next()]);
    expect(Math.random).toBe(original);
    expect(() =>
      withSeededMathRandom(3, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(Math.random).toBe(original);
  });
  it("makes tfjs's unseeded initialisers and dropout repeatable", async () => {
    await tf.setBackend("cpu");
    const draw = () =>
      tf.tidy(() => {
        const init = tf.initializers.glorotUniform({}).apply([4, 3]);
        const drop = tf.dropout(tf.ones([16]), 0.5);
        return [...init.dataSync(), ...drop.dataSync()];
      });
    const seed = mathRandomSeed(7, "init");
    expect(withSeededMathRandom(seed, draw)).toEqual(withSeededMathRandom(seed, draw));
    expect(withSeededMathRandom(mathRandomSeed(7, 0), draw)).not.toEqual(withSeededMathRandom(seed, draw));
  });
  it("refuses an async function (an await would leak the seeded source)", () => {
    expect(() => withSeededMathRandom(1, async () => 1)).toThrow(/synchronous/);
  });
});
