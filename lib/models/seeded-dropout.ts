import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/rng";

export interface SeededDropoutArgs {
  readonly rate: number;
  /** Seed of the mask stream until the trainer reseeds it (reseedDropout). */
  readonly seed?: number;
  readonly name?: string;
}

/**
 * Inverted dropout whose masks come from a seeded stream: every training call draws the next seed
 * from the layer's own generator, so each step gets a new mask (tf.dropout with a fixed seed repeats
 * one mask at every call) and a run with the same seeds draws the same masks (tf.layers.dropout is
 * unseeded). fitUnit reseeds the stream at the start of every epoch from the epoch's seeded Rng, so a
 * resumed run draws what an uninterrupted one would. Identity at inference.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = "SeededDropout";
  readonly rate: number;
  private readonly seed: number;
  private stream: Rng;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1))
      throw new RangeError(`dropout rate ${args.rate} is not in [0, 1)`);
    this.rate = args.rate;
    this.seed = args.seed ?? 0;
    this.stream = new Rng(this.seed);
  }

  /** Restart the mask stream (the trainer calls this once per epoch). */
  reseed(seed: number): void {
    this.stream = new Rng(seed);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return x;
    const seed = this.stream.nextUint32();
    return tf.tidy(() => {
      const keep = tf.cast(
        tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, "float32", seed), this.rate),
        "float32",
      );
      return tf.mul(x, tf.mul(keep, 1 / (1 - this.rate)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

// Models holding the layer can be serialised (lib/engine saveModel/loadModel, foldBatchNorm's
// toJSON round trip) only when tfjs knows the class by name.
tf.serialization.registerClass(SeededDropout);

/** Reseed every SeededDropout layer of `model` (nested models too) from `rng`, in layer order. */
export function reseedDropout(model: tf.LayersModel, rng: Rng): number {
  let n = 0;
  const visit = (layers: readonly tf.layers.Layer[]) => {
    for (const layer of layers) {
      if (layer instanceof SeededDropout) {
        layer.reseed(rng.nextUint32());
        n++;
      } else if (layer instanceof tf.LayersModel) visit(layer.layers);
    }
  };
  visit(model.layers);
  return n;
}
