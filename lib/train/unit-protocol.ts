import type { UnitJob } from "./unit-job";

/** Messages between the kernel (main thread) and its training workers (unit-worker.ts). */
export interface UnitWorkerInit {
  /** The main thread's backend choice: the same kernels give the same floats. */
  readonly backend: string;
}

export type ToUnitWorker = { type: "unit"; id: number; job: UnitJob } | { type: "close" };

export type FromUnitWorker =
  | { type: "ready" }
  | { type: "log"; id: number; record: Record<string, unknown> }
  | { type: "done"; id: number; seconds: number }
  | { type: "error"; id?: number; message: string; stack?: string };
