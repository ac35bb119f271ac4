import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { weightsConfig, type Profile, type WeightsConfig } from "../config";
import { readState } from "../infer";
import { fitJob } from "../train/unit-job";
import { writeFileAtomic } from "../util/atomic-write";
import { LumbarError, UsageError } from "../util/errors";
import { classifierJobs } from "./classifier-stage";
import { openRun, type KernelOptions } from "./context";
import { localizedPass } from "./localized-pass";
import { localizerJobs, sidePointJobs, trainLocalizers } from "./localizer-stage";
import { loadTrain } from "./train-split";
import { jobUnitId, plannedUnits, type PlannedUnit } from "./unit-ids";

/** OUT/plan.json: what `lumbar kernel --plan` writes. */
export const PLAN_FILE = "plan.json";

/** A run cut into units, for running them as separate processes (`--unit ID`) on a shared OUT. */
export interface KernelPlan {
  readonly version: 1;
  /** The competition-layout folder (absolute). */
  readonly data: string;
  readonly profile: Profile;
  /** The resolved config (threads aside: they do not change weights). */
  readonly config: WeightsConfig;
  /** In an order they can run in; `needs` lists the units that must be finished first. */
  readonly units: readonly PlannedUnit[];
}

/** A unit's inputs are not ready: the units it needs have no finished checkpoint yet. */
export class UnitNotReadyError extends LumbarError {
  readonly name = "UnitNotReadyError";
  constructor(
    readonly unit: string,
    readonly missing: readonly string[],
  ) {
    super(`unit ${unit} needs these units finished first: ${missing.join(", ")}`);
  }
}

/** An ID that is not a unit of this run (see `--plan`). */
export class UnknownUnitError extends LumbarError {
  readonly name = "UnknownUnitError";
  constructor(
    readonly unit: string,
    readonly known: readonly string[],
  ) {
    super(`"${unit}" is not a unit of this run; its units: ${known.join(", ")}`);
  }
}

/**
 * Read and prepare the train split (pass 1, to know the folds), write OUT/plan.json and return the
 * plan. Nothing trains.
 */
export async function planKernel(opts: KernelOptions): Promise<KernelPlan> {
  const ctx = openRun(opts);
  const train = await loadTrain(ctx);
  const plan: KernelPlan = {
    version: 1,
    data: resolve(opts.data),
    profile: opts.profile,
    config: weightsConfig(ctx.config),
    units: plannedUnits(train),
  };
  writeFileAtomic(join(opts.out, PLAN_FILE), JSON.stringify(plan, null, 2) + "\n");
  return plan;
}

/**
 * Train one unit of the run into OUT/checkpoints (in this thread), as `runKernel` would train it:
 * the same job, seed and inputs, so a plain kernel on OUT afterwards loads it and writes the same
 * bytes as a single-process run. A classifier unit recomputes its inputs from the finished
 * localizer and side-point checkpoints and the data (their common epoch, the localized pass): nothing else is
 * shared between processes. A finished unit is only loaded.
 */
export async function runUnit(opts: KernelOptions, id: string): Promise<{ unit: string; epochs: number }> {
  const ctx = openRun(opts);
  checkPlannedData(opts);
  const train = await loadTrain(ctx);
  const planned = plannedUnits(train);
  const unit = planned.find((u) => u.id === id);
  if (!unit)
    throw new UnknownUnitError(
      id,
      planned.map((u) => u.id),
    );
  const missing = unit.needs.filter((n) => !readState(join(ctx.ckpt, n)).done);
  if (missing.length) throw new UnitNotReadyError(id, missing);
  const models: tf.LayersModel[] = [];
  let jobs = [...localizerJobs(ctx, train), ...sidePointJobs(ctx, train)];
  if (unit.kind === "classifier") {
    const stage1 = await trainLocalizers(ctx, train); // all finished: loaded at their common epochs
    models.push(...stage1.localizers, ...Object.values(stage1.sidePoints).flat());
    jobs = classifierJobs(ctx, train, await localizedPass(ctx, train, stage1));
  }
  const job = jobs.find((j) => jobUnitId(ctx.ckpt, j) === id)!;
  models.push(await fitJob(job, ctx.log, ctx.quiet));
  tf.dispose(models.flatMap((m) => m.weights.map((w) => w.read())));
  return { unit: id, epochs: readState(job.dir).epoch };
}

/** A plan in OUT made for other data is refused: its units would mix two data sets. */
function checkPlannedData(opts: KernelOptions): void {
  const file = join(opts.out, PLAN_FILE);
  if (!existsSync(file)) return;
  const plan = JSON.parse(readFileSync(file, "utf8")) as Partial<KernelPlan>;
  if (plan.data !== undefined && plan.data !== resolve(opts.data))
    throw new UsageError(
      `${file} was planned for --data ${plan.data}, not ${resolve(opts.data)}: use the same options as --plan`,
    );
}
