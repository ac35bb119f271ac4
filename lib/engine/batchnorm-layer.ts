import * as tf from "@tensorflow/tfjs";
import { tfBatchNormTrain } from "./tensorflow/batchnorm";
import { batchNormTrain } from "./wasm/kernels/LumbarBatchNormTrain";

/** A fused training-mode batch norm: y, batch mean, biased batch variance. */
type FusedTrain = (
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
) => [tf.Tensor, tf.Tensor, tf.Tensor];

/** Per backend: the fused kernel and the input ranks it takes (TensorFlow's op wants NHWC). */
const FUSED: Record<string, { run: FusedTrain; ranks: readonly number[] }> = {
  wasm: { run: batchNormTrain, ranks: [2, 3, 4, 5] },
  tensorflow: { run: tfBatchNormTrain, ranks: [4] },
};

/**
 * Route tfjs-layers' BatchNormalization in training mode through one fused kernel (our wasm
 * LumbarBatchNormTrain, or TensorFlow's FusedBatchNormV3) when the backend has one, the normalised
 * axis is the last one, and the layer has gamma and beta (tfjs-layers' own training path requires
 * them too). Everything else, inference included, takes the original code. The moving averages are updated exactly as
 * tfjs-layers does: moving = moving - (moving - batch) * (1 - momentum), with the biased variance.
 */
interface BnLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}
type CallFn = (
  this: BnLayer,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: { training?: boolean },
) => tf.Tensor | tf.Tensor[];

let installed = false;

export function installFastBatchNorm(): void {
  if (installed) return;
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as { call: CallFn };
  const original = proto.call;
  proto.call = function (this: BnLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    const fused = FUSED[tf.getBackend()];
    const usable =
      fused !== undefined &&
      kwargs?.training === true &&
      x !== null &&
      x.dtype === "float32" &&
      (this.axis === -1 || this.axis === x.rank - 1) &&
      this.gamma !== null &&
      this.beta !== null &&
      fused.ranks.includes(x.rank);
    if (!usable) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = fused.run(x!, this.gamma!.read(), this.beta!.read(), this.epsilon);
      const decay = 1 - this.momentum;
      for (const [v, value] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const orig = v.read();
          v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
        });
      }
      return y;
    });
  };
  installed = true;
}
