import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BackendUnavailableError } from "./errors";
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
  /** Threads one backend instance computes with (wasm in Node: 1; use lib/engine/parallel for more). */
  threads: number;
  /** Cores of this machine, for data-parallel training over worker_threads. */
  cores: number;
}

export interface InitBackendOptions {
  /** Force one backend; default: env LUMBAR_BACKEND, else the best that starts. */
  backend?: BackendChoice;
  /** Log the choice (once per process); default true. */
  log?: boolean;
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
    const why = await tryStart(choice);
    if (why === null) {
      const reason = forced
        ? `forced by ${opts.backend ? "option" : "LUMBAR_BACKEND"}`
        : failures.length
          ? `best available (${failures.join("; ")})`
          : "best available";
      current = { choice, tfBackend: tf.getBackend(), reason, threads: 1, cores: os.cpus().length };
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

/** Start one backend; null on success, else the reason it cannot run here. */
async function tryStart(choice: BackendChoice): Promise<string | null> {
  try {
    switch (choice) {
      case "tensorflow-gpu": {
        // tfjs-node-gpu registers the "tensorflow" backend; it only counts if it sees a GPU.
        // Optional dependency, absent where libtensorflow could not be downloaded at install.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("@tensorflow/tfjs-node-gpu");
        if (!(await tf.setBackend("tensorflow"))) return "tfjs-node-gpu did not start";
        const usesGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
        return usesGpu ? null : "tfjs-node-gpu loaded but sees no GPU";
      }
      case "tensorflow":
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("@tensorflow/tfjs-node");
        return (await tf.setBackend("tensorflow")) ? null : "tfjs-node did not start";
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
