import type { Worker } from "node:worker_threads";
import type * as tf from "@tensorflow/tfjs";
import type { SideFamily } from "../study";
import type { LevelChainPrior } from "../models";
import { startModuleWorker } from "../util/worker";
import type { Pass2Settings } from "./pass2-study";
import type { FromPass2Worker, ToPass2Worker } from "./pass2-worker";

/** One fold's weights as they cross to a pass-2 worker (each model's tensors in model.weights order). */
export interface FoldWeights {
  /** Per family, the fold's side-point net; null when the family has none (points keep their projection). */
  readonly sidePoints: Readonly<Record<SideFamily, Float32Array[] | null>>;
  readonly localizer: Float32Array[];
  readonly prior: LevelChainPrior | null;
}

/** What a pass-2 worker starts with: the main thread's backend (same kernels, same floats) and the models. */
export interface Pass2WorkerInit {
  readonly backend: string;
  readonly settings: Pass2Settings;
  readonly folds: readonly FoldWeights[];
}

/** A model's weights as plain arrays. */
export function weightArrays(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

/**
 * A worker starts in a few seconds (its own TensorFlow); one that has not after this is stuck, and
 * its studies are done on the kernel's thread.
 */
const START_TIMEOUT_MS = 120_000;

/** A pass-2 worker thread: `call` sends one study's work and resolves with its result. */
export class Pass2Worker {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve(r: unknown): void; reject(e: Error): void }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(init: Pass2WorkerInit) {
    this.worker = startModuleWorker(__filename, __dirname, "pass2-worker", init);
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(this.fail(new Error(`a pass-2 worker did not start within ${START_TIMEOUT_MS / 1000} s`))),
        START_TIMEOUT_MS,
      );
      this.worker.on("message", (m: FromPass2Worker) => {
        if (m.type === "ready") {
          clearTimeout(timer);
          resolve();
        } else if (m.type === "result") {
          this.settle(m.id, (p) => p.resolve(m.result));
        } else {
          const e = this.fail(new Error(`pass-2 worker: ${m.message}`));
          clearTimeout(timer);
          reject(e);
        }
      });
      this.worker.on("error", (e) => {
        clearTimeout(timer);
        reject(this.fail(e));
      });
      this.worker.on("exit", (code) => {
        clearTimeout(timer);
        reject(this.fail(new Error(`pass-2 worker exited (code ${code})`)));
      });
    });
    this.ready.catch(() => undefined); // seen by the calls that wait on it
  }

  async call<R>(msg: ToPass2Worker): Promise<R> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const result = new Promise<R>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject }),
    );
    this.worker.postMessage({ ...msg, id });
    return result;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private settle(id: number, f: (p: { resolve(r: unknown): void; reject(e: Error): void }) => void): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (p) f(p);
  }

  /** Every call waiting and every later one fails with `e` (the first failure is kept). */
  private fail(e: Error): Error {
    this.failure ??= e;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(this.failure!));
    return this.failure;
  }
}

/**
 * Run study 0..n-1 of a list on this thread (`here`) and on the helpers at once, each taking the next
 * study when free (a helper keeps two in flight, so it does not wait for this thread to hand it one);
 * `done` sees the results in list order. A helper that fails hands its studies back to this thread:
 * every study's result is the same wherever it ran.
 */
export async function shareStudies<R>(
  n: number,
  here: (i: number) => Promise<R>,
  helpers: readonly ((i: number) => Promise<R>)[],
  done: (i: number, r: R) => void,
): Promise<void> {
  const results = new Map<number, R>();
  let next = 0;
  let flushed = 0;
  const finish = (i: number, r: R) => {
    results.set(i, r);
    for (; results.has(flushed); flushed++) {
      done(flushed, results.get(flushed)!);
      results.delete(flushed);
    }
  };
  const loop = async (run: (i: number) => Promise<R>) => {
    for (let i = next++; i < n; i = next++) finish(i, await run(i));
  };
  // A study here may never leave the microtask queue (its reads resolve at once): yield to the event
  // loop before each, so the helpers' answers are taken and they are handed their next study.
  const yielding = (run: (i: number) => Promise<R>) => async (i: number) => {
    await new Promise((resolve) => setImmediate(resolve));
    return run(i);
  };
  const orHere = (helper: (i: number) => Promise<R>) => {
    let dead = false;
    return async (i: number) => {
      if (!dead) {
        try {
          return await helper(i);
        } catch (e) {
          if (!dead) console.error(`[pass 2] ${(e as Error).message}: its studies go to the kernel's thread`);
          dead = true;
        }
      }
      return here(i);
    };
  };
  await Promise.all([
    loop(yielding(here)),
    ...helpers.flatMap((h) => {
      const run = orHere(h);
      return [loop(run), loop(run)];
    }),
  ]);
}
