import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { UsageError } from "../lib/util/errors";
import { BACKEND_CHOICES, initBackend, type BackendChoice } from "../lib/engine/backend";
import { kerasPython, torchPython, type PeerPython } from "./peer-python";
import { REFERENCE_MODELS, type ReferenceModelName } from "./reference-models";
import { formatProfiles, profileOps } from "./train-profile";
import { ourSide, type SideRun } from "./train-side";

const PEER = path.join(__dirname, "train_peer.py");
const LUMBAR = path.join(__dirname, "..", "bin", "lumbar.js");
/** Batches per timed epoch: enough for a stable time, short enough for a shared machine. */
const DEFAULT_STEPS: Record<ReferenceModelName, number> = { small: 8, r25d: 2 };
/** Our two training paths, then the peers. */
const SIDES = ["graph", "eager", "pytorch", "keras", "keras-xla"] as const;
type SideName = (typeof SIDES)[number];

interface Opts {
  json?: boolean;
  backend?: string;
  models: string;
  threads?: number;
  sides: string;
  peer: boolean;
  repeats: number;
  epochs: number;
  steps?: number;
  side?: string;
  profileOps?: boolean;
}

/** One side over its fresh processes: per process the median epoch, then median and range over processes. */
export interface TrainBenchRow {
  model: ReferenceModelName;
  threads: number;
  side: SideName;
  version: string;
  /** Training images per second: median over the runs, and the slowest and fastest run. */
  trainImgPerS: number;
  trainRange: [number, number];
  inferImgPerS: number;
  inferRange: [number, number];
  /** Training images per CPU-second of the process (all its threads). */
  trainImgPerCpuS: number;
  /** Median training rate relative to Keras tf.function's (null without it). */
  vsKeras: number | null;
  /** 1-minute load average just before each run started (> cores: the figures are contended). */
  loads: number[];
}

/**
 * `lumbar bench train`: the two reference models trained (Adam, batch 32, float32) and run for
 * inference by our graph path (one TensorFlow call per step, as the kernel trains), our eager path
 * (tfjs's ops), PyTorch, and Keras 3 on TensorFlow 2.21 (tf.function, and XLA). Every run is a fresh
 * process and the sides run one after the other, `--repeats` rounds with the order reversed every
 * other round; each run times `--epochs` epochs after a warm-up step (its median epoch counts).
 */
export function trainBench(): Command {
  const cmd = new Command("train")
    .description(
      "train/infer img/s of the reference models: our graph and eager paths vs PyTorch and Keras (CPU)",
    )
    .option("--json", "one JSON object per model, thread count and side")
    .option("--models <list>", "comma-separated: small,r25d", "small,r25d")
    .option("--threads <n>", "only this thread count (default: 1 and all cores)", intOption("threads"))
    .option(
      "--backend <name>",
      `ours on this backend (${BACKEND_CHOICES.join("|")}; default: the best that starts)`,
    )
    .option("--sides <list>", `comma-separated, of ${SIDES.join(",")}`, SIDES.join(","))
    .option("--no-peer", "only our two paths")
    .option("--repeats <n>", "fresh processes per side (order alternated)", intOption("repeats"), 3)
    .option("--epochs <n>", "timed epochs per process (its median counts)", intOption("epochs"), 3)
    .option("--steps <n>", "batches per epoch (default: small 8, r25d 2)", intOption("steps"))
    .option(
      "--profile-ops",
      "instead: ms per op type of one training step, graph vs Keras tf.function (TensorFlow's profiler; --steps traced)",
    )
    .option(
      "--side <name>",
      "run one of our sides (graph|eager) in this process and print its JSON (used by the bench)",
    );
  return withRun<Opts>(cmd, async (opts) => {
    const models = opts.models.split(",").map((s) => s.trim()) as ReferenceModelName[];
    for (const m of models)
      if (!(m in REFERENCE_MODELS)) throw new UsageError(`unknown model "${m}" (small, r25d)`);
    if (opts.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(opts.backend))
      throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join("|")}`);
    if (opts.side !== undefined) return runOurSide(opts, models[0]);
    const threadSettings = opts.threads ? [opts.threads] : [...new Set([1, os.cpus().length])];
    if (opts.profileOps) return profileAll(models, threadSettings, opts.steps ?? 3);
    const sides = parseSides(opts);
    const pythons = peerPythons(sides);
    for (const model of models)
      for (const threads of threadSettings) {
        const rows = await benchOne(model, threads, sides, pythons, opts);
        for (const r of rows) console.log(opts.json ? JSON.stringify(r) : formatRow(r));
      }
    return 0;
  });
}

function parseSides(opts: Opts): SideName[] {
  const sides = opts.sides.split(",").map((s) => s.trim());
  for (const s of sides)
    if (!(SIDES as readonly string[]).includes(s))
      throw new UsageError(`unknown side "${s}" (${SIDES.join(",")})`);
  if (opts.repeats < 1 || opts.epochs < 1) throw new UsageError("--repeats and --epochs must be at least 1");
  const ours =
    opts.backend === undefined || opts.backend.startsWith("tensorflow") ? ["graph", "eager"] : ["eager"];
  if (sides.includes("graph") && !ours.includes("graph"))
    console.error(`[bench train] graph skipped: the graph path needs TensorFlow, not ${opts.backend}`);
  return sides.filter(
    (s) => ours.includes(s) || (opts.peer && !["graph", "eager"].includes(s)),
  ) as SideName[];
}

/** The Python of each peer side asked for; a peer that cannot run here is dropped with the reason. */
function peerPythons(sides: readonly SideName[]): Map<SideName, string> {
  const out = new Map<SideName, string>();
  const found: [SideName[], () => PeerPython][] = [
    [["pytorch"], torchPython],
    [["keras", "keras-xla"], kerasPython],
  ];
  for (const [names, find] of found) {
    const wanted = names.filter((n) => sides.includes(n));
    if (!wanted.length) continue;
    const p = find();
    if ("skip" in p) console.error(`[bench train] ${wanted.join(", ")} skipped: ${p.skip}`);
    else for (const n of wanted) out.set(n, p.python);
  }
  return out;
}

/** `--profile-ops`: each model and thread count profiled on both sides, printed side by side. */
async function profileAll(
  models: ReferenceModelName[],
  threadSettings: number[],
  steps: number,
): Promise<number> {
  const keras = kerasPython();
  if ("skip" in keras) throw new UsageError(`--profile-ops needs the Keras peer: ${keras.skip}`);
  // This process only builds the models and writes the graphs; TensorFlow runs in the profiled ones.
  await initBackend({ backend: "cpu", log: false });
  for (const model of models)
    for (const threads of threadSettings)
      console.log(formatProfiles(model, threads, profileOps(model, threads, steps, keras.python)));
  return 0;
}

/** `--side graph|eager`: one run of our side in this process, its JSON on stdout. */
async function runOurSide(opts: Opts, model: ReferenceModelName): Promise<number> {
  if (opts.side !== "graph" && opts.side !== "eager") throw new UsageError(`--side must be graph or eager`);
  const threads = opts.threads ?? 1;
  const info = await initBackend({ backend: opts.backend as BackendChoice | undefined, threads, log: false });
  if (opts.side === "graph" && info.tfBackend !== "tensorflow")
    throw new UsageError(`the graph path needs TensorFlow; this process runs ${info.choice}`);
  const steps = opts.steps ?? DEFAULT_STEPS[model];
  console.log(JSON.stringify(await ourSide(opts.side, model, info, threads, steps, opts.epochs)));
  return 0;
}

/** Every side `repeats` times, each run a fresh process, the order reversed every other round. */
async function benchOne(
  model: ReferenceModelName,
  threads: number,
  sides: readonly SideName[],
  pythons: ReadonlyMap<SideName, string>,
  opts: Opts,
): Promise<TrainBenchRow[]> {
  const runnable = sides.filter((s) => s === "graph" || s === "eager" || pythons.has(s));
  const runs = new Map<SideName, { run: SideRun; load: number }[]>(runnable.map((s) => [s, []]));
  for (let round = 0; round < opts.repeats; round++) {
    const order = round % 2 === 0 ? runnable : [...runnable].reverse();
    for (const side of order) {
      const load = os.loadavg()[0];
      runs.get(side)!.push({ run: await runProcess(side, model, threads, pythons, opts), load });
    }
  }
  const steps = opts.steps ?? DEFAULT_STEPS[model];
  const images = steps * REFERENCE_MODELS[model].batch;
  const rows = runnable.map((side) => summarise(model, threads, side, runs.get(side)!, images));
  const keras = rows.find((r) => r.side === "keras");
  for (const r of rows) r.vsKeras = keras ? round(r.trainImgPerS / keras.trainImgPerS, 2) : null;
  return rows;
}

function summarise(
  model: ReferenceModelName,
  threads: number,
  side: SideName,
  runs: { run: SideRun; load: number }[],
  images: number,
): TrainBenchRow {
  // Per process: images over its median epoch; over processes: median and range.
  const perRun = (pick: (r: SideRun) => number[]) => runs.map(({ run }) => images / median(pick(run)));
  const train = perRun((r) => r.train.map((t) => t.seconds));
  const infer = perRun((r) => r.infer.map((t) => t.seconds));
  const cpu = perRun((r) => r.train.map((t) => t.cpu));
  return {
    model,
    threads,
    side,
    version: runs[0].run.version,
    trainImgPerS: round(median(train)),
    trainRange: [round(Math.min(...train)), round(Math.max(...train))],
    inferImgPerS: round(median(infer)),
    inferRange: [round(Math.min(...infer)), round(Math.max(...infer))],
    trainImgPerCpuS: round(median(cpu)),
    vsKeras: null,
    loads: runs.map((r) => round(r.load, 2)),
  };
}

/** One run of one side in a fresh process; its JSON is the last line of its stdout. */
async function runProcess(
  side: SideName,
  model: ReferenceModelName,
  threads: number,
  pythons: ReadonlyMap<SideName, string>,
  opts: Opts,
): Promise<SideRun> {
  const steps = String(opts.steps ?? DEFAULT_STEPS[model]);
  const common = ["--threads", String(threads), "--steps", steps, "--epochs", String(opts.epochs)];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  delete env.TF_NUM_INTRAOP_THREADS; // ours: initBackend's threads; Keras: set in the script
  // The same TensorFlow kernels for Keras as for us (initBackend turns oneDNN on where TensorFlow would not).
  env.TF_ENABLE_ONEDNN_OPTS ??= "1";
  const [cmd, args] =
    side === "graph" || side === "eager"
      ? [
          process.execPath,
          [
            LUMBAR,
            "bench",
            "train",
            "--side",
            side,
            "--models",
            model,
            ...common,
            ...(opts.backend ? ["--backend", opts.backend] : []),
          ],
        ]
      : [
          pythons.get(side)!,
          [PEER, "--framework", side === "pytorch" ? "torch" : side, "--model", model, ...common],
        ];
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  const line = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{"))
    throw new Error(`bench train: side ${side} exited ${code}: ${(stderr || stdout).slice(-800)}`);
  const run = JSON.parse(line) as SideRun & { framework?: string };
  return { ...run, side };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function formatRow(r: TrainBenchRow): string {
  const vs = r.vsKeras === null ? "" : ` | ${r.vsKeras}x Keras`;
  return (
    `${r.model.padEnd(5)} threads=${r.threads} ${r.side.padEnd(9)}: train ${r.trainImgPerS} img/s [${r.trainRange.join("-")}], ` +
    `infer ${r.inferImgPerS} [${r.inferRange.join("-")}], ${r.trainImgPerCpuS} img/CPU-s${vs} | load before each run ${r.loads.join(", ")} | ${r.version}`
  );
}
