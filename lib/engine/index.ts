export { initBackend, backendInfo, wasmBinaryDir, BACKEND_CHOICES } from "./backend";
export type { BackendChoice, BackendInfo, InitBackendOptions } from "./backend";
export {
  saveModel,
  loadModel,
  loadWeightsInto,
  fsHandler,
  readModelArtifacts,
  writeFileAtomic,
  MODEL_JSON,
} from "./io";
export { createTrainer } from "./parallel/trainer";
export type { Trainer, TrainerOptions, StepResult, PredictOptions } from "./parallel/trainer";
export { foldBatchNorm } from "./fold";
export type { FoldResult } from "./fold";
export type { ModelSpec } from "./parallel/model-spec";
export { makeOptimizer, setLearningRate } from "./optimizer";
export { FlatAdam } from "./flat-adam";
export type { OptimizerSpec } from "./optimizer";
export { weightedSoftmaxCrossEntropySum, normaliseTargets } from "./loss";
export { registerWasmTrainingKernels } from "./wasm/register";
export { BackendUnavailableError, ModelFileError, TrainerError } from "./errors";
export { buildSmall, buildR25d, REFERENCE_MODELS } from "./reference-models";
export type { ReferenceModelName } from "./reference-models";
