import * as os from "node:os";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend } from "../../lib/engine/backend";
import { TrainerError } from "../../lib/engine/errors";
import { normaliseTargets } from "./loss";
import { setLearningRate } from "../../lib/engine/optimizer";
import { makeOptimizer, type OptimizerSpec } from "./optimizer";
import { buildFromSpec, type ModelSpec } from "./model-spec";
import {
  inputShapesOf,
  readWeights,
  sameLayout,
  shardGradients,
  toInputs,
  weightLayout,
  type ShardBatch,
  type WeightLayout,
} from "./grad-step";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol";
import { FoldedCache } from "./folded-cache";
import { startModuleWorker } from "../../lib/util/worker";

export interface TrainerOptions {
  model: ModelSpec;
  optimizer: OptimizerSpec;
  /** Classes per head of the softmax; the model's output units must be heads * classes. */
  classes: number;
  /** Gradient threads: 0 or 1 = in-process (no workers); default: all cores. */
  threads?: number;
}

export interface PredictOptions {
  /** Fold BatchNorm into the preceding convs for inference (default true). */
  foldBatchNorm?: boolean;
}

export interface StepResult {
  /** sum(w * ce) / sum(w) over the batch. */
  loss: number;
  /** sum(w): 0 means the batch had no labelled target and no update was made. */
  totalWeight: number;
}

/**
 * Data-parallel trainer with a weighted softmax cross-entropy. The main thread keeps the master
 * model and the optimizer; each step the batch is split into contiguous shards, one per worker
 * (its own wasm backend), whose gradients are summed in worker order (deterministic), applied
 * once, and the new weights broadcast through shared memory, so all copies stay identical.
 * BatchNorm uses per-shard statistics (as in PyTorch DDP without SyncBN); the moving averages
 * are averaged over workers. With threads <= 1 the same step runs in-process.
 */
export interface Trainer {
  readonly threads: number;
  /** Per model input, without the batch dimension. */
  readonly inputShapes: number[][];
  readonly outputUnits: number;
  /** The master model: current weights, for saving (saveModel) or evaluation in this thread. */
  readonly model: tf.LayersModel;
  /**
   * x: one array per model input (or the only one), each [n, ...inputShape] flattened;
   * labels [n*heads] class indices (-1 = missing); sampleWeight [n*heads] (default 1).
   */
  trainBatch(
    x: Float32Array | Float32Array[],
    labels: Int32Array,
    sampleWeight?: Float32Array,
  ): Promise<StepResult>;
  /**
   * Logits [n, outputUnits] flattened (inference mode), split over the workers. By default each
   * conv+BatchNorm(+ReLU) runs folded into one fused conv (lib/engine/fold.ts; same maths, float
   * rounding aside); the folded copy is rebuilt only after the weights change.
   */
  predict(x: Float32Array | Float32Array[], opts?: PredictOptions): Promise<Float32Array>;
  setLearningRate(lr: number): void;
  /** The optimizer (e.g. to checkpoint its state with getWeights/setWeights). */
  readonly optimizer: tf.Optimizer;
  /**
   * Call after changing `model`'s weights from outside (loadWeightsInto for a resume, a best-epoch
   * restore): re-broadcasts them to the workers and refreshes the folded inference copy.
   */
  weightsChanged(): void;
  dispose(): Promise<void>;
}

export async function createTrainer(opts: TrainerOptions): Promise<Trainer> {
  if (!backendInfo()) await initBackend();
  const threads = Math.max(1, Math.floor(opts.threads ?? os.cpus().length));
  const model = buildFromSpec(opts.model);
  const layout = weightLayout(model);
  const optimizer = makeOptimizer(opts.optimizer);
  const core = new MasterCore(model, layout, optimizer, opts.classes);
  if (threads <= 1) return new InProcessTrainer(core);
  const pool = await WorkerPool.start(opts, threads, core);
  return new ParallelTrainer(core, pool);
}

/** What both trainers share: the master model, the optimizer and the update from summed gradients. */
class MasterCore {
  readonly inputShapes: number[][];
  readonly outputUnits: number;
  readonly trainableVars: tf.Variable[];
  /** Bumped at every update: tells inference copies (folded models) to refresh. */
  version = 0;

  constructor(
    readonly model: tf.LayersModel,
    readonly layout: WeightLayout,
    readonly optimizer: tf.Optimizer,
    readonly classes: number,
  ) {
    this.inputShapes = inputShapesOf(model);
    this.outputUnits = (model.outputs[0].shape as number[]).slice(1).reduce((a, b) => a * b, 1);
    if (this.outputUnits % classes !== 0) {
      throw new TrainerError(
        `model output has ${this.outputUnits} units, not a multiple of ${classes} classes`,
      );
    }
    this.trainableVars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /** Batch size of x, after checking every input has the same number of samples. */
  count(xs: Float32Array[]): number {
    if (xs.length !== this.inputShapes.length)
      throw new TrainerError(`model has ${this.inputShapes.length} inputs, got ${xs.length} arrays`);
    let n = -1;
    xs.forEach((x, i) => {
      const size = this.inputShapes[i].reduce((a, b) => a * b, 1);
      const k = x.length / size;
      if (!Number.isInteger(k) || k < 1)
        throw new TrainerError(`input ${i} has ${x.length} values, not a multiple of its size ${size}`);
      if (n >= 0 && k !== n) throw new TrainerError(`input ${i} has ${k} samples, input 0 has ${n}`);
      n = k;
    });
    return n;
  }

  /** Rows [a, b) of every input. */
  rows(xs: Float32Array[], a: number, b: number): Float32Array[] {
    return xs.map((x, i) => {
      const size = this.inputShapes[i].reduce((p, q) => p * q, 1);
      return x.slice(a * size, b * size);
    });
  }

  /** Validate and split a batch into `parts` contiguous shards (sizes differ by at most one). */
  shards(
    xs: Float32Array[],
    labels: Int32Array,
    sampleWeight: Float32Array | undefined,
    parts: number,
  ): ShardBatch[] {
    const n = this.count(xs);
    const heads = this.outputUnits / this.classes;
    if (labels.length !== n * heads)
      throw new TrainerError(`labels has ${labels.length} entries, expected ${n} x ${heads} heads`);
    if (sampleWeight && sampleWeight.length !== labels.length)
      throw new TrainerError(`sampleWeight has ${sampleWeight.length} entries, expected ${labels.length}`);
    for (const l of labels)
      if (l >= this.classes) throw new TrainerError(`label ${l} out of range for ${this.classes} classes`);
    const t = normaliseTargets(labels, sampleWeight);
    const out: ShardBatch[] = [];
    const k = Math.min(parts, n);
    for (let s = 0; s < k; s++) {
      const a = Math.floor((s * n) / k),
        b = Math.floor(((s + 1) * n) / k);
      out.push({
        x: this.rows(xs, a, b),
        n: b - a,
        labels: t.labels.slice(a * heads, b * heads),
        weights: t.weights.slice(a * heads, b * heads),
        totalWeight: t.total,
      });
    }
    return out;
  }

  /** Apply summed gradients (trainable slots) and averaged non-trainable values from shard outputs. */
  apply(outs: Float32Array[]): void {
    const { layout } = this;
    const sum = new Float32Array(layout.size);
    for (const o of outs) for (let i = 0; i < sum.length; i++) sum[i] += o[i];
    tf.tidy(() => {
      const grads: tf.NamedTensorMap = {};
      let ti = 0;
      this.model.weights.forEach((w, i) => {
        const n = layout.shapes[i].reduce((a, b) => a * b, 1);
        const slot = sum.subarray(layout.offsets[i], layout.offsets[i] + n);
        if (layout.trainable[i]) {
          grads[this.trainableVars[ti++].name] = tf.tensor(slot, layout.shapes[i]);
        } else {
          const mean = new Float32Array(n);
          for (let j = 0; j < n; j++) mean[j] = slot[j] / outs.length;
          w.write(tf.tensor(mean, layout.shapes[i]));
        }
      });
      this.optimizer.applyGradients(grads);
    });
    this.version++;
  }
}

/** What both trainers expose straight from the master core. */
abstract class CoreTrainer {
  constructor(protected readonly core: MasterCore) {}
  get model() {
    return this.core.model;
  }
  get inputShapes() {
    return this.core.inputShapes;
  }
  get outputUnits() {
    return this.core.outputUnits;
  }
  get optimizer() {
    return this.core.optimizer;
  }
  setLearningRate(lr: number): void {
    setLearningRate(this.core.optimizer, lr);
  }
}

class InProcessTrainer extends CoreTrainer implements Trainer {
  readonly threads = 1;
  private readonly out: Float32Array;
  constructor(core: MasterCore) {
    super(core);
    this.out = new Float32Array(core.layout.size);
  }

  async trainBatch(
    x: Float32Array | Float32Array[],
    labels: Int32Array,
    sampleWeight?: Float32Array,
  ): Promise<StepResult> {
    const [shard] = this.core.shards(asList(x), labels, sampleWeight, 1);
    if (shard.totalWeight <= 0) return { loss: 0, totalWeight: 0 };
    const lossSum = shardGradients(
      this.core.model,
      this.core.layout,
      this.core.inputShapes,
      this.core.classes,
      shard,
      this.out,
    );
    this.core.apply([this.out]);
    return { loss: lossSum / shard.totalWeight, totalWeight: shard.totalWeight };
  }

  private readonly folded = new FoldedCache();

  async predict(x: Float32Array | Float32Array[], opts: PredictOptions = {}): Promise<Float32Array> {
    const xs = asList(x);
    const n = this.core.count(xs);
    const net =
      opts.foldBatchNorm === false
        ? this.core.model
        : await this.folded.get(this.core.model, this.core.version);
    return tf.tidy(
      () => (net.predict(toInputs(xs, n, this.core.inputShapes)) as tf.Tensor).dataSync() as Float32Array,
    );
  }

  weightsChanged(): void {
    this.core.version++;
  }

  async dispose(): Promise<void> {
    this.folded.dispose();
    this.core.optimizer.dispose();
  }
}

class ParallelTrainer extends CoreTrainer implements Trainer {
  constructor(
    core: MasterCore,
    private readonly pool: WorkerPool,
  ) {
    super(core);
  }
  get threads() {
    return this.pool.size;
  }

  async trainBatch(
    x: Float32Array | Float32Array[],
    labels: Int32Array,
    sampleWeight?: Float32Array,
  ): Promise<StepResult> {
    const shards = this.core.shards(asList(x), labels, sampleWeight, this.pool.size);
    const total = shards[0].totalWeight;
    if (total <= 0) return { loss: 0, totalWeight: 0 };
    const sums = await Promise.all(
      shards.map((batch, k) =>
        this.pool
          .call(k, { type: "step", id: 0, batch, version: this.core.version })
          .then((m) => (m as { lossSum: number }).lossSum),
      ),
    );
    this.core.apply(this.pool.outs.slice(0, shards.length));
    this.pool.publish(this.core.model);
    let lossSum = 0;
    for (const s of sums) lossSum += s; // worker order: deterministic
    return { loss: lossSum / total, totalWeight: total };
  }

  async predict(x: Float32Array | Float32Array[], opts: PredictOptions = {}): Promise<Float32Array> {
    const xs = asList(x);
    const n = this.core.count(xs);
    const fold = opts.foldBatchNorm !== false;
    const k = Math.min(this.pool.size, n);
    const parts = await Promise.all(
      Array.from({ length: k }, (_, s) => {
        const a = Math.floor((s * n) / k),
          b = Math.floor(((s + 1) * n) / k);
        return this.pool
          .call(s, {
            type: "predict",
            id: 0,
            x: this.core.rows(xs, a, b),
            n: b - a,
            fold,
            version: this.core.version,
          })
          .then((m) => (m as { logits: Float32Array }).logits);
      }),
    );
    const out = new Float32Array(n * this.core.outputUnits);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  weightsChanged(): void {
    this.core.version++;
    this.pool.publish(this.core.model);
  }

  async dispose(): Promise<void> {
    await this.pool.close();
    this.core.optimizer.dispose();
  }
}

/** worker_threads running lib/engine/parallel/worker.ts, one request at a time each. */
class WorkerPool {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (m: FromWorker) => void; reject: (e: Error) => void }
  >();

  private constructor(
    private readonly workers: Worker[],
    private readonly weights: Float32Array,
    readonly outs: Float32Array[],
    private readonly layout: WeightLayout,
  ) {}

  get size(): number {
    return this.workers.length;
  }

  static async start(opts: TrainerOptions, threads: number, core: MasterCore): Promise<WorkerPool> {
    const weightsBuf = new SharedArrayBuffer(core.layout.size * 4);
    const weights = new Float32Array(weightsBuf);
    const workers: Worker[] = [];
    const outs: Float32Array[] = [];
    const ready: Promise<void>[] = [];
    for (let k = 0; k < threads; k++) {
      const out = new SharedArrayBuffer(core.layout.size * 4);
      outs.push(new Float32Array(out));
      const init: WorkerInit = { model: opts.model, classes: opts.classes, weights: weightsBuf, out };
      const w = startModuleWorker(__filename, __dirname, "worker", init);
      workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.once("message", (m: FromWorker) => {
            if (m.type === "ready" && sameLayout(m.layout, core.layout)) resolve();
            else if (m.type === "ready")
              reject(
                new TrainerError(`worker ${k} built a model with different weights than the main thread`),
              );
            else
              reject(
                new TrainerError(`worker ${k} failed to start: ${m.type === "error" ? m.message : m.type}`),
              );
          });
          w.once("error", (e) => reject(new TrainerError(`worker ${k} failed to start: ${e.message}`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const pool = new WorkerPool(workers, weights, outs, core.layout);
    pool.listen();
    pool.publish(core.model);
    return pool;
  }

  private listen(): void {
    this.workers.forEach((w, k) => {
      w.on("message", (m: FromWorker) => {
        const id = "id" in m ? m.id : undefined;
        const p = id !== undefined ? this.pending.get(id) : undefined;
        if (!p) return;
        this.pending.delete(id!);
        if (m.type === "error") p.reject(new TrainerError(`worker ${k}: ${m.message}`));
        else p.resolve(m);
      });
      w.on("error", (e) => {
        for (const [, p] of this.pending) p.reject(new TrainerError(`worker ${k} crashed: ${e.message}`));
        this.pending.clear();
      });
    });
  }

  /** Copy the master weights into shared memory; workers load them at the start of their next request. */
  publish(model: tf.LayersModel): void {
    readWeights(model, this.layout, this.weights);
  }

  call(k: number, msg: ToWorker & { id: number }): Promise<FromWorker> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[k].postMessage({ ...msg, id });
    });
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.postMessage({ type: "close" } satisfies ToWorker);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function asList(x: Float32Array | Float32Array[]): Float32Array[] {
  return Array.isArray(x) ? x : [x];
}
