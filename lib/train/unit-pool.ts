import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { backendInfo } from "../engine";
import type { CropSampleLike, LocalizerSampleLike, SidePointSampleLike } from "../cache";
import type { JsonlLog } from "./log";
import { progressBar } from "../util/progress";
import { fitJob, isJobDone, loadFinishedJob, UnitTrainingError, type UnitJob } from "./unit-job";
import type { FromUnitWorker, ToUnitWorker, UnitWorkerInit } from "./unit-protocol";
import { startModuleWorker } from "../util/worker";

export interface TrainUnitsOptions {
  /** Worker threads; 1 = train in this thread, one unit after another (per-epoch progress bars). */
  readonly threads: number;
  /** Progress label of the whole batch of units (worker mode), e.g. "train localizers". */
  readonly label: string;
  readonly log?: JsonlLog;
  readonly quiet?: boolean;
  /**
   * How long a worker may take to load its backend and say it is ready (default
   * WORKER_START_TIMEOUT_MS). Past it the pool stops and the units left train in this thread.
   */
  readonly startTimeoutMs?: number;
}

/**
 * A worker starts in 4-8 s (a CUDA build in ~30 s); one that has not after this is stuck (a native
 * library that will not load in a thread, an environment that blocks it), not slow.
 */
export const WORKER_START_TIMEOUT_MS = 180_000;

/** The unit workers did not all start in time; nothing was lost, the units can train in-thread. */
class WorkerStartTimeout extends Error {
  constructor(readonly seconds: number) {
    super(`a unit worker thread did not start within ${seconds} s`);
    this.name = "WorkerStartTimeout";
  }
}

/**
 * Train independent units and return their models in job order. Every unit is seeded by its own
 * seed (initial weights, batches, dropout), so the result does not depend on `threads` or on the
 * order units finish in. Finished units (checkpoint folder marked done) are loaded, not retrained;
 * an interrupted one resumes at its next epoch.
 */
export async function trainUnits(
  jobs: readonly UnitJob[],
  opts: TrainUnitsOptions,
): Promise<tf.LayersModel[]> {
  const todo = jobs.filter((j) => !isJobDone(j));
  // A single unit left gains nothing from a worker but its start-up time.
  if (opts.threads <= 1 || todo.length <= 1) return trainInThread(jobs, opts);
  try {
    await runInWorkers(jobs, todo, opts);
  } catch (e) {
    if (!(e instanceof WorkerStartTimeout)) throw e;
    // A batch run must not hang on a thread that never starts: finished units stay finished, an
    // interrupted one resumes from its last epoch, the rest train here with the same weights.
    console.error(`[units] ${e.message}: training the units left in this thread`);
    return trainInThread(jobs, opts);
  }
  return jobs.map(loadFinishedJob);
}

async function trainInThread(jobs: readonly UnitJob[], opts: TrainUnitsOptions): Promise<tf.LayersModel[]> {
  const models: tf.LayersModel[] = [];
  for (const job of jobs) models.push(await fitJob(job, opts.log, opts.quiet));
  return models;
}

/** Train `todo` on min(threads, todo.length) workers, largest units first; rejects on the first failure. */
async function runInWorkers(
  jobs: readonly UnitJob[],
  todo: readonly UnitJob[],
  opts: TrainUnitsOptions,
): Promise<void> {
  // Longest first evens out the finishing times (the result does not depend on the order).
  const queue = [...todo].sort((a, b) => cost(b) - cost(a));
  const init: UnitWorkerInit = { backend: backendInfo()?.choice ?? tf.getBackend() };
  const bar = progressBar(`${opts.label} (${Math.min(opts.threads, todo.length)} threads)`, jobs.length, {
    quiet: opts.quiet,
  });
  bar.tick(jobs.length - todo.length);
  const workers: Worker[] = [];
  const startTimers: NodeJS.Timeout[] = [];
  const inFlight = new Map<Worker, { id: number; job: UnitJob }>();
  let nextId = 0;
  let finished = 0;
  let last = ""; // the latest epoch any worker finished, shown beside the bar
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const dispatch = (w: Worker) => {
        const job = queue.shift();
        if (!job) return;
        const id = nextId++;
        inFlight.set(w, { id, job });
        w.postMessage({ type: "unit", id, job: compactJob(job) } satisfies ToUnitWorker);
      };
      const unitOf = (w: Worker) => inFlight.get(w)?.job.name ?? "(worker start-up)";
      const startMs = opts.startTimeoutMs ?? WORKER_START_TIMEOUT_MS;
      for (let k = 0; k < Math.min(opts.threads, todo.length); k++) {
        const w = startModuleWorker(__filename, __dirname, "unit-worker", init);
        workers.push(w);
        const startTimer = setTimeout(() => fail(new WorkerStartTimeout(startMs / 1000)), startMs);
        startTimers.push(startTimer);
        w.on("message", (m: FromUnitWorker) => {
          if (failed) return;
          if (m.type === "ready") {
            clearTimeout(startTimer);
            dispatch(w);
          } else if (m.type === "log") {
            opts.log?.write(m.record);
            last = `${String(m.record.unit)} epoch ${Number(m.record.epoch) + 1}`;
            bar.tick(0, { last });
          } else if (m.type === "done") {
            inFlight.delete(w);
            bar.tick(1, { last });
            if (++finished === todo.length) resolve();
            else dispatch(w);
          } else {
            fail(new UnitTrainingError(unitOf(w), m.message, m.stack));
          }
        });
        w.on("error", (e) => fail(new UnitTrainingError(unitOf(w), e.message, e.stack)));
        w.on("exit", (code) => {
          if (finished < todo.length)
            fail(new UnitTrainingError(unitOf(w), `worker thread exited (code ${code}) before finishing`));
        });
      }
    });
  } finally {
    startTimers.forEach(clearTimeout);
    bar.stop();
    await terminateAll(workers);
  }
}

/**
 * Stop the workers, waiting at most 30 s: a thread stuck in a native library's shutdown must not hang
 * the run whose units are all saved (it is left behind, and said so).
 */
async function terminateAll(workers: readonly Worker[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), 30_000);
    timer.unref();
  });
  const stopped = Promise.all(workers.map((w) => w.terminate()));
  if ((await Promise.race([stopped, late])) === "late")
    console.error("[units] a unit worker thread did not stop within 30 s; the run goes on without it");
  clearTimeout(timer);
}

/** Relative training cost of a unit: samples per epoch times epochs. */
function cost(job: UnitJob): number {
  return job.train.length * job.cfg.epochs;
}

/**
 * The job with every typed array in its own buffer: structured clone copies a view's whole
 * underlying buffer, which for crops cut from a shared block would be the whole block per sample.
 * Record references (the kernel's jobs, lib/cache) hold no arrays and go as they are.
 */
function compactJob(job: UnitJob): UnitJob {
  const own = <A extends Float32Array | Uint8Array>(a: A): A =>
    a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as A);
  if (job.kind === "localizer") {
    const fix = (s: LocalizerSampleLike): LocalizerSampleLike =>
      "image" in s ? { ...s, image: own(s.image) } : s;
    return { ...job, train: job.train.map(fix), valid: job.valid.map(fix) };
  }
  // Classifier crops and stage 1b's windows alike: a sample holding a crop, or a record reference.
  const fix = <S extends CropSampleLike | SidePointSampleLike>(s: S): S =>
    "crop" in s ? { ...s, crop: { ...s.crop, data: own(s.crop.data) } } : s;
  if (job.kind === "side-points") return { ...job, train: job.train.map(fix), valid: job.valid.map(fix) };
  return {
    ...job,
    train: job.train.map(fix),
    trainAlternates: job.trainAlternates.map(fix),
    valid: job.valid.map(fix),
  };
}
