import { parentPort, type Worker } from "node:worker_threads";
import { startModuleWorker } from "./worker";

/**
 * Helper threads: worker threads that take studies beside the calling thread (pass 2's placement,
 * the test split's prediction), each with its own backend and copies of the models. A study's result
 * is the same wherever it runs, so the output does not depend on how many helpers there are.
 */

/** Between a helper and the thread that started it: requests carry an id, answers name it. */
export type FromHelper =
  { type: "ready" } | { type: "result"; id: number; result: unknown } | { type: "error"; message: string };

/**
 * A helper starts in a few seconds (its own TensorFlow and models); one that has not after this is
 * stuck, and its studies are done on the calling thread.
 */
const START_TIMEOUT_MS = 120_000;

/** One helper thread on module `name` of `dir`: `call` sends one study's work and resolves with its result. */
export class HelperThread {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve(r: unknown): void; reject(e: Error): void }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(callerFile: string, dir: string, name: string, workerData: unknown) {
    this.worker = startModuleWorker(callerFile, dir, name, workerData);
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(this.fail(new Error(`helper ${name} did not start within ${START_TIMEOUT_MS / 1000} s`))),
        START_TIMEOUT_MS,
      );
      const stop = (e: Error) => {
        clearTimeout(timer);
        reject(this.fail(e));
      };
      this.worker.on("message", (m: FromHelper) => {
        if (m.type === "ready") {
          clearTimeout(timer);
          resolve();
        } else if (m.type === "result") {
          this.settle(m.id, (p) => p.resolve(m.result));
        } else stop(new Error(`helper ${name}: ${m.message}`));
      });
      this.worker.on("error", stop);
      this.worker.on("exit", (code) => stop(new Error(`helper ${name} exited (code ${code})`)));
    });
    this.ready.catch(() => undefined); // seen by the calls that wait on it
  }

  async call<R>(request: object): Promise<R> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const result = new Promise<R>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject }),
    );
    this.worker.postMessage({ ...request, id });
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

  /** Every call waiting and every later one fails with the first failure. */
  private fail(e: Error): Error {
    this.failure ??= e;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(this.failure!));
    return this.failure;
  }
}

/**
 * Helpers for a list of `studies` when `threads` may run at once: threads - 1 of them (the calling
 * thread is the other), none for a single study; `init` (the models as arrays) is built only then.
 */
export function startHelpers(
  threads: number,
  studies: number,
  module: { callerFile: string; dir: string; name: string },
  init: () => unknown,
): HelperThread[] {
  const count = Math.min(threads - 1, studies - 1);
  if (count < 1) return [];
  const data = init();
  return Array.from(
    { length: count },
    () => new HelperThread(module.callerFile, module.dir, module.name, data),
  );
}

/**
 * The helper's side: `start` sets it up (backend, models) and returns how to answer one request;
 * requests are answered one at a time, in the order they came.
 */
export function serveHelper<Q extends object>(start: () => Promise<(request: Q) => Promise<unknown>>): void {
  const port = parentPort!;
  const send = (m: FromHelper) => port.postMessage(m);
  void (async () => {
    let answer: (request: Q) => Promise<unknown>;
    try {
      answer = await start();
    } catch (e) {
      send({ type: "error", message: `start-up: ${(e as Error).message}` });
      return;
    }
    let queue = Promise.resolve();
    port.on("message", (request: Q & { id: number }) => {
      queue = queue.then(async () => {
        try {
          send({ type: "result", id: request.id, result: await answer(request) });
        } catch (e) {
          send({ type: "error", message: (e as Error).message });
        }
      });
    });
    send({ type: "ready" });
  })();
}

/**
 * Run study 0..n-1 of a list on this thread (`here`) and on the helpers at once, each taking the next
 * study when free (a helper keeps two in flight, so it does not wait for this thread to hand it one);
 * `done` sees the results in list order. A helper that fails hands its studies back to this thread.
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
          if (!dead) console.error(`[helpers] ${(e as Error).message}: its studies go to the calling thread`);
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
