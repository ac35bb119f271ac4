export { initBackend, backendInfo, defaultThreads, wasmBinaryDir, BACKEND_CHOICES } from "./backend";
export type { BackendChoice, BackendInfo, InitBackendOptions } from "./backend";
export { setLearningRate } from "./optimizer";
export { FlatAdam } from "./flat-adam";
export { registerWasmTrainingKernels } from "./wasm/register";
export { BackendUnavailableError, TrainerError } from "./errors";
