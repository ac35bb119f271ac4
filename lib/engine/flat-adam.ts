import * as tf from "@tensorflow/tfjs";
import { TrainerError } from "./errors";

/** AdamOptimizer's fields this subclass reads (private in tfjs's types, plain properties at run time). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  iterations_: number;
}

/** tfjs's optimizer weight entry (its NamedTensor type is not re-exported by @tensorflow/tfjs). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Slot {
  name: string;
  shape: number[];
  size: number;
}

/**
 * Adam with its moments kept as two flat vectors: one update of ~12 kernels over every parameter,
 * instead of ~12 kernels per variable. On tfjs-node each kernel is a call into libtensorflow with a
 * fixed cost, which dominates a small model's step. The arithmetic is tfjs's AdamOptimizer's,
 * element by element in the same order, so the weights are bit-identical to it; getWeights and
 * setWeights use its per-variable format ("<variable>/m", "<variable>/v"), so checkpoints of either
 * load into the other.
 */
export class FlatAdam extends tf.AdamOptimizer {
  private m: tf.Variable | null = null;
  private v: tf.Variable | null = null;
  private slots: Slot[] = [];
  /** Per-variable views handed out by getWeights, freed at the next call or at dispose. */
  private exported: tf.Tensor[] = [];

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  private get own(): AdamInternals {
    return this as unknown as AdamInternals;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const s = this.own;
    tf.tidy(() => {
      if (named.some((n) => n.tensor == null))
        throw new TrainerError("FlatAdam needs a gradient for every variable it updates");
      if (!this.m) this.allocate(named);
      this.checkLayout(named);
      const g = tf.concat(named.map((n) => tf.reshape(n.tensor, [-1])));
      const oneMinusAccBeta1 = tf.sub(1, s.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, s.accBeta2);
      const m = tf.add(tf.mul(this.m!, s.beta1), tf.mul(g, 1 - s.beta1));
      const v = tf.add(tf.mul(this.v!, s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
      const mHat = tf.div(m, oneMinusAccBeta1);
      const vHat = tf.div(v, oneMinusAccBeta2);
      this.m!.assign(m);
      this.v!.assign(v);
      const step = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), s.epsilon)), -s.learningRate);
      const parts = tf.split(
        step,
        this.slots.map((slot) => slot.size),
      );
      named.forEach((n, i) => {
        const variable = tf.engine().registeredVariables[n.name];
        variable.assign(tf.add(tf.reshape(parts[i], variable.shape), variable));
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }

  private allocate(named: readonly NamedTensor[]): void {
    this.slots = named.map((n) => ({ name: n.name, shape: n.tensor.shape, size: n.tensor.size }));
    const total = this.slots.reduce((a, slot) => a + slot.size, 0);
    this.m = tf.keep(tf.zeros([total]).variable(false));
    this.v = tf.keep(tf.zeros([total]).variable(false));
  }

  private checkLayout(named: readonly NamedTensor[]): void {
    const same =
      named.length === this.slots.length && named.every((n, i) => n.tensor.size === this.slots[i].size);
    if (!same)
      throw new TrainerError(
        `FlatAdam was set up for ${this.slots.length} variables and gets gradients of ${named.length} of other sizes`,
      );
  }

  override async getWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exported);
    const iterations = await this.saveIterations();
    if (!this.m || !this.v) return [iterations];
    const sizes = this.slots.map((slot) => slot.size);
    const views = (flat: tf.Tensor, suffix: string) =>
      tf.split(flat, sizes).map((part, i) => ({
        name: `${this.slots[i].name}/${suffix}`,
        tensor: tf.reshape(part, this.slots[i].shape),
      }));
    const out = tf.tidy(() => [...views(this.m!, "m"), ...views(this.v!, "v")]);
    for (const o of out) tf.keep(o.tensor);
    this.exported = out.map((o) => o.tensor);
    return [iterations, ...out];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const s = this.own;
    tf.tidy(() => {
      s.accBeta1.assign(tf.pow(s.beta1, s.iterations_ + 1));
      s.accBeta2.assign(tf.pow(s.beta2, s.iterations_ + 1));
    });
    tf.dispose([this.m, this.v].filter((t): t is tf.Variable => t !== null));
    const count = rest.length / 2;
    const moments = rest.slice(0, count);
    this.slots = moments.map((n) => ({
      name: n.name.replace(/\/m$/, ""),
      shape: n.tensor.shape,
      size: n.tensor.size,
    }));
    const flat = (ws: NamedTensor[]) =>
      tf.keep(tf.tidy(() => tf.concat(ws.map((w) => tf.reshape(w.tensor, [-1]))).variable(false)));
    this.m = count ? flat(moments) : null;
    this.v = count ? flat(rest.slice(count)) : null;
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([this.m, this.v, ...this.exported].filter((t): t is tf.Tensor => t !== null));
    this.m = this.v = null;
    this.exported = [];
  }
}
