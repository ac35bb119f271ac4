import { spawn } from "node:child_process";
import * as path from "node:path";
import { Command } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { BACKEND_CHOICES, type BackendChoice } from "../lib/engine";
import { isProfile, PROFILES } from "../lib/config";
import { demoDataset } from "../lib/kernel/demo";
import { UsageError } from "../lib/util/errors";
import type { KernelThreadsRow } from "./kernel-threads";

interface Opts {
  data?: string;
  out: string;
  profile: string;
  sides: string;
  locEpochs?: number;
  clsEpochs?: number;
  json?: boolean;
}

/** One way to run the kernel: a backend, its training path, unit workers, TensorFlow's intra-op threads. */
interface Side {
  label: string;
  backend: BackendChoice;
  /** On TensorFlow: eager = tfjs's eager training steps (LUMBAR_TRAIN=eager) instead of the graph path. */
  eager: boolean;
  /** Units trained at once (the kernel's --threads); undefined = the kernel's default for the backend. */
  workers?: number;
  /** TF_NUM_INTRAOP_THREADS; undefined = TensorFlow's default (every core). */
  intra?: number;
}

export interface KernelBackendsRow extends KernelThreadsRow {
  side: string;
  /** Seconds per epoch of one unit, averaged over the run: training wall time / epochs trained. */
  locSecondsPerEpoch: number;
  clsSecondsPerEpoch: number;
  /** Wall of the whole run, and classifier time per epoch, relative to the last side (the peer). */
  wallRatio: number;
  clsEpochRatio: number;
  locEpochRatio: number;
}

/**
 * `lumbar bench kernel-backends`: the whole kernel (data, both stages, CV, inference) on the same data
 * and config with each backend, one fresh process per side (a process loads one backend), sides in
 * the order given; the last side is the peer the ratios are taken against. Each side's row is the
 * child's `bench kernel-threads` row (wall and CPU seconds, stage times, scores, submission hash).
 */
export function kernelBackendsBench(): Command {
  const cmd = new Command("kernel-backends")
    .description("the whole kernel on native TensorFlow vs wasm, same data and config, wall and CPU seconds")
    .option("--data <dir>", "competition-layout folder (default: the cached demo set)")
    .option(
      "--out <dir>",
      "scratch folder (one subfolder per side, emptied)",
      path.join("out", "bench-kernel-backends"),
    )
    .option("--profile <name>", PROFILES.join("|"), "quick")
    .option(
      "--sides <list>",
      "comma-separated BACKEND[/eager][:WORKERSxINTRA], e.g. tensorflow:2x1 (2 unit workers, 1 TensorFlow thread each), tensorflow/eager:2x1 (tfjs's eager steps instead of the graph path); last = peer",
      "tensorflow,wasm",
    )
    .option("--loc-epochs <n>", "localizer epochs (default: the profile's)", intOption("loc-epochs"))
    .option("--cls-epochs <n>", "classifier epochs (default: the profile's)", intOption("cls-epochs"))
    .option("--json", "one JSON object per side");
  return withRun<Opts>(cmd, async (opts) => {
    if (!isProfile(opts.profile)) throw new UsageError(`--profile must be one of ${PROFILES.join("|")}`);
    const sides = opts.sides.split(",").map(parseSide);
    const data = opts.data ? path.resolve(opts.data) : await demoDataset();
    const rows: KernelThreadsRow[] = [];
    for (const side of sides) rows.push(await runSide(side, data, opts));
    const peer = rows[rows.length - 1];
    const perEpoch = (r: KernelThreadsRow) => ({
      loc: r.trainLocalizerS / Math.max(1, r.locEpochsTrained),
      cls: r.trainClassifiersS / Math.max(1, r.clsEpochsTrained),
    });
    rows.forEach((r, i) => {
      const e = perEpoch(r),
        p = perEpoch(peer);
      const row: KernelBackendsRow = {
        ...r,
        side: sides[i].label,
        locSecondsPerEpoch: round(e.loc, 3),
        clsSecondsPerEpoch: round(e.cls, 3),
        wallRatio: round(r.wallS / peer.wallS, 3),
        locEpochRatio: round(e.loc / p.loc, 3),
        clsEpochRatio: round(e.cls / p.cls, 3),
      };
      console.log(opts.json ? JSON.stringify(row) : formatRow(row, sides[sides.length - 1].label));
    });
    return 0;
  });
}

function parseSide(text: string): Side {
  const m = /^([a-z-]+)(\/eager)?(?::(\d+)x(\d+))?$/.exec(text.trim());
  if (!m || !(BACKEND_CHOICES as readonly string[]).includes(m[1]))
    throw new UsageError(
      `--sides: "${text}" is not BACKEND[/eager][:WORKERSxINTRA] with BACKEND one of ${BACKEND_CHOICES.join("|")}`,
    );
  return {
    label: text.trim(),
    backend: m[1] as BackendChoice,
    eager: m[2] !== undefined,
    workers: m[3] ? Number(m[3]) : undefined,
    intra: m[4] ? Number(m[4]) : undefined,
  };
}

/** Runs `bench kernel-threads` for one side in a fresh process and returns its JSON row. */
async function runSide(side: Side, data: string, opts: Opts): Promise<KernelThreadsRow> {
  const args = [
    path.join(__dirname, "..", "bin", "lumbar.js"),
    "bench",
    "kernel-threads",
    "--json",
    "--data",
    data,
    "--profile",
    opts.profile,
    "--out",
    path.resolve(opts.out, side.label.replace(/[^a-z0-9-]/gi, "_")),
    ...(side.workers !== undefined ? ["--threads", String(side.workers)] : ["--threads", "default"]),
    ...(opts.locEpochs !== undefined ? ["--loc-epochs", String(opts.locEpochs)] : []),
    ...(opts.clsEpochs !== undefined ? ["--cls-epochs", String(opts.clsEpochs)] : []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, LUMBAR_BACKEND: side.backend };
  if (side.eager) env.LUMBAR_TRAIN = "eager";
  else delete env.LUMBAR_TRAIN;
  if (side.intra !== undefined) env.TF_NUM_INTRAOP_THREADS = String(side.intra);
  else delete env.TF_NUM_INTRAOP_THREADS;
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  const line = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{"))
    throw new Error(`side ${side.label}: bench kernel-threads exited ${code}: ${stdout.slice(-500)}`);
  return JSON.parse(line) as KernelThreadsRow;
}

function formatRow(r: KernelBackendsRow, peer: string): string {
  return (
    `${r.side.padEnd(16)} ${r.backend} ${r.trainPath} (${r.threads} unit threads x ${r.intraOpThreads} intra-op): ` +
    `wall ${r.wallS} s, cpu ${r.cpuS} s (x${r.wallRatio} of ${peer}); ` +
    `localizers ${r.trainLocalizerS} s (${r.locSecondsPerEpoch} s/epoch, x${r.locEpochRatio}), ` +
    `classifiers ${r.trainClassifiersS} s (${r.clsSecondsPerEpoch} s/epoch, x${r.clsEpochRatio}), ` +
    `inference ${r.inferenceS} s; cv ${r.cvScore?.toFixed(4) ?? "n/a"} test ${r.testScore?.toFixed(4) ?? "n/a"}; ` +
    `load ${r.load1Start} -> ${r.load1End}`
  );
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
