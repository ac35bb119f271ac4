import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { rerunPerValue } from "./fresh-process";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { Command } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { UsageError } from "../lib/util/errors";
import { Rng } from "../lib/util/rng";
import { BACKEND_CHOICES, initBackend, type BackendChoice, type BackendInfo } from "../lib/engine/backend";
import { createTrainer, type Trainer } from "./trainer/trainer";
import { REFERENCE_MODELS, type ReferenceModelName } from "./reference-models";

const PEER = path.join(__dirname, "train_peer.py");
const PYTHON = "/usr/bin/python3";
const MODELS_FILE = path.resolve(__dirname, "reference-models.ts");
/** Batches per timed epoch: enough for a stable time, short enough for a shared machine. */
const DEFAULT_STEPS: Record<ReferenceModelName, number> = { small: 8, r25d: 2 };

interface Opts {
  json?: boolean;
  backend?: string;
  models: string;
  threads?: number;
  peer: boolean;
  epochs: number;
  steps?: number;
}

export interface TrainBenchRow {
  model: ReferenceModelName;
  threads: number;
  backend: string;
  trainImgPerS: number;
  inferImgPerS: number;
  peerTrainImgPerS: number | null;
  peerInferImgPerS: number | null;
  trainRatio: number | null;
  inferRatio: number | null;
  /** Images per CPU-second (all threads), less sensitive to other processes on a shared machine. */
  trainImgPerCpuS: number;
  peerTrainImgPerCpuS: number | null;
  /** 1-minute load average when this row started: > cores means the figures are contended. */
  load1: number;
}

/**
 * `lumbar bench train`: train (Adam, batch 32, float32) and infer the two reference models with our
 * engine and with PyTorch on CPU in the same run, 1 thread each and all cores each; epochs
 * alternate between the two sides so both see the same background load; median of >= 3 timed
 * epochs after a warm-up epoch.
 */
export function trainBench(): Command {
  const cmd = new Command("train")
    .description("train/infer img/s of the reference models, our engine vs PyTorch (CPU)")
    .option("--json", "one JSON object per line per model and thread setting")
    .option("--models <list>", "comma-separated: small,r25d", "small,r25d")
    .option(
      "--threads <n>",
      "only this thread count for both sides (default: 1 and all cores)",
      intOption("threads"),
    )
    .option(
      "--backend <name>",
      `ours on this backend (${BACKEND_CHOICES.join("|")}; default: the best that starts)`,
    )
    .option("--no-peer", "skip the PyTorch peer")
    .option("--epochs <n>", "timed epochs per side (median reported, >= 3)", intOption("epochs"), 3)
    .option("--steps <n>", "batches per epoch (default: small 8, r25d 2)", intOption("steps"));
  return withRun<Opts>(cmd, async (opts) => {
    const models = opts.models.split(",").map((s) => s.trim()) as ReferenceModelName[];
    for (const m of models)
      if (!(m in REFERENCE_MODELS)) throw new UsageError(`unknown model "${m}" (small, r25d)`);
    if (opts.epochs < 3) throw new UsageError("--epochs must be at least 3");
    const cores = os.cpus().length;
    const threadSettings = opts.threads ? [opts.threads] : [...new Set([1, cores])];
    if (opts.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(opts.backend))
      throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join("|")}`);
    // TensorFlow fixes its thread pool when it loads: one process per thread setting.
    if (threadSettings.length > 1) return rerunPerValue("--threads", threadSettings);
    const info = await initBackend({
      backend: opts.backend as BackendChoice | undefined,
      threads: threadSettings[0],
    });
    const peerOk = opts.peer && havePeer();
    if (opts.peer && !peerOk)
      console.error(
        `[bench train] PyTorch peer skipped: ${PYTHON} cannot import torch (apt-get install python3-torch)`,
      );
    for (const model of models) {
      for (const threads of threadSettings) {
        const row = await benchOne(model, threads, info, peerOk, opts);
        console.log(opts.json ? JSON.stringify(row) : formatRow(row));
      }
    }
    return 0;
  });
}

function havePeer(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" });
  return r.status === 0;
}

async function benchOne(
  model: ReferenceModelName,
  threads: number,
  info: BackendInfo,
  withPeer: boolean,
  opts: Opts,
): Promise<TrainBenchRow> {
  const backend = info.choice;
  const spec = REFERENCE_MODELS[model];
  const steps = opts.steps ?? DEFAULT_STEPS[model];
  const load1 = os.loadavg()[0];
  const { x, labels } = syntheticBatch(spec.batch, spec.inputShape as unknown as number[], spec.classes, 1);
  const trainer = await createTrainer({
    model: { module: MODELS_FILE, exportName: spec.exportName },
    optimizer: { name: "adam", learningRate: 1e-3 },
    classes: spec.classes,
    // On TensorFlow the threads are its intra-op pool (set at load); the engine's workers are wasm.
    threads: info.tfBackend === "tensorflow" ? 1 : threads,
  });
  const peer = withPeer ? await Peer.start(model, threads, spec.batch) : null;
  try {
    const ours = { train: [] as Timing[], infer: [] as Timing[] };
    const theirs = { train: [] as Timing[], infer: [] as Timing[] };
    // Warm-up (kernel setup, XNNPACK operator creation, allocator growth), then alternate sides.
    await timeOurs(trainer, "train", 1, x, labels);
    await timeOurs(trainer, "infer", 1, x, labels);
    if (peer) {
      await peer.run("train", 1);
      await peer.run("infer", 1);
    }
    for (const phase of ["train", "infer"] as const) {
      for (let e = 0; e < opts.epochs; e++) {
        ours[phase].push(await timeOurs(trainer, phase, steps, x, labels));
        if (peer) theirs[phase].push(await peer.run(phase, steps));
      }
    }
    const images = steps * spec.batch;
    const rate = (ts: Timing[]) => images / median(ts.map((t) => t.seconds));
    const cpuRate = (ts: Timing[]) => images / median(ts.map((t) => t.cpu));
    const trainImgPerS = rate(ours.train),
      inferImgPerS = rate(ours.infer);
    const peerTrain = peer ? rate(theirs.train) : null,
      peerInfer = peer ? rate(theirs.infer) : null;
    return {
      model,
      threads,
      backend,
      trainImgPerS: round(trainImgPerS),
      inferImgPerS: round(inferImgPerS),
      peerTrainImgPerS: peerTrain === null ? null : round(peerTrain),
      peerInferImgPerS: peerInfer === null ? null : round(peerInfer),
      trainRatio: peerTrain === null ? null : round(trainImgPerS / peerTrain, 3),
      inferRatio: peerInfer === null ? null : round(inferImgPerS / peerInfer, 3),
      trainImgPerCpuS: round(cpuRate(ours.train)),
      peerTrainImgPerCpuS: peer ? round(cpuRate(theirs.train)) : null,
      load1: round(load1, 2),
    };
  } finally {
    await trainer.dispose();
    peer?.close();
  }
}

interface Timing {
  seconds: number;
  cpu: number;
}

async function timeOurs(
  trainer: Trainer,
  phase: "train" | "infer",
  steps: number,
  x: Float32Array,
  labels: Int32Array,
): Promise<Timing> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) {
    if (phase === "train") await trainer.trainBatch(x, labels);
    else await trainer.predict(x);
  }
  const c = process.cpuUsage(c0);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 };
}

function syntheticBatch(
  n: number,
  shape: number[],
  classes: number,
  seed: number,
): { x: Float32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(0, classes - 1);
  return { x, labels };
}

/** The PyTorch peer process, driven one epoch at a time over stdin/stdout. */
class Peer {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
  ) {}

  static async start(model: ReferenceModelName, threads: number, batch: number): Promise<Peer> {
    const child = spawn(
      PYTHON,
      [PEER, "--model", model, "--threads", String(threads), "--batch", String(batch)],
      {
        env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
      },
    );
    child.stderr.on("data", (d: Buffer) => process.stderr.write(`[peer] ${d}`));
    const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const peer = new Peer(child, lines);
    const first = await peer.next();
    if (!(first as { ready?: boolean }).ready)
      throw new Error(`PyTorch peer did not start: ${JSON.stringify(first)}`);
    return peer;
  }

  private async next(): Promise<unknown> {
    const r = await this.lines.next();
    if (r.done) throw new Error("PyTorch peer exited early");
    return JSON.parse(r.value);
  }

  async run(phase: "train" | "infer", steps: number): Promise<Timing> {
    this.child.stdin.write(`${phase} ${steps}\n`);
    return (await this.next()) as Timing;
  }

  close(): void {
    this.child.stdin.end("quit\n");
  }
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
  const peer =
    r.peerTrainImgPerS === null
      ? "PyTorch: skipped"
      : `PyTorch ${r.peerTrainImgPerS} / ${r.peerInferImgPerS} img/s; ratio train ${r.trainRatio}x infer ${r.inferRatio}x`;
  return (
    `${r.model.padEnd(5)} threads=${r.threads} ${r.backend}: train ${r.trainImgPerS} img/s, infer ${r.inferImgPerS} img/s | ${peer}` +
    ` | per CPU-second: ours ${r.trainImgPerCpuS}, PyTorch ${r.peerTrainImgPerCpuS ?? "-"} | load1 ${r.load1}`
  );
}
