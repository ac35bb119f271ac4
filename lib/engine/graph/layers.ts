import type * as tf from "@tensorflow/tfjs";
import { GraphBuildError } from "../errors";
import type { Graph, Ref } from "./graph";
import { cast, concat, placeholder, readVariable, varHandle } from "./ops/array";
import * as m from "./ops/math";
import * as nn from "./ops/nn";

/**
 * A tfjs-layers model written as graph ops: the layers our models use (Conv2D, BatchNormalization,
 * Activation / ReLU, MaxPooling2D, GlobalAveragePooling2D, Concatenate, Dense, Dropout), each with
 * the arithmetic tfjs-layers does, and every model weight a resource variable.
 */

/** The slice of tfjs-layers' Layer this writer reads (its inbound nodes are not in tfjs's types). */
interface LayerLike {
  name: string;
  weights: tf.LayerVariable[];
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  inboundNodes: { inboundLayers: { name: string }[] }[];
}

/** Variables of a model in the graph, one per `model.weights` entry, in that order. */
export interface ModelVars {
  readonly handles: readonly Ref[];
  /** Index into handles of each of the model's weight objects. */
  readonly index: ReadonlyMap<tf.LayerVariable, number>;
  readonly trainable: readonly boolean[];
}

/** One resource variable per model weight, named after it. */
export function modelVariables(g: Graph, model: tf.LayersModel): ModelVars {
  // originalName: tfjs adds _1, _2 ... to the names of a second model with the same layer names.
  const handles = model.weights.map((w) =>
    varHandle(g, `var/${safeName(originalName(w))}`, w.shape as number[]),
  );
  return {
    handles,
    index: new Map(model.weights.map((w, i) => [w, i])),
    trainable: model.weights.map((w) => w.trainable),
  };
}

/** A weight's name as its layer gave it ("conv/kernel"), before tfjs made it unique in the process. */
function originalName(w: tf.LayerVariable): string {
  return (w as unknown as { originalName: string }).originalName;
}

/** TensorFlow node names allow letters, digits and `_./-`. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_./-]/g, "_").replace(/^[^A-Za-z0-9.]/, "n");
}

/** A forward pass in one mode; `reads` are the weights' values (model.weights order). */
export interface ForwardContext {
  readonly g: Graph;
  readonly vars: ModelVars;
  readonly reads: readonly Ref[];
  readonly training: boolean;
  /** Dropout multipliers by layer name (training only): a scaled keep mask per element. */
  readonly dropoutMasks: ReadonlyMap<string, Ref>;
  /** Moving-statistic updates the training pass asks for: variable index and new value. */
  readonly updates: { index: number; value: Ref }[];
}

/** The placeholder of each model input, named after its layer, batch dimension "B". */
export function inputPlaceholders(g: Graph, model: tf.LayersModel, prefix: string): Ref[] {
  return model.inputs.map((t) =>
    placeholder(g, `${prefix}_${safeName(t.sourceLayer.name)}`, "float", [
      "B",
      ...(t.shape.slice(1) as number[]),
    ]),
  );
}

/** The model's output for `inputs` (in model.inputs order). */
export function forward(ctx: ForwardContext, model: tf.LayersModel, inputs: readonly Ref[]): Ref {
  if (model.outputs.length !== 1)
    throw new GraphBuildError(
      `model ${model.name} has ${model.outputs.length} outputs; the writer takes one`,
    );
  const values = new Map<string, Ref>();
  model.inputs.forEach((t, i) => values.set(t.sourceLayer.name, inputs[i]));
  for (const layer of model.layers as unknown as LayerLike[]) {
    if (values.has(layer.name)) continue; // an input layer
    const write = LAYER_WRITERS.get(layer.getClassName());
    if (!write)
      throw new GraphBuildError(
        `layer ${layer.name}: the graph writer has no rule for ${layer.getClassName()}`,
      );
    if (layer.inboundNodes.length !== 1)
      throw new GraphBuildError(
        `layer ${layer.name} is applied ${layer.inboundNodes.length} times; the writer takes one`,
      );
    const ins = layer.inboundNodes[0].inboundLayers.map((l) => values.get(l.name)!);
    values.set(layer.name, write(ctx, layer, ins));
  }
  return values.get(model.outputs[0].sourceLayer.name)!;
}

type LayerWriter = (ctx: ForwardContext, layer: LayerLike, inputs: readonly Ref[]) => Ref;

/** The index (model.weights order) of the layer's weight `suffix` ("kernel", "gamma", ...). */
function weightIndex(ctx: ForwardContext, layer: LayerLike, suffix: string): number {
  const w = layer.weights.find((v) => originalName(v).endsWith(`/${suffix}`));
  const i = w && ctx.vars.index.get(w);
  if (i === undefined) throw new GraphBuildError(`layer ${layer.name} has no weight ${suffix}`);
  return i;
}

/** The value of the layer's weight `suffix`. */
function weight(ctx: ForwardContext, layer: LayerLike, suffix: string): Ref {
  return ctx.reads[weightIndex(ctx, layer, suffix)];
}

function activation(g: Graph, x: Ref, name: unknown, layer: LayerLike): Ref {
  if (name === "linear" || name === undefined || name === null) return x;
  if (name === "relu") return m.relu(g, x);
  if (name === "softmax") return nn.softmax(g, x);
  throw new GraphBuildError(`layer ${layer.name}: activation ${String(name)} has no graph rule`);
}

function pair(v: unknown): number {
  const a = Array.isArray(v) ? v : [v, v];
  if (a[0] !== a[1]) throw new GraphBuildError(`non-square ${JSON.stringify(v)} is not supported`);
  return a[0] as number;
}

function padding(v: unknown): "SAME" | "VALID" {
  if (v === "same") return "SAME";
  if (v === "valid") return "VALID";
  throw new GraphBuildError(`padding ${String(v)} is not supported`);
}

const LAYER_WRITERS = new Map<string, LayerWriter>([
  [
    "Conv2D",
    (ctx, layer, [x]) => {
      const c = layer.getConfig();
      if (c.dataFormat !== "channelsLast") throw new GraphBuildError(`layer ${layer.name}: NHWC only`);
      const o = { strides: pair(c.strides), padding: padding(c.padding), dilation: pair(c.dilationRate) };
      let y = nn.conv2d(ctx.g, x, weight(ctx, layer, "kernel"), o);
      if (c.useBias) y = nn.biasAdd(ctx.g, y, weight(ctx, layer, "bias"));
      return activation(ctx.g, y, c.activation, layer);
    },
  ],
  ["BatchNormalization", batchNorm],
  ["Activation", (ctx, layer, [x]) => activation(ctx.g, x, layer.getConfig().activation, layer)],
  [
    "ReLU",
    (ctx, layer, [x]) => {
      if (layer.getConfig().maxValue != null) throw new GraphBuildError(`layer ${layer.name}: ReLU maxValue`);
      return m.relu(ctx.g, x);
    },
  ],
  [
    "MaxPooling2D",
    (ctx, layer, [x]) => {
      const c = layer.getConfig();
      return nn.maxPool(ctx.g, x, pair(c.poolSize), pair(c.strides ?? c.poolSize), padding(c.padding));
    },
  ],
  ["GlobalAveragePooling2D", (ctx, _layer, [x]) => m.mean(ctx.g, x, [1, 2])],
  ["Concatenate", (ctx, layer, xs) => concat(ctx.g, xs, layer.getConfig().axis as number)],
  [
    "Dense",
    (ctx, layer, [x]) => {
      const c = layer.getConfig();
      if (x.shape.length !== 2)
        throw new GraphBuildError(`layer ${layer.name}: Dense on rank ${x.shape.length}`);
      let y = nn.matMul(ctx.g, x, weight(ctx, layer, "kernel"));
      if (c.useBias) y = nn.biasAdd(ctx.g, y, weight(ctx, layer, "bias"));
      return activation(ctx.g, y, c.activation, layer);
    },
  ],
  [
    "Dropout",
    (ctx, layer, [x]) => {
      const mask = ctx.dropoutMasks.get(layer.name);
      return ctx.training && mask ? m.mul(ctx.g, x, mask) : x;
    },
  ],
]);

/**
 * tfjs-layers' BatchNormalization over the last axis: in training the batch's statistics (fused
 * kernel) and moving averages updated as tfjs-layers does, moving - (moving - batch) * (1 - momentum),
 * with the biased batch variance; in inference the moving statistics.
 */
function batchNorm(ctx: ForwardContext, layer: LayerLike, [x]: readonly Ref[]): Ref {
  const c = layer.getConfig();
  if (!(c.axis === -1 || c.axis === x.shape.length - 1) || !c.center || !c.scale || x.shape.length !== 4)
    throw new GraphBuildError(`layer ${layer.name}: batch norm needs NHWC, the last axis, gamma and beta`);
  const { g } = ctx;
  const eps = c.epsilon as number;
  const [gamma, beta] = [weight(ctx, layer, "gamma"), weight(ctx, layer, "beta")];
  const movingMean = weight(ctx, layer, "moving_mean");
  const movingVar = weight(ctx, layer, "moving_variance");
  if (!ctx.training)
    return nn.fusedBatchNorm(g, x, gamma, beta, { mean: movingMean, variance: movingVar }, eps)[0];
  const [y, mean, unbiased] = nn.fusedBatchNorm(g, x, gamma, beta, null, eps);
  // TensorFlow's batch variance is Bessel-corrected: times (n - 1) / n, n = rows normalised together.
  const channels = x.shape[3] as number;
  const n = m.div(g, cast(g, m.size(g, x), "float"), channels);
  const biased = m.mul(g, unbiased, m.div(g, m.sub(g, n, 1), n));
  const decay = 1 - (c.momentum as number);
  const update = (suffix: string, moving: Ref, batch: Ref) =>
    ctx.updates.push({
      index: weightIndex(ctx, layer, suffix),
      value: m.sub(g, moving, m.mul(g, m.sub(g, moving, batch), decay)),
    });
  update("moving_mean", movingMean, mean);
  update("moving_variance", movingVar, biased);
  return y;
}

/** Each weight's current value, read in this signature. */
export function readAll(g: Graph, vars: ModelVars): Ref[] {
  return vars.handles.map((h) => readVariable(g, h));
}
