import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { withRun } from "../lib/cli/command";
import { isProfile, PROFILES } from "../lib/config";
import { demoDataset } from "../lib/kernel/demo";
import { UsageError } from "../lib/util/errors";

interface Opts {
  data?: string;
  peer?: string;
  out: string;
  profile: string;
  threads: string;
  json?: boolean;
}

const STAGES = [
  "prepareTrain",
  "trainLocalizer",
  "prepareLocalized",
  "trainClassifiers",
  "inference",
] as const;

export interface KernelMemoryRow {
  /** "peer" (the --peer checkout) or "this". */
  readonly version: string;
  readonly data: string;
  readonly trainStudies: number;
  /** The kernel's own peak resident set (report.json peakRssMb: its process's maxRSS), MB. */
  readonly peakRssMb: number;
  /** Per stage: wall and CPU seconds (CPU of the whole process, worker threads included). */
  readonly stages: Record<string, { wallS: number; cpuS: number }>;
  /** Wall and CPU seconds of the five stages, and per train study. */
  readonly wallS: number;
  readonly cpuS: number;
  readonly wallPerTrainStudyS: number;
  readonly cpuPerTrainStudyS: number;
  /** Bytes in OUT/cache (the training inputs' cache; 0 for a version without one). */
  readonly cacheBytes: number;
  readonly load1Start: number;
  readonly load1End: number;
  readonly submissionSha256: string;
}

/**
 * `lumbar bench kernel-memory`: peak memory, time per stage and per train study, and the cache's
 * size of a whole kernel run, each in a fresh process (its own maxRSS), for this checkout and,
 * with --peer DIR, another checkout of the project (e.g. a worktree of main: the version before a
 * change) on the same data folders, in one command. Studies counted from DATA/train_images.
 */
export function kernelMemoryBench(): Command {
  const cmd = new Command("kernel-memory")
    .description("kernel peak RSS, stage times and cache size per data set, this checkout vs --peer")
    .option("--data <dirs>", "comma-separated competition-layout folders (default: the cached demo set)")
    .option("--peer <dir>", "another checkout of this project to run first (the peer), e.g. main's worktree")
    .option("--out <dir>", "scratch folder (emptied per run)", path.join("out", "bench-kernel-memory"))
    .option("--profile <name>", PROFILES.join("|"), "quick")
    .option("--threads <n>", "kernel --threads", String(os.cpus().length))
    .option("--json", "one JSON object per line per run");
  return withRun<Opts>(cmd, async (opts) => {
    if (!isProfile(opts.profile)) throw new UsageError(`--profile must be one of ${PROFILES.join("|")}`);
    const datas = opts.data ? opts.data.split(",").map((d) => path.resolve(d.trim())) : [await demoDataset()];
    const here = path.resolve(__dirname, "..");
    const versions: [string, string][] = [
      ...(opts.peer ? [["peer", path.resolve(opts.peer)] as [string, string]] : []),
      ["this", here],
    ];
    for (const [, root] of versions)
      if (!existsSync(path.join(root, "bin", "lumbar.js")))
        throw new UsageError(`${root} has no bin/lumbar.js`);
    for (const data of datas) {
      for (const [version, root] of versions) {
        const out = path.resolve(opts.out, `${version}-${path.basename(data)}`);
        rmSync(out, { recursive: true, force: true });
        const load1Start = os.loadavg()[0];
        const args = ["kernel", "--data", data, "--out", out, "--profile", opts.profile];
        const r = spawnSync(
          process.execPath,
          [path.join(root, "bin", "lumbar.js"), ...args, "--threads", opts.threads, "--quiet"],
          {
            cwd: root,
            stdio: ["ignore", "ignore", "inherit"],
          },
        );
        if (r.status !== 0) throw new Error(`${version} kernel on ${data} exited with ${r.status}`);
        const row = rowOf(version, data, out, load1Start);
        console.log(opts.json ? JSON.stringify(row) : describe(row));
      }
    }
    return 0;
  });
}

function rowOf(version: string, data: string, out: string, load1Start: number): KernelMemoryRow {
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")) as {
    timings: Record<string, number>;
    cpuSeconds: Record<string, number>;
    peakRssMb: number;
  };
  const trainStudies = readdirSync(path.join(data, "train_images")).length;
  const stages = Object.fromEntries(
    STAGES.map((s) => [s, { wallS: round(report.timings[s] ?? 0), cpuS: round(report.cpuSeconds[s] ?? 0) }]),
  );
  const wallS = STAGES.reduce((a, s) => a + (report.timings[s] ?? 0), 0);
  const cpuS = STAGES.reduce((a, s) => a + (report.cpuSeconds[s] ?? 0), 0);
  return {
    version,
    data,
    trainStudies,
    peakRssMb: report.peakRssMb,
    stages,
    wallS: round(wallS),
    cpuS: round(cpuS),
    wallPerTrainStudyS: round(wallS / trainStudies, 3),
    cpuPerTrainStudyS: round(cpuS / trainStudies, 3),
    cacheBytes: folderBytes(path.join(out, "cache")),
    load1Start: round(load1Start),
    load1End: round(os.loadavg()[0]),
    submissionSha256: createHash("sha256")
      .update(readFileSync(path.join(out, "submission.csv")))
      .digest("hex"),
  };
}

function describe(r: KernelMemoryRow): string {
  const stages = STAGES.map((s) => `${s} ${r.stages[s].wallS}/${r.stages[s].cpuS}`).join(", ");
  return (
    `${r.version} on ${path.basename(r.data)} (${r.trainStudies} train studies): peak RSS ${r.peakRssMb} MB; ` +
    `wall/CPU s ${stages}; total ${r.wallS}/${r.cpuS} s = ${r.wallPerTrainStudyS}/${r.cpuPerTrainStudyS} s per train study; ` +
    `cache ${round(r.cacheBytes / 1e6)} MB; load ${r.load1Start} -> ${r.load1End}; submission ${r.submissionSha256.slice(0, 12)}`
  );
}

function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
}

function round(x: number, digits = 1): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
