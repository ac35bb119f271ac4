import * as tf from "@tensorflow/tfjs";

/**
 * The two reference architectures of the training benchmark (issue 5), NHWC float32.
 * Builders take no argument so worker_threads can rebuild them from (module path, export name).
 */

/** small: conv3x3 3->16+ReLU, BN, maxpool2, conv3x3 16->32+ReLU, maxpool2, conv3x3 32->64+ReLU, GAP, dense 64->3. Input 64x64x3. */
export function buildSmall(): tf.LayersModel {
  const m = tf.sequential({ name: "small" });
  m.add(
    tf.layers.conv2d({
      inputShape: [64, 64, 3],
      filters: 16,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
    }),
  );
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 3 }));
  return m;
}

/** r25d: input 96x96x5; [32,32,pool][64,64,pool][128,128,pool][256,pool], each conv3x3+BN+ReLU; GAP, dense 256->3. */
export function buildR25d(): tf.LayersModel {
  const m = tf.sequential({ name: "r25d" });
  const stages = [[32, 32], [64, 64], [128, 128], [256]];
  let first = true;
  for (const stage of stages) {
    for (const filters of stage) {
      m.add(
        tf.layers.conv2d({
          ...(first ? { inputShape: [96, 96, 5] } : {}),
          filters,
          kernelSize: 3,
          padding: "same",
          useBias: false,
        }),
      );
      first = false;
      m.add(tf.layers.batchNormalization());
      m.add(tf.layers.reLU());
    }
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 3 }));
  return m;
}

export const REFERENCE_MODELS = {
  small: { build: buildSmall, exportName: "buildSmall", inputShape: [64, 64, 3], classes: 3, batch: 32 },
  r25d: { build: buildR25d, exportName: "buildR25d", inputShape: [96, 96, 5], classes: 3, batch: 32 },
} as const;
export type ReferenceModelName = keyof typeof REFERENCE_MODELS;
