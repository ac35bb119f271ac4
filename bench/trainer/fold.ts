import * as tf from "@tensorflow/tfjs";

/**
 * Inference-only rewrite: fold each BatchNormalization that directly follows a Conv2D into that
 * conv's kernel and bias, and a ReLU right after it into the conv's activation, so inference runs
 * one fused XNNPACK conv+bias+ReLU instead of conv, batch-norm and ReLU passes over the feature map.
 *   W' = W * g,  b' = (b - mean) * g + beta,  g = gamma / sqrt(movingVariance + epsilon)
 * Works on Sequential and functional models; a conv feeding anything besides the BN, or a layer
 * called more than once, is left alone. The result has different layers: do not train or save it
 * as the training model.
 */
type Json = Record<string, unknown> & { class_name: string; config: Record<string, unknown> };
interface LayerJson extends Json {
  name?: string;
  inbound_nodes?: unknown[][][];
}

export interface FoldResult {
  model: tf.LayersModel;
  /** Conv2D layer names that absorbed a BatchNormalization (and maybe a ReLU). */
  folded: string[];
}

export async function foldBatchNorm(model: tf.LayersModel): Promise<FoldResult> {
  const json = model.toJSON(null, false) as unknown as Json;
  const sequential = json.class_name === "Sequential";
  const layers = (json.config.layers as LayerJson[]).slice();
  const nameOf = (l: LayerJson) => (l.config.name as string) ?? l.name!;
  const consumers = new Map<string, string[]>();
  const inbound = new Map<string, string[]>();
  const add = (from: string, to: string) => {
    consumers.set(from, [...(consumers.get(from) ?? []), to]);
    inbound.set(to, [...(inbound.get(to) ?? []), from]);
  };
  const shared = new Set<string>();
  if (sequential) {
    for (let i = 0; i + 1 < layers.length; i++) add(nameOf(layers[i]), nameOf(layers[i + 1]));
    if (layers.length) add(nameOf(layers[layers.length - 1]), "@output");
  } else {
    for (const l of layers) {
      const nodes = l.inbound_nodes ?? [];
      if (nodes.length > 1) shared.add(nameOf(l));
      for (const node of nodes) for (const ref of node) add(ref[0] as string, nameOf(l));
    }
    for (const out of json.config.output_layers as unknown[][]) add(out[0] as string, "@output");
  }
  const byName = new Map(layers.map((l) => [nameOf(l), l]));
  const only = (name: string): LayerJson | undefined => {
    const c = consumers.get(name) ?? [];
    if (c.length !== 1 || c[0] === "@output" || shared.has(c[0])) return undefined;
    const next = byName.get(c[0])!;
    return (inbound.get(c[0]) ?? []).length === 1 ? next : undefined;
  };
  const removed = new Map<string, string>(); // removed layer -> conv that replaces it
  const folds = new Map<string, { bn: string; relu: boolean }>();
  for (const l of layers) {
    const name = nameOf(l);
    if (l.class_name !== "Conv2D" || shared.has(name)) continue;
    if (l.config.activation !== "linear" || l.config.data_format !== "channels_last") continue;
    const bn = only(name);
    if (!bn || bn.class_name !== "BatchNormalization" || ![-1, 3].includes(bn.config.axis as number))
      continue;
    const after = only(nameOf(bn));
    const isRelu =
      !!after &&
      ((after.class_name === "ReLU" && after.config.max_value == null) ||
        (after.class_name === "Activation" && after.config.activation === "relu"));
    folds.set(name, { bn: nameOf(bn), relu: isRelu });
    removed.set(nameOf(bn), name);
    if (isRelu) removed.set(nameOf(after!), name);
    l.config = { ...l.config, use_bias: true, activation: isRelu ? "relu" : "linear" };
  }
  const kept = layers.filter((l) => !removed.has(nameOf(l)));
  if (!sequential) {
    const rename = (ref: unknown[]) =>
      removed.has(ref[0] as string) ? [removed.get(ref[0] as string), ...ref.slice(1)] : ref;
    for (const l of kept) l.inbound_nodes = (l.inbound_nodes ?? []).map((node) => node.map(rename));
    json.config.output_layers = (json.config.output_layers as unknown[][]).map(rename);
  }
  json.config.layers = kept;
  const folded = (await tf.models.modelFromJSON({
    modelTopology: json,
  } as unknown as tf.io.ModelJSON)) as tf.LayersModel;
  tf.tidy(() => {
    for (const layer of folded.layers) {
      const fold = folds.get(layer.name);
      const source = model.getLayer(layer.name);
      if (!fold) {
        if (layer.weights.length) layer.setWeights(source.getWeights());
        continue;
      }
      layer.setWeights(foldedWeights(source, model.getLayer(fold.bn)));
    }
  });
  return { model: folded, folded: [...folds.keys()] };
}

function foldedWeights(conv: tf.layers.Layer, bn: tf.layers.Layer): tf.Tensor[] {
  const [kernel, bias] = conv.getWeights();
  const cfg = bn.getConfig() as { center: boolean; scale: boolean; epsilon: number };
  const w = bn.getWeights();
  let i = 0;
  const gamma = cfg.scale ? w[i++] : tf.onesLike(w[w.length - 1]);
  const beta = cfg.center ? w[i++] : tf.zerosLike(w[w.length - 1]);
  const mean = w[i++],
    variance = w[i++];
  const g = tf.div(gamma, tf.sqrt(tf.add(variance, cfg.epsilon)));
  const b0 = bias ?? tf.zerosLike(mean);
  return [tf.mul(kernel, g), tf.add(tf.mul(tf.sub(b0, mean), g), beta)];
}
