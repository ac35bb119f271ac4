import { LEVELS, SEVERITY_WEIGHTS } from "../data/schema";
import type { Graph, GraphLoss, Ref } from "../engine/graph";
import { ops } from "../engine/graph";

/**
 * The losses of lib/models/losses.ts (and side-point-net.ts) written as graph ops for graph-mode
 * training, op for op in the same order so that the values match the eager ones to float
 * rounding (tested side by side in test/models/graph-losses.test.ts).
 */

const EPS = 1e-7;
const { add, sub, mul, div, neg, log, sum, maximum, clipByValue } = ops;

/** spatialSoftmaxCe: logits and target [B, H, W, K], a softmax over each channel's cells. */
export function spatialSoftmaxCeGraph(size: number, channels = LEVELS.length): GraphLoss {
  return {
    targets: [{ name: "target", dtype: "float", shape: ["B", size, size, channels] }],
    build: (g: Graph, logits: Ref, t: Readonly<Record<string, Ref>>) => {
      const cells = size * size;
      const rows = (x: Ref) => ops.reshape(g, ops.transpose(g, x, [0, 3, 1, 2]), [-1, cells], ["BK", cells]);
      const l = rows(logits);
      const target = rows(t.target);
      const logp = ops.logSoftmax(g, l);
      const ce = neg(g, sum(g, mul(g, target, logp), [1]));
      const has = sum(g, target, [1]);
      return div(g, sum(g, mul(g, ce, has)), maximum(g, sum(g, has), 1));
    },
  };
}

/** sidePointLoss: cell-wise sigmoid cross entropy, cells near the target weighted 1 + 20 t. */
export function sidePointLossGraph(size: number): GraphLoss {
  return {
    targets: [{ name: "target", dtype: "float", shape: ["B", size, size, 1] }],
    build: (g: Graph, logits: Ref, t: Readonly<Record<string, Ref>>) => {
      const w = add(g, 1, mul(g, 20, t.target));
      const ce = add(
        g,
        sub(g, ops.relu(g, logits), mul(g, logits, t.target)),
        ops.log1p(g, ops.exp(g, neg(g, ops.abs(g, logits)))),
      );
      return div(g, sum(g, mul(g, w, ce)), sum(g, w));
    },
  };
}

/** weightedCrossEntropy: int32 labels [B], probabilities [B, 3]. */
function weightedCe(g: Graph, labels: Ref, probs: Ref): Ref {
  const onehot = ops.oneHot(g, labels, 3);
  const w = sum(g, mul(g, onehot, ops.constant(g, "float", [...SEVERITY_WEIGHTS], [3])), [1]);
  const ce = neg(g, sum(g, mul(g, onehot, log(g, clipByValue(g, probs, EPS, 1))), [1]));
  return div(g, sum(g, mul(g, w, ce)), sum(g, w));
}

/**
 * anySevereMasked: per study of the batch (mask [S, B]), P(any severe) = the largest P(severe) of
 * its samples, scored by binary cross entropy weighted 4 / 1 (anySevereSpinalLoss with one level).
 */
function anySevere(g: Graph, probs: Ref, mask: Ref, label: Ref): Ref {
  const severe = ops.reshape(g, ops.slice(g, probs, [0, 2], [-1, 1]), [1, -1], [1, "B"]);
  const p = clipByValue(g, ops.max(g, mul(g, mask, severe), [1]), EPS, 1 - EPS);
  const w = add(g, 1, mul(g, 3, label));
  const bce = neg(g, add(g, mul(g, label, log(g, p)), mul(g, sub(g, 1, label), log(g, sub(g, 1, p)))));
  return div(g, sum(g, mul(g, w, bce)), sum(g, w));
}

/** The classifier's loss: weighted CE, plus `anySevereWeight` x the any-severe term when given. */
export function severityLossGraph(anySevereWeight: number | null): GraphLoss {
  return {
    targets: [
      { name: "labels", dtype: "int32", shape: ["B"] },
      ...(anySevereWeight === null
        ? []
        : [
            { name: "any_mask", dtype: "float" as const, shape: ["S", "B"] },
            { name: "any_label", dtype: "float" as const, shape: ["S"] },
          ]),
    ],
    build: (g: Graph, probs: Ref, t: Readonly<Record<string, Ref>>) => {
      const ce = weightedCe(g, t.labels, probs);
      if (anySevereWeight === null) return ce;
      return add(g, ce, mul(g, anySevereWeight, anySevere(g, probs, t.any_mask, t.any_label)));
    },
  };
}
