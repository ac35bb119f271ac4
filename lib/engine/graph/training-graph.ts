import type * as tf from "@tensorflow/tfjs";
import { GraphBuildError } from "../errors";
import { adamUpdate, adamVariables, type AdamHyper, type AdamVars } from "./adam";
import { gradients } from "./autodiff";
import { Graph, tensorInfo, type Dim, type Ref } from "./graph";
import { forward, inputPlaceholders, modelVariables, readAll, safeName, type ModelVars } from "./layers";
import { assignVariable, constant, identity, ints, noOp, placeholder, readVariable } from "./ops/array";
import type { DType, SignatureSpec } from "./proto";
import type { GraphProgram } from "./session";

/** A loss written as graph ops: the tensors it reads beside the model's output, and how. */
export interface GraphLoss {
  /** Targets, labels, masks: each fed per batch under its name ("B": the batch dimension). */
  readonly targets: readonly { name: string; dtype: "float" | "int32"; shape: readonly Dim[] }[];
  build(g: Graph, output: Ref, targets: Readonly<Record<string, Ref>>): Ref;
}

/** The training program of one model: its graph, signatures and init op, and what a step feeds. */
export interface TrainingGraph extends GraphProgram {
  /** Dropout layers trained with a fed mask: the mask's feed name and the layer's output units. */
  readonly dropout: readonly { layer: string; rate: number; units: number }[];
}

export const SIGNATURES = ["train_step", "evaluate", "infer", "get_weights", "set_weights"] as const;

/**
 * The whole training program of a model as one graph: the forward pass in training and in
 * inference mode, the loss, its gradient (lib/engine/graph/grads), FlatAdam's update with the
 * learning rate as an input, and the moving statistics; with the signatures `train_step` (one
 * batch: inputs, targets, learning rate, dropout masks -> loss, weights updated in place),
 * `evaluate` (inputs, targets -> loss, inference mode), `infer` (inputs -> output), `get_weights`
 * and `set_weights` (every model weight in model.weights order, then Adam's state).
 */
export function buildTrainingGraph(model: tf.LayersModel, loss: GraphLoss, hyper: AdamHyper): TrainingGraph {
  const g = new Graph();
  const vars = modelVariables(g, model);
  const trainableSizes = model.weights
    .filter((w) => w.trainable)
    .map((w) => (w.shape as number[]).reduce((a, b) => a * b, 1));
  const adam = adamVariables(g, trainableSizes);
  const dropout = dropoutLayers(model);
  const signatures = {
    train_step: g.scoped("train_step", () => trainStep(g, model, vars, adam, loss, hyper, dropout)),
    evaluate: g.scoped("evaluate", () => evaluate(g, model, vars, loss)),
    infer: g.scoped("infer", () => infer(g, model, vars)),
    get_weights: g.scoped("get_weights", () => getWeights(g, vars, adam)),
    set_weights: g.scoped("set_weights", () => setWeights(g, vars, adam)),
  };
  const initOp = g.scoped("init", () => initialise(g, vars, adam, hyper));
  return { nodes: g.nodes, signatures, initOp, dropout };
}

function targetsOf(g: Graph, loss: GraphLoss, prefix: string): Record<string, Ref> {
  return Object.fromEntries(
    loss.targets.map((t) => [t.name, placeholder(g, `${prefix}_${t.name}`, t.dtype as DType, t.shape)]),
  );
}

function modelInputs(model: tf.LayersModel, refs: readonly Ref[]): Record<string, Ref> {
  return Object.fromEntries(model.inputs.map((t, i) => [safeName(t.sourceLayer.name), refs[i]]));
}

/** Dropout layers that drop something; their masks are fed, [batch, units] (after a Dense layer). */
function dropoutLayers(model: tf.LayersModel): TrainingGraph["dropout"] {
  return model.layers
    .filter((l) => l.getClassName() === "Dropout" && (l.getConfig().rate as number) > 0)
    .map((l) => {
      const shape = l.outputShape as number[];
      if (shape.length !== 2)
        throw new GraphBuildError(`layer ${l.name}: dropout on rank ${shape.length}, not [batch, units]`);
      return { layer: l.name, rate: l.getConfig().rate as number, units: shape[1] };
    });
}

function trainStep(
  g: Graph,
  model: tf.LayersModel,
  vars: ModelVars,
  adam: AdamVars,
  loss: GraphLoss,
  hyper: AdamHyper,
  dropout: TrainingGraph["dropout"],
): SignatureSpec {
  const inputs = inputPlaceholders(g, model, "train_step");
  const targets = targetsOf(g, loss, "train_step");
  const lr = placeholder(g, "train_step_lr", "float", []);
  const masks = new Map(
    dropout.map((d) => [
      d.layer,
      placeholder(g, `train_step_${safeName(d.layer)}_mask`, "float", ["B", d.units]),
    ]),
  );
  const reads = readAll(g, vars);
  const ctx = {
    g,
    vars,
    reads,
    training: true,
    dropoutMasks: masks,
    updates: [] as { index: number; value: Ref }[],
  };
  const value = loss.build(g, forward(ctx, model, inputs), targets);
  const trainable = vars.handles.map((_, i) => i).filter((i) => vars.trainable[i]);
  const grads = gradients(
    g,
    value,
    trainable.map((i) => reads[i]),
  );
  const assigns = [
    ...adamUpdate(
      g,
      adam,
      { handles: trainable.map((i) => vars.handles[i]), reads: trainable.map((i) => reads[i]), grads },
      lr,
      hyper,
    ),
    ...ctx.updates.map((u) => assignVariable(g, vars.handles[u.index], u.value)),
  ];
  // A run fetches only the loss: the updates run first as its control inputs.
  const out = identity(g, value, { name: "loss", control: [noOp(g, assigns, "apply")] });
  const feeds = {
    ...modelInputs(model, inputs),
    ...targets,
    lr,
    ...Object.fromEntries([...masks].map(([k, v]) => [`${safeName(k)}_mask`, v])),
  };
  return { inputs: mapInfo(feeds), outputs: { loss: tensorInfo(out) } };
}

function evaluate(g: Graph, model: tf.LayersModel, vars: ModelVars, loss: GraphLoss): SignatureSpec {
  const inputs = inputPlaceholders(g, model, "evaluate");
  const targets = targetsOf(g, loss, "evaluate");
  const ctx = { g, vars, reads: readAll(g, vars), training: false, dropoutMasks: new Map(), updates: [] };
  const out = identity(g, loss.build(g, forward(ctx, model, inputs), targets), { name: "loss" });
  return {
    inputs: mapInfo({ ...modelInputs(model, inputs), ...targets }),
    outputs: { loss: tensorInfo(out) },
  };
}

function infer(g: Graph, model: tf.LayersModel, vars: ModelVars): SignatureSpec {
  const inputs = inputPlaceholders(g, model, "infer");
  const ctx = { g, vars, reads: readAll(g, vars), training: false, dropoutMasks: new Map(), updates: [] };
  const out = identity(g, forward(ctx, model, inputs), { name: "output" });
  return { inputs: mapInfo(modelInputs(model, inputs)), outputs: { output: tensorInfo(out) } };
}

/** Adam's state in the order get_weights gives it after the model's weights. */
function adamState(adam: AdamVars): Record<string, Ref> {
  return { adam_m: adam.m, adam_v: adam.v, adam_acc_beta1: adam.accBeta1, adam_acc_beta2: adam.accBeta2 };
}

function getWeights(g: Graph, vars: ModelVars, adam: AdamVars): SignatureSpec {
  const outputs: Record<string, Ref> = {};
  vars.handles.forEach((h, i) => (outputs[`w${i}`] = readVariable(g, h)));
  for (const [k, h] of Object.entries(adamState(adam))) outputs[k] = readVariable(g, h);
  return { inputs: {}, outputs: mapInfo(outputs) };
}

function setWeights(g: Graph, vars: ModelVars, adam: AdamVars): SignatureSpec {
  const inputs: Record<string, Ref> = {};
  const assigns: string[] = [];
  const set = (key: string, h: Ref) => {
    inputs[key] = placeholder(g, `set_weights_${key}`, "float", h.shape);
    assigns.push(assignVariable(g, h, inputs[key]));
  };
  vars.handles.forEach((h, i) => set(`w${i}`, h));
  for (const [k, h] of Object.entries(adamState(adam))) set(k, h);
  const done = constant(g, "float", [1], [], { name: "done", control: assigns });
  return { inputs: mapInfo(inputs), outputs: { done: tensorInfo(done) } };
}

/** Zeros everywhere (the caller then sets the model's own initial weights), Adam's powers at beta. */
function initialise(g: Graph, vars: ModelVars, adam: AdamVars, hyper: AdamHyper): string {
  const fill = (h: Ref, value: number) => {
    const v = g.add1(
      "Fill",
      [ints(g, h.shape as number[]), constant(g, "float", [value], [])],
      { T: { type: "float" }, index_type: { type: "int32" } },
      { dtype: "float", shape: h.shape },
    );
    return assignVariable(g, h, v);
  };
  const assigns = [
    ...vars.handles.map((h) => fill(h, 0)),
    fill(adam.m, 0),
    fill(adam.v, 0),
    fill(adam.accBeta1, hyper.beta1),
    fill(adam.accBeta2, hyper.beta2),
  ];
  return noOp(g, assigns, "all");
}

function mapInfo(refs: Record<string, Ref>): SignatureSpec["inputs"] {
  return Object.fromEntries(Object.entries(refs).map(([k, r]) => [k, tensorInfo(r)]));
}
