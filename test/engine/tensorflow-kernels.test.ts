import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { TF_BATCH_NORM_TRAIN } from "../../lib/engine/tensorflow/batchnorm";
import { haveNativeTensorflow } from "../helpers/native";
import { batchNormLayerStep, onBackend, relError } from "./parity";

// tfjs-layers' BatchNormalization in training mode runs as TensorFlow's FusedBatchNormV3 and
// FusedBatchNormGradV3 on the native backend; tfjs's pure-JS cpu backend (moments + batchNorm, the
// layer's own code) is the reference for the loss, the gradients and the moving statistics.
describe.skipIf(!haveNativeTensorflow())(
  "BatchNormalization layer in training mode on tensorflow (fused kernels)",
  () => {
    beforeAll(async () => {
      await initBackend({ backend: "tensorflow", log: false });
    });

    it.each([
      { shape: [4, 5, 3, 6] },
      { shape: [1, 7, 9, 16] },
      { shape: [32, 12, 12, 8] },
      { shape: [8, 10] },
    ])("gradients and moving statistics match the cpu backend, input $shape", async ({ shape }) => {
      const run = batchNormLayerStep(shape);
      const kernels: string[] = [];
      const ref = await onBackend("cpu", run);
      const profile = await tf.profile(() => void run());
      kernels.push(...profile.kernels.map((k) => k.name));
      const got = run();
      // loss, dx, dgamma, dbeta, moving mean, moving variance
      for (let i = 0; i < ref.length; i++) expect(relError(got[i], ref[i]), `output ${i}`).toBeLessThan(1e-4);
      // 4-D inputs take the fused kernel; others keep tfjs-layers' own path.
      expect(kernels.includes(TF_BATCH_NORM_TRAIN)).toBe(shape.length === 4);
    });

    it("leaves no tensors behind", () => {
      const layer = tf.layers.batchNormalization();
      layer.build([2, 3, 3, 4]);
      const x = tf.variable(tf.randomNormal([2, 3, 3, 4], 0, 1, "float32", 3));
      const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
      const step = () => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
          vars,
        );
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
    });
  },
);
