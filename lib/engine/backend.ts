import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BackendUnavailableError } from "./errors";
import { installFastBatchNorm } from "./batchnorm-layer";
import { registerTensorflowTrainingKernels } from "./tensorflow/batchnorm";
import { registerWasmTrainingKernels } from "./wasm/register";
import { readEnv } from "../util/env";

/** Backends in order of preference; "tensorflow" is tfjs-node's name for libtensorflow (CPU or GPU). */
export const BACKEND_CHOICES = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** What was chosen (tensorflow-gpu = tfjs-node-gpu that sees a GPU). */
  choice: BackendChoice;
  /** tfjs's own backend name: "tensorflow", "wasm" or "cpu". */
  tfBackend: string;
  /** Why this one: forced, or what the better ones failed with. */
  reason: string;
  /**
   * Threads one backend instance computes with: TensorFlow's intra-op pool on tensorflow(-gpu)
   * (TF_NUM_INTRAOP_THREADS, default 1), 1 on wasm/cpu (tfjs 4.22 disables wasm threads in Node).
   */
  threads: number;
  /** TensorFlow's own version (libtensorflow the binding loaded), null off the native backends. */
  tensorflowVersion: string | null;
  /** Whether TensorFlow placed ops on a GPU. */
  gpu: boolean;
  /** Cores of this machine, for data-parallel training over worker_threads. */
  cores: number;
}

export interface InitBackendOptions {
  /** Force one backend; default: env LUMBAR_BACKEND, else the best that starts. */
  backend?: BackendChoice;
  /** Log the choice (once per process); default true. */
  log?: boolean;
  /**
   * TensorFlow intra-op threads, applied before libtensorflow loads; default: TF_NUM_INTRAOP_THREADS
   * if set, else 1. The kernel's cores go to unit workers instead: with our small models one
   * thread per op beats a pool that wakes per op (bench kernel-backends: 2 workers x 1 thread trained
   * the quick profile 1.2x faster than 2 x 2 and 3.5x faster than 1 x 2), and results then do not
   * depend on the machine's core count.
   */
  threads?: number;
}

let current: BackendInfo | null = null;

/** The folder holding the wasm binaries; setWasmPaths takes a file-system prefix in Node. */
export function wasmBinaryDir(): string {
  const main = require.resolve("@tensorflow/tfjs-backend-wasm");
  return path.dirname(main) + path.sep;
}

/** The backend chosen by initBackend, or null before it ran. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/**
 * Pick and start the best backend, once per process; later calls return the first result
 * (a different forced choice then throws). Call it before creating any tensor: tensors made
 * earlier live on tfjs's default backend and would be copied over at every use.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const forced = opts.backend ?? parseEnvChoice(readEnv("LUMBAR_BACKEND"));
  if (current) {
    if (forced && forced !== current.choice) {
      throw new BackendUnavailableError(forced, `backend already initialised as "${current.choice}"`);
    }
    return current;
  }
  // Read the engine's counter directly: tf.memory() would start a default backend by itself.
  const early = (tf.engine().state as unknown as { numTensors: number }).numTensors;
  if (early > 0 && opts.log !== false) {
    console.error(
      `[engine] warning: ${early} tensor(s) exist before initBackend; they stay on their backend and are copied at each use`,
    );
  }
  const candidates: readonly BackendChoice[] = forced ? [forced] : BACKEND_CHOICES;
  const failures: string[] = [];
  for (const choice of candidates) {
    const why = await tryStart(choice, opts.threads);
    if (why === null) {
      const reason = forced
        ? `forced by ${opts.backend ? "option" : "LUMBAR_BACKEND"}`
        : failures.length
          ? `best available (${failures.join("; ")})`
          : "best available";
      current = { choice, tfBackend: tf.getBackend(), reason, cores: os.cpus().length, ...nativeFacts() };
      if (opts.log !== false) {
        console.error(
          `[engine] backend=${choice} (tfjs "${current.tfBackend}") threads/backend=${current.threads} ` +
            `cores=${current.cores}: ${reason}`,
        );
      }
      return current;
    }
    failures.push(`${choice}: ${why}`);
    if (forced) throw new BackendUnavailableError(choice, why);
  }
  throw new BackendUnavailableError("any", failures.join("; "));
}

function parseEnvChoice(value: string | undefined): BackendChoice | undefined {
  if (value === undefined || value === "") return undefined;
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new BackendUnavailableError(value, `LUMBAR_BACKEND must be one of ${BACKEND_CHOICES.join(", ")}`);
}

/** The binding's view of libtensorflow (tfjs-node's backend object is untyped in tfjs's API). */
interface NativeBackend {
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string };
}

function nativeFacts(): Pick<BackendInfo, "threads" | "tensorflowVersion" | "gpu"> {
  if (tf.getBackend() !== "tensorflow") return { threads: 1, tensorflowVersion: null, gpu: false };
  const b = tf.backend() as unknown as NativeBackend;
  return {
    threads: Number(process.env.TF_NUM_INTRAOP_THREADS) || 1,
    tensorflowVersion: b.binding?.TF_Version ?? null,
    gpu: b.isUsingGpuDevice === true,
  };
}

/**
 * The default number of threads (the kernel's units, pass 2, the test split): one per core, each worker computing on one thread (wasm,
 * or TensorFlow with one intra-op thread, initBackend's default): with small models that beats one
 * process with a pool, which wakes its threads per op and cannot overlap its own JS (batches,
 * augmentation) with the compute (bench kernel-backends). On a GPU one unit at a time.
 */
export function defaultThreads(): number {
  if (backendInfo()?.gpu) return 1;
  return Math.max(1, os.cpus().length);
}

/** Where scripts/native-tf.sh puts the binding inside the package (N-API 8). */
const NATIVE_BINDING = path.join("lib", "napi-v8", "tfjs_binding.node");

/** Where a native package is installed (null: not installed) and whether native-tf.sh built its binding. */
export function nativeInstall(pkg: string): { dir: string | null; binding: boolean } {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return { dir: null, binding: false };
  }
  return { dir, binding: fs.existsSync(path.join(dir, NATIVE_BINDING)) };
}

/** Present whenever the NVIDIA kernel driver is loaded (bare metal, containers with GPUs passed in). */
const NVIDIA_DRIVER = ["/proc/driver/nvidia/version", "/dev/nvidiactl"];

/** The native packages, best first; each is a build of scripts/native-tf.sh (npm ci installs no binding). */
const NATIVE_PACKAGES = {
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
} as const;

/**
 * Load a native package. TensorFlow reads its thread settings and log level from the environment
 * once, when the library loads, so they are set first (a user's own values win).
 */
async function startNative(choice: keyof typeof NATIVE_PACKAGES, threads?: number): Promise<string | null> {
  // Loading the CUDA build costs seconds and a GiB of mappings: only where an NVIDIA driver runs.
  if (choice === "tensorflow-gpu" && !NVIDIA_DRIVER.some((f) => fs.existsSync(f)))
    return `no NVIDIA driver (${NVIDIA_DRIVER.join(", ")} absent)`;
  // One libtensorflow per process: a build already mapped (by this thread, or by the main thread for
  // a unit worker) is the one to bind; a GPU build that saw no GPU serves the CPU.
  const pkg = loadedNativePackage() ?? NATIVE_PACKAGES[choice];
  const script = `bash scripts/native-tf.sh${choice === "tensorflow-gpu" ? " --gpu" : ""}`;
  const install = nativeInstall(pkg);
  if (install.dir === null) return `${pkg} not installed (npm ci, then ${script})`;
  // Checked before loading: a package without its binding registers its kernels, then throws.
  if (!install.binding) return `${pkg} has no built binding (${script})`;
  if (threads !== undefined) process.env.TF_NUM_INTRAOP_THREADS = String(threads);
  else process.env.TF_NUM_INTRAOP_THREADS ??= "1";
  // Graph training runs sessions (lib/engine/graph); a negative inter-op count makes each session
  // run its ops in the calling thread, each unit worker's own, instead of handing every step to a
  // process-wide pool (unset: one pool thread per core, shared by all workers' sessions).
  process.env.TF_NUM_INTEROP_THREADS ??= "-1";
  // oneDNN's kernels for convolutions, batch norm and pooling, eager and graph alike: TensorFlow turns
  // them on by itself only on CPUs with AVX-512 VNNI/BF16 or AMX, and on an AVX2 machine they train
  // our models 1.3-2.3x faster per CPU-second than its Eigen kernels (bench train-step).
  process.env.TF_ENABLE_ONEDNN_OPTS ??= "1";
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2"; // no INFO/WARNING banners (oneDNN, CPU features, cuInit)
  // TensorFlow reserves nearly all GPU memory per context by default; unit workers each have one.
  process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= "true";
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(pkg);
  if (!(await tf.setBackend("tensorflow"))) return `${pkg} did not start`;
  registerTensorflowTrainingKernels();
  installFastBatchNorm();
  if (choice === "tensorflow-gpu" && !(tf.backend() as unknown as NativeBackend).isUsingGpuDevice)
    return "tfjs-node-gpu loaded but sees no GPU";
  return null;
}

/**
 * The native package whose libtensorflow this process has mapped (by any thread), or null. A GPU
 * build that saw no GPU serves the CPU, and the kernel's unit workers must then load that one too.
 */
export function loadedNativePackage(): string | null {
  let maps: string;
  try {
    maps = fs.readFileSync("/proc/self/maps", "utf8");
  } catch {
    return null; // not Linux: nothing to share between threads here
  }
  return Object.values(NATIVE_PACKAGES).find((pkg) => maps.includes(`${pkg}/deps/lib/libtensorflow`)) ?? null;
}

/** Start one backend; null on success, else the reason it cannot run here. */
async function tryStart(choice: BackendChoice, threads?: number): Promise<string | null> {
  try {
    switch (choice) {
      case "tensorflow-gpu":
      case "tensorflow":
        return await startNative(choice, threads);
      case "wasm":
        setWasmPathsOnce();
        registerWasmTrainingKernels();
        return (await tf.setBackend("wasm")) ? null : "wasm backend did not start";
      case "cpu":
        return (await tf.setBackend("cpu")) ? null : "cpu backend did not start";
    }
  } catch (e) {
    return firstLine(e);
  }
}

let wasmPathsSet = false;
function setWasmPathsOnce(): void {
  if (wasmPathsSet) return;
  setWasmPaths(wasmBinaryDir());
  wasmPathsSet = true;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find module/.test(msg)) return "not installed";
  return msg.split("\n")[0];
}
