import type { KernelConfig } from "@tensorflow/tfjs";
import { conv2DBackpropFilterConfig } from "./Conv2DBackpropFilter";
import { conv2DBackpropInputConfig } from "./Conv2DBackpropInput";
import { lumbarBatchNormTrainConfig, lumbarBatchNormTrainGradConfig } from "./LumbarBatchNormTrain";
import { maxPoolGradConfig } from "./MaxPoolGrad";
import { tileConfig } from "./Tile";

/** Our wasm training kernels, alphabetical; registered by ../register.ts. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  lumbarBatchNormTrainConfig,
  lumbarBatchNormTrainGradConfig,
  maxPoolGradConfig,
  tileConfig,
];
