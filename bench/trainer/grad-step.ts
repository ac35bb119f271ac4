import * as tf from "@tensorflow/tfjs";
import { weightedSoftmaxCrossEntropySum } from "./loss";

/**
 * One model's weights laid out in a single flat Float32Array, in model.weights order
 * (trainable and not, e.g. BatchNorm moving statistics), so threads exchange them as one buffer.
 */
export interface WeightLayout {
  names: string[];
  shapes: number[][];
  offsets: number[];
  trainable: boolean[];
  size: number;
}

export function weightLayout(model: tf.LayersModel): WeightLayout {
  const names: string[] = [],
    shapes: number[][] = [],
    offsets: number[] = [],
    trainable: boolean[] = [];
  let size = 0;
  for (const w of model.weights) {
    names.push(w.name);
    const shape = w.shape.map((d) => d ?? 0);
    shapes.push(shape);
    offsets.push(size);
    trainable.push(w.trainable);
    size += shape.reduce((a, b) => a * b, 1);
  }
  return { names, shapes, offsets, trainable, size };
}

export function sameLayout(a: WeightLayout, b: WeightLayout): boolean {
  return (
    a.size === b.size &&
    a.shapes.length === b.shapes.length &&
    a.shapes.every((s, i) => s.join() === b.shapes[i].join() && a.trainable[i] === b.trainable[i])
  );
}

/** Copy every weight of `model` into `out` at the layout's offsets. */
export function readWeights(model: tf.LayersModel, layout: WeightLayout, out: Float32Array): void {
  model.weights.forEach((w, i) => {
    const t = w.read();
    out.set(t.dataSync() as Float32Array, layout.offsets[i]);
  });
}

/** Set every weight of `model` from `src` (copied, so `src` may be shared memory that changes later). */
export function writeWeights(model: tf.LayersModel, layout: WeightLayout, src: Float32Array): void {
  tf.tidy(() => {
    model.weights.forEach((w, i) => {
      const n = layout.shapes[i].reduce((a, b) => a * b, 1);
      const values = src.slice(layout.offsets[i], layout.offsets[i] + n);
      w.write(tf.tensor(values, layout.shapes[i], "float32"));
    });
  });
}

export interface ShardBatch {
  /** One array per model input, each [n, ...inputShape] flattened. */
  x: Float32Array[];
  n: number;
  /** [n*heads] class indices, -1 = missing. */
  labels: Int32Array;
  /** [n*heads], 0 where the label is missing. */
  weights: Float32Array;
  /** Total weight of the WHOLE batch (all shards): the loss is sum(w*ce) / totalWeight. */
  totalWeight: number;
}

/**
 * Forward + backward on one shard (training mode: BatchNorm uses shard statistics and updates its
 * moving averages). Writes d(loss)/d(w) of trainable weights, and the new values of non-trainable
 * ones, into `out` (layout offsets). Returns sum(w*ce) of the shard.
 */
export function shardGradients(
  model: tf.LayersModel,
  layout: WeightLayout,
  inputShapes: number[][],
  classes: number,
  batch: ShardBatch,
  out: Float32Array,
): number {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let lossSum = 0;
  tf.tidy(() => {
    const x = toInputs(batch.x, batch.n, inputShapes);
    const labels = tf.tensor1d(batch.labels, "int32");
    const weights = tf.tensor1d(batch.weights, "float32");
    const scale = batch.totalWeight > 0 ? 1 / batch.totalWeight : 0;
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      return tf.mul(weightedSoftmaxCrossEntropySum(logits, labels, weights, classes), scale) as tf.Scalar;
    }, vars);
    lossSum = (value.dataSync()[0] as number) * (batch.totalWeight > 0 ? batch.totalWeight : 0);
    model.weights.forEach((w, i) => {
      const t = w.trainable ? grads[(w.read() as tf.Variable).name] : w.read();
      const n = layout.shapes[i].reduce((a, b) => a * b, 1);
      if (t) out.set(t.dataSync() as Float32Array, layout.offsets[i]);
      else out.fill(0, layout.offsets[i], layout.offsets[i] + n); // a weight the loss does not reach
    });
  });
  return lossSum;
}

/** Model inputs as tensors: one tensor for a single-input model, else an array in input order. */
export function toInputs(xs: Float32Array[], n: number, inputShapes: number[][]): tf.Tensor | tf.Tensor[] {
  const ts = xs.map((x, i) => tf.tensor(x, [n, ...inputShapes[i]], "float32"));
  return ts.length === 1 ? ts[0] : ts;
}

export function inputShapesOf(model: tf.LayersModel): number[][] {
  return model.inputs.map((t) => (t.shape as number[]).slice(1));
}
