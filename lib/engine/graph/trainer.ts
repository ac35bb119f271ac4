import * as tf from "@tensorflow/tfjs";
import { TrainerError } from "../errors";
import { safeName } from "./layers";
import { GraphSession } from "./session";
import { buildTrainingGraph, type GraphLoss, type TrainingGraph } from "./training-graph";

/** tfjs's optimizer weight entry (its NamedTensor type is not re-exported by @tensorflow/tfjs). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** tfjs's Adam defaults, epsilon from the backend (1e-7 in float32), as FlatAdam takes them. */
export function adamHyper() {
  return { beta1: 0.9, beta2: 0.999, epsilon: tf.backend().epsilon() };
}

/**
 * Trains a tfjs-layers model as one TensorFlow graph (buildTrainingGraph): one session call per
 * batch, the weights and Adam's state kept in the session. The LayersModel stays the model of
 * record: its weights go in when training starts (`create`) and come back on `pullWeights`
 * (before validation and checkpoints); Adam's state goes in and out in FlatAdam's format
 * ("iter", then "<variable>/m" and "<variable>/v" per trainable variable), so checkpoints are
 * the same files either path writes.
 */
export class GraphTrainer {
  private iterations = 0;
  /** Tensors handed out by getOptimizerWeights, freed at the next call or at dispose (as FlatAdam does). */
  private exported: tf.Tensor[] = [];

  private constructor(
    private readonly session: GraphSession<TrainingGraph>,
    private readonly model: tf.LayersModel,
  ) {}

  /** Write, load and initialise the graph with the model's weights and, when resuming, Adam's state. */
  static async create(
    model: tf.LayersModel,
    loss: GraphLoss,
    optimizerState?: NamedTensor[],
  ): Promise<GraphTrainer> {
    const session = GraphSession.load(buildTrainingGraph(model, loss, adamHyper()));
    const trainer = new GraphTrainer(session, model);
    try {
      await trainer.push(optimizerState ?? null);
    } catch (e) {
      session.dispose();
      throw e;
    }
    return trainer;
  }

  /** One step on a batch: model inputs (model.inputs order), the loss's targets, the rate; returns the loss. */
  step(
    inputs: readonly tf.Tensor[],
    targets: Readonly<Record<string, tf.Tensor>>,
    learningRate: number,
  ): number {
    const batch = inputs[0].shape[0];
    const extra = tf.tidy(() => {
      const feeds: Record<string, tf.Tensor> = { lr: tf.scalar(learningRate) };
      // tfjs's dropout draws its mask from Math.random as the eager step would: the same mask.
      for (const d of this.session.graph.dropout)
        feeds[`${safeName(d.layer)}_mask`] = tf.dropout(tf.ones([batch, d.units]), d.rate);
      return feeds;
    });
    const [loss] = this.session.run("train_step", { ...this.feeds(inputs), ...targets, ...extra }, ["loss"]);
    tf.dispose(Object.values(extra));
    this.iterations++;
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  /** The loss on a batch in inference mode (moving statistics, no dropout), weights untouched. */
  evaluate(inputs: readonly tf.Tensor[], targets: Readonly<Record<string, tf.Tensor>>): number {
    const [loss] = this.session.run("evaluate", { ...this.feeds(inputs), ...targets });
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  /** The model's output in inference mode; the caller disposes it. */
  infer(inputs: readonly tf.Tensor[]): tf.Tensor {
    return this.session.run("infer", this.feeds(inputs))[0];
  }

  /** Copy the session's weights into the LayersModel (validation, checkpoints, the unit's result). */
  pullWeights(): void {
    const n = this.model.weights.length;
    const values = this.session.run(
      "get_weights",
      {},
      this.model.weights.map((_, i) => `w${i}`),
    );
    this.model.setWeights(values.slice(0, n));
    tf.dispose(values);
  }

  /** Adam's state as FlatAdam's getWeights gives it; the tensors live until the next call or dispose. */
  async getOptimizerWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exported);
    const iter = { name: "iter", tensor: tf.scalar(this.iterations, "int32") };
    const out = [iter, ...(this.iterations === 0 ? [] : this.moments())];
    this.exported = out.map((n) => n.tensor);
    return out;
  }

  /** Per-variable views of the flat moments: every "<variable>/m", then every "<variable>/v". */
  private moments(): NamedTensor[] {
    const [m, v] = this.session.run("get_weights", {}, ["adam_m", "adam_v"]);
    const vars = this.trainable();
    const sizes = vars.map((w) => w.size);
    const views = (flat: tf.Tensor, suffix: string) =>
      tf.split(flat, sizes).map((part, i) => ({
        name: `${vars[i].name}/${suffix}`,
        tensor: tf.reshape(part, vars[i].shape),
      }));
    const out = tf.tidy(() => [...views(m, "m"), ...views(v, "v")]);
    tf.dispose([m, v]);
    return out;
  }

  dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
    this.session.dispose();
  }

  /** The trainable variables in the order gradients and Adam's slots use. */
  private trainable(): tf.Variable[] {
    return this.model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  private feeds(inputs: readonly tf.Tensor[]): Record<string, tf.Tensor> {
    const names = this.model.inputs.map((t) => safeName(t.sourceLayer.name));
    if (inputs.length !== names.length)
      throw new TrainerError(`the model takes ${names.length} inputs, got ${inputs.length}`);
    return Object.fromEntries(names.map((k, i) => [k, inputs[i]]));
  }

  /**
   * Set every variable of the session: the model's weights, and Adam's state from FlatAdam-format
   * weights (iterations, per-variable moments; powers of the betas recomputed as FlatAdam does)
   * or fresh (zero moments, powers at beta) without them.
   */
  private async push(state: NamedTensor[] | null): Promise<void> {
    const { beta1, beta2 } = adamHyper();
    const total = this.trainable().reduce((a, w) => a + w.size, 0);
    const feeds: Record<string, tf.Tensor> = {};
    this.model.weights.forEach((w, i) => (feeds[`w${i}`] = w.read()));
    const owned = tf.tidy(() => {
      const iter = state ? (state[0].tensor.dataSync()[0] as number) : 0;
      const moments = state?.slice(1) ?? [];
      const count = moments.length / 2;
      if (moments.length && count !== this.trainable().length)
        throw new TrainerError(
          `optimizer state has ${count} variables, the model ${this.trainable().length}`,
        );
      const flat = (ws: NamedTensor[]) =>
        ws.length ? tf.concat(ws.map((w) => tf.reshape(w.tensor, [-1]))) : tf.zeros([total]);
      this.iterations = iter;
      return {
        adam_m: flat(moments.slice(0, count)),
        adam_v: flat(moments.slice(count)),
        adam_acc_beta1: state ? tf.pow(beta1, iter + 1) : tf.scalar(beta1),
        adam_acc_beta2: state ? tf.pow(beta2, iter + 1) : tf.scalar(beta2),
      };
    });
    try {
      tf.dispose(this.session.run("set_weights", { ...feeds, ...owned }));
    } finally {
      tf.dispose(Object.values(owned));
    }
  }
}
