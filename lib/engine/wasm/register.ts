import * as tf from "@tensorflow/tfjs";
import { WASM_TRAINING_KERNELS } from "./kernels";
import { captureStockKernels } from "./stock";
import { installFastBatchNorm } from "../batchnorm-layer";
import { lumbarBatchNormTrainGradient } from "./kernels/LumbarBatchNormTrain";

let registered = false;

/**
 * Register our training kernels for the wasm backend, replacing stock ones of the same name
 * (tfjs warns on a duplicate registration, so the stock config is removed first). Idempotent.
 * Must run before the wasm backend initialises: setupFunc hooks run at backend start.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  captureStockKernels();
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, "wasm")) tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel(config);
  }
  tf.registerGradient(lumbarBatchNormTrainGradient);
  installFastBatchNorm();
  registered = true;
}
