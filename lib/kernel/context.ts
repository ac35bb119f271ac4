import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { resolveConfig, weightsConfig, type Profile, type TrainConfig, type TrainOverrides } from "../config";
import { readConfigFile, writeConfigFile } from "../infer";
import { JsonlLog } from "../train/log";
import { defaultThreads } from "../engine";
import { UsageError } from "../util/errors";
import { stageClock } from "../util/stage-clock";

export interface KernelOptions {
  /** Competition-layout folder (train + test). */
  readonly data: string;
  readonly out: string;
  readonly profile: Profile;
  readonly seed?: number;
  readonly overrides?: TrainOverrides;
  readonly quiet?: boolean;
  /** The training inputs' cache folder (lib/cache); default OUT/cache. */
  readonly cache?: string;
  /** Backend description for the report (the caller initialised it). */
  readonly backend?: Record<string, unknown>;
}

/** What every stage of a kernel run shares: the resolved config, where it writes, the log and clock. */
export interface KernelContext {
  readonly opts: KernelOptions;
  readonly config: TrainConfig;
  readonly threads: number;
  /** OUT/checkpoints: the weights folder (lib/infer's format). */
  readonly ckpt: string;
  readonly log: JsonlLog;
  readonly quiet?: boolean;
  /** Wall seconds per stage, summed by `clock`. */
  readonly timings: Record<string, number>;
  /** CPU seconds (user + system, the whole process: worker threads included) per stage. */
  readonly cpuSeconds: Record<string, number>;
  /** Resident set and its peak so far (MB) when each stage ended. */
  readonly memoryMb: Record<string, { rss: number; peakRss: number }>;
  clock<T>(name: string, f: () => Promise<T> | T): Promise<T>;
}

/**
 * Resolve the config, check that OUT/checkpoints (if any) was made with the same one, so a rerun
 * resumes its units, and write config.json. Threads are not compared: they change where units
 * train, not their weights.
 */
export function openRun(opts: KernelOptions): KernelContext {
  const resolved = resolveConfig(opts.profile, {
    ...opts.overrides,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const threads = Math.max(1, resolved.threads ?? defaultThreads());
  const config: TrainConfig = { ...resolved, threads };
  const { timings, cpuSeconds, memoryMb, clock } = stageClock();
  mkdirSync(opts.out, { recursive: true });
  const ckpt = join(opts.out, "checkpoints");
  const previous = readConfigFile(ckpt);
  if (previous && !isDeepStrictEqual(previous, weightsConfig(config))) {
    throw new UsageError(
      `${ckpt} holds checkpoints of a different configuration (profile ${previous.profile}, seed ${previous.seed}); use another --out or delete that folder`,
    );
  }
  writeConfigFile(ckpt, weightsConfig(config));
  const log = new JsonlLog(join(opts.out, "train-log.jsonl"));
  return { opts, config, threads, ckpt, log, quiet: opts.quiet, timings, cpuSeconds, memoryMb, clock };
}
