export { initBackend, backendInfo, wasmBinaryDir, BACKEND_CHOICES } from "./backend";
export type { BackendChoice, BackendInfo, InitBackendOptions } from "./backend";
export { setLearningRate } from "./optimizer";
export { registerWasmTrainingKernels } from "./wasm/register";
export { BackendUnavailableError } from "./errors";
