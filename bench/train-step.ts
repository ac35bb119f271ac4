import { rerunPerValue } from "./fresh-process";
import * as tf from "@tensorflow/tfjs";
import { Command } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { BACKEND_CHOICES, initBackend } from "../lib/engine";
import { buildLocalizer } from "../lib/models/localizer";
import { classifierSpec, isProfile, localizerSpec, PROFILES, resolveConfig } from "../lib/config";
import { buildFamilyClassifier } from "../lib/infer";
import { classifierLoss, createStepper, localizerLoss, type Batch, type TrainLoss } from "../lib/train";
import { UsageError } from "../lib/util/errors";
import { Rng } from "../lib/util/rng";

interface Opts {
  profile: string;
  backends: string;
  paths: string;
  steps: number;
  json?: boolean;
}

export interface TrainStepRow {
  backend: string;
  /** How the step ran: one TensorFlow graph call (graph) or tfjs's eager ops (eager). */
  path: "graph" | "eager";
  intraOpThreads: number;
  model: "localizer" | "classifier";
  profile: string;
  batch: number;
  /** Median wall milliseconds of one optimisation step (forward, backward, Adam). */
  msPerStep: number;
  /** CPU milliseconds of the process per step: above msPerStep means more than one core worked. */
  cpuMsPerStep: number;
  /** tfjs kernels (backend calls) one step runs, counted by tf.profile; a graph step's ops run inside one call. */
  kernelsPerStep: number;
  /** Wall microseconds of one trivial kernel (a 1-element add): the fixed cost every op pays. */
  usPerTrivialOp: number;
  /** kernelsPerStep x usPerTrivialOp / msPerStep: the share of a step that is per-op overhead. */
  overheadShare: number;
}

/**
 * `lumbar bench train-step`: where a training step's time goes on each backend, for the profile's two
 * model shapes (localizer, a family classifier) at their batch sizes: wall and CPU time per step,
 * kernels per step and the fixed cost of one kernel. One fresh process per backend and training path
 * (on TensorFlow: the graph fitUnit uses, and tfjs's eager steps).
 */
export function trainStepBench(): Command {
  const cmd = new Command("train-step")
    .description("time, CPU and kernel count of one training step of the profile's models, per backend")
    .option("--profile <name>", PROFILES.join("|"), "quick")
    .option("--backends <list>", "comma-separated backends, one process each", "tensorflow,wasm")
    .option("--paths <list>", "on TensorFlow: graph,eager (one process each)", "graph,eager")
    .option("--steps <n>", "timed steps per repeat (3 repeats, median)", intOption("steps"), 10)
    .option("--json", "one JSON object per backend and model");
  return withRun<Opts>(cmd, async (opts) => {
    if (!isProfile(opts.profile)) throw new UsageError(`--profile must be one of ${PROFILES.join("|")}`);
    const backends = opts.backends.split(",").map((b) => b.trim());
    for (const b of backends)
      if (!(BACKEND_CHOICES as readonly string[]).includes(b)) throw new UsageError(`unknown backend "${b}"`);
    if (backends.length > 1) return rerunPerValue("--backends", backends);
    const paths = opts.paths.split(",").map((p) => p.trim());
    for (const p of paths) if (p !== "graph" && p !== "eager") throw new UsageError(`unknown path "${p}"`);
    const native = backends[0].startsWith("tensorflow");
    if (native && paths.length > 1) return rerunPerValue("--paths", paths);
    const info = await initBackend({ backend: backends[0] as (typeof BACKEND_CHOICES)[number], log: false });
    const path = native ? (paths[0] as "graph" | "eager") : "eager";
    for (const model of ["localizer", "classifier"] as const) {
      const row = await measure(model, opts, info.choice, info.threads, path);
      console.log(opts.json ? JSON.stringify(row) : formatRow(row));
    }
    return 0;
  });
}

/** Build the model, feed it random inputs of the profile's shapes, time steps and count kernels. */
async function measure(
  model: "localizer" | "classifier",
  opts: Opts,
  backend: string,
  threads: number,
  path: "graph" | "eager",
): Promise<TrainStepRow> {
  const cfg = resolveConfig(opts.profile);
  const rng = new Rng(1);
  const rand = (shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()),
      shape,
    );
  let net: tf.LayersModel;
  let batch: Batch;
  let loss: TrainLoss;
  if (model === "localizer") {
    const spec = localizerSpec(cfg.localizer);
    net = buildLocalizer(spec);
    const n = cfg.localizer.batchSize;
    const out = net.outputs[0].shape as number[];
    const x = rand([n, spec.inputPx, spec.inputPx, 1]);
    const raw = tf.abs(rand([n, out[1], out[2], out[3]]));
    const target = tf.div(raw, tf.sum(raw, [1, 2], true)); // a distribution per channel, like the Gaussians
    batch = { inputs: [x], size: n, targets: { target } };
    loss = localizerLoss(cfg.localizer);
  } else {
    const spec = classifierSpec(cfg.classifier, "spinal");
    net = buildFamilyClassifier(cfg.classifier, "spinal");
    const n = cfg.classifier.batchSize;
    const crop = rand([n, spec.cropPx, spec.cropPx, spec.channels]);
    const meta = rand([n, 6]);
    const labels = tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 3),
      "int32",
    );
    batch = { inputs: [crop, meta], size: n, targets: { labels } };
    loss = classifierLoss({ ...cfg.classifier, anySevereWeight: 0 }, "spinal");
  }
  const stepper = await createStepper(net, loss, null, path); // as fitUnit trains
  const step = () => stepper.step(batch, 1e-3);
  for (let i = 0; i < 2; i++) step(); // warm-up: kernels, allocator, Adam slots
  const repeats: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let s = 0; s < opts.steps; s++) step();
    const c = process.cpuUsage(c0);
    repeats.push({
      wall: Number(process.hrtime.bigint() - t0) / 1e6 / opts.steps,
      cpu: (c.user + c.system) / 1e3 / opts.steps,
    });
  }
  repeats.sort((a, b) => a.wall - b.wall);
  const kernels = countKernels(step);
  stepper.dispose();
  const usPerOp = trivialOpMicros();
  const ms = repeats[1].wall;
  return {
    backend,
    path,
    intraOpThreads: threads,
    model,
    profile: opts.profile,
    batch: batch.size,
    msPerStep: round(ms, 2),
    cpuMsPerStep: round(repeats[1].cpu, 2),
    kernelsPerStep: kernels,
    usPerTrivialOp: round(usPerOp, 1),
    overheadShare: round((kernels * usPerOp) / 1000 / ms, 3),
  };
}

/** Kernels run by f, from tfjs's profiler (synchronous backends: the count is exact). */
function countKernels(f: () => void): number {
  let n = 0;
  const engine = tf.engine() as unknown as { state: { activeProfile: { kernels: unknown[] } } };
  void tf.profile(() => {
    f();
    n = engine.state.activeProfile.kernels.length;
  });
  return n;
}

/** Median wall microseconds of a 1-element add, including tfjs's bookkeeping and the dispose. */
function trivialOpMicros(): number {
  const a = tf.scalar(1),
    b = tf.scalar(2);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) tf.add(a, b).dispose();
    times.push(Number(process.hrtime.bigint() - t0) / 1e3 / 2000);
  }
  return times.sort((x, y) => x - y)[2];
}

function formatRow(r: TrainStepRow): string {
  return (
    `${r.backend.padEnd(10)} ${r.path.padEnd(5)} x${r.intraOpThreads} ${r.profile} ${r.model.padEnd(10)} batch ${r.batch}: ` +
    `${r.msPerStep} ms/step (cpu ${r.cpuMsPerStep} ms), ${r.kernelsPerStep} kernels/step, ` +
    `${r.usPerTrivialOp} us per trivial kernel -> ${(100 * r.overheadShare).toFixed(0)}% of a step is per-op overhead`
  );
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
