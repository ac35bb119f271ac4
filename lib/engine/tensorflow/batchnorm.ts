import * as tf from "@tensorflow/tfjs";
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";

/**
 * Training-mode batch normalisation as TensorFlow's own fused kernels: FusedBatchNormV3
 * (is_training) forward and FusedBatchNormGradV3 backward, two calls into libtensorflow. tfjs-layers
 * builds it from moments + FusedBatchNorm (inference), whose gradient is a dozen full-size kernels;
 * on tfjs-node each kernel is also a binding call with a fixed cost, so small models pay it many times.
 *
 * Outputs: y, the batch mean, the biased batch variance (what tfjs-layers' moving averages use),
 * and TensorFlow's three reserve spaces, which only the gradient reads (their meaning differs on
 * CPU and GPU: cuDNN keeps an inverse deviation, the CPU kernel the variance).
 */
export const TF_BATCH_NORM_TRAIN = "LumbarTfBatchNormTrain";

/** The slice of tfjs-node's backend this kernel calls (not part of tfjs's public types). */
interface NativeBackend {
  binding: {
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
    TF_FLOAT: number;
  };
  executeMultipleOutputs(
    name: string,
    attrs: unknown[],
    inputs: TensorInfo[],
    numOutputs: number,
  ): tf.Tensor[];
}

interface BnAttrs {
  epsilon: number;
}

function attrs(b: NativeBackend, epsilon: number): unknown[] {
  const { binding: k } = b;
  return [
    { name: "T", type: k.TF_ATTR_TYPE, value: k.TF_FLOAT },
    { name: "U", type: k.TF_ATTR_TYPE, value: k.TF_FLOAT },
    { name: "epsilon", type: k.TF_ATTR_FLOAT, value: epsilon },
    { name: "exponential_avg_factor", type: k.TF_ATTR_FLOAT, value: 1 },
    { name: "data_format", type: k.TF_ATTR_STRING, value: "NHWC" },
    { name: "is_training", type: k.TF_ATTR_BOOL, value: true },
  ];
}

function forward(args: {
  inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  backend: NativeBackend;
  attrs: BnAttrs;
}): tf.Tensor[] {
  const { x, gamma, beta } = args.inputs;
  const b = args.backend;
  // Training mode takes no running statistics: empty tensors, as TensorFlow's Keras passes them.
  const empty = tf.tensor1d([], "float32");
  const [y, mean, unbiased, r1, r2, r3] = b.executeMultipleOutputs(
    "FusedBatchNormV3",
    attrs(b, args.attrs.epsilon),
    [x, gamma, beta, empty, empty],
    6,
  );
  empty.dispose();
  // TensorFlow's batch_variance is Bessel-corrected; tfjs-layers' moving variance uses the biased one.
  const rows = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  const biased = tf.mul(unbiased, rows > 1 ? (rows - 1) / rows : 1);
  unbiased.dispose();
  return [y, mean, biased, r1, r2, r3];
}

function backward(dy: tf.Tensor, saved: tf.Tensor[], epsilon: number): tf.Tensor[] {
  const [x, gamma, r1, r2, r3] = saved;
  const b = tf.backend() as unknown as NativeBackend;
  const battrs = attrs(b, epsilon).filter((a) => (a as { name: string }).name !== "exponential_avg_factor");
  const [dx, dgamma, dbeta, r4, r5] = b.executeMultipleOutputs(
    "FusedBatchNormGradV3",
    battrs,
    [dy, x, gamma, r1, r2, r3],
    5,
  );
  tf.dispose([r4, r5]);
  return [dx, dgamma, dbeta];
}

const tfBatchNormTrainConfig: KernelConfig = {
  kernelName: TF_BATCH_NORM_TRAIN,
  backendName: "tensorflow",
  kernelFunc: forward as unknown as KernelFunc,
};

/** Gradient w.r.t. x, gamma, beta; the statistics and reserve outputs carry none. */
const tfBatchNormTrainGradient: GradConfig = {
  kernelName: TF_BATCH_NORM_TRAIN,
  inputsToSave: ["x", "gamma"],
  outputsToSave: [false, false, false, true, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], a: NamedAttrMap) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [dx, dgamma, dbeta] = backward(dy, saved, (a as unknown as BnAttrs).epsilon);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/** y, mean, biased variance of a training-mode batch norm over all axes but the last (tensorflow only). */
export function tfBatchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const out = tf.engine().runKernel(TF_BATCH_NORM_TRAIN, { x, gamma, beta }, {
    epsilon,
  } as unknown as NamedAttrMap) as tf.Tensor[];
  tf.dispose(out.slice(3)); // the tape keeps its own references to the reserve spaces
  return [out[0], out[1], out[2]];
}

let registered = false;

/** Register the kernel and its gradient for the tensorflow backend; idempotent. */
export function registerTensorflowTrainingKernels(): void {
  if (registered) return;
  tf.registerKernel(tfBatchNormTrainConfig);
  tf.registerGradient(tfBatchNormTrainGradient);
  registered = true;
}
