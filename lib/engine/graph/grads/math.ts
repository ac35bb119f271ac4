import type { Graph, OpRecord, Ref } from "../graph";
import { broadcastTo, cast, expandDims, shapeOf, zerosLike } from "../ops/array";
import * as m from "../ops/math";
import { registerGrads } from "./registry";
import { need, unbroadcast } from "./util";

/** Gradient rules of elementwise arithmetic and reductions (TensorFlow's and tfjs's formulas). */

/** The reduction axes of a Sum/Mean/Max node (its second input, an int32 constant). */
function reductionAxes(g: Graph, op: OpRecord): number[] {
  const axesNode = g.records.get(op.inputs[1].node)!;
  const value = axesNode.attrs.value as { tensor: { values: ArrayLike<number> } };
  const rank = op.inputs[0].shape.length;
  return Array.from(value.tensor.values, (a) => (a < 0 ? a + rank : a));
}

/** t (dy or y of a reduction) with its reduced axes put back as size 1, so it broadcasts against x. */
function withReducedAxes(g: Graph, op: OpRecord, dy: Ref): Ref {
  const keep = op.attrs.keep_dims as { b: boolean };
  if (keep.b) return dy;
  // In increasing order, each axis lands where the reduction took it from.
  return [...reductionAxes(g, op)].sort((p, q) => p - q).reduce((t, axis) => expandDims(g, t, axis), dy);
}

registerGrads({
  AddV2: (g, op, [dy]) => [unbroadcast(g, need(dy), op.inputs[0]), unbroadcast(g, need(dy), op.inputs[1])],
  Sub: (g, op, [dy]) => [
    unbroadcast(g, need(dy), op.inputs[0]),
    unbroadcast(g, m.neg(g, need(dy)), op.inputs[1]),
  ],
  Mul: (g, op, [dy]) => {
    const [a, b] = op.inputs;
    return [unbroadcast(g, m.mul(g, need(dy), b), a), unbroadcast(g, m.mul(g, need(dy), a), b)];
  },
  RealDiv: (g, op, [dy]) => {
    const [a, b] = op.inputs;
    const da = m.div(g, need(dy), b);
    const db = m.neg(g, m.div(g, m.mul(g, need(dy), a), m.square(g, b)));
    return [unbroadcast(g, da, a), unbroadcast(g, db, b)];
  },
  Maximum: (g, op, [dy]) => {
    const [a, b] = op.inputs;
    const zero = zerosLike(g, need(dy));
    const aWins = m.greaterEqual(g, a, b);
    return [
      unbroadcast(g, m.select(g, aWins, need(dy), zero), a),
      unbroadcast(g, m.select(g, aWins, zero, need(dy)), b),
    ];
  },
  Neg: (g, _op, [dy]) => [m.neg(g, need(dy))],
  Log: (g, op, [dy]) => [m.div(g, need(dy), op.inputs[0])],
  Exp: (g, op, [dy]) => [m.mul(g, need(dy), op.outputs[0])],
  Log1p: (g, op, [dy]) => [m.div(g, need(dy), m.add(g, op.inputs[0], 1))],
  Abs: (g, op, [dy]) => [m.mul(g, need(dy), m.sign(g, op.inputs[0]))],
  Square: (g, op, [dy]) => [m.mul(g, need(dy), m.mul(g, op.inputs[0], 2))],
  Sqrt: (g, op, [dy]) => [m.div(g, need(dy), m.mul(g, op.outputs[0], 2))],
  ClipByValue: (g, op, [dy]) => {
    const [x, lo, hi] = op.inputs;
    const inside = m.logicalAnd(g, m.greaterEqual(g, x, lo), m.lessEqual(g, x, hi));
    return [m.select(g, inside, need(dy), zerosLike(g, need(dy))), null, null];
  },
  Sum: (g, op, [dy]) => [
    broadcastTo(g, withReducedAxes(g, op, need(dy)), shapeOf(g, op.inputs[0]), op.inputs[0].shape),
    null,
  ],
  Mean: (g, op, [dy]) => {
    const x = op.inputs[0];
    const counted = reductionAxes(g, op).map((a) => x.shape[a]);
    // Elements per mean: known when the graph is written, else size(x) / size(mean) when it runs.
    const n = counted.every((d) => typeof d === "number")
      ? (counted as number[]).reduce((p, q) => p * q, 1)
      : m.div(g, cast(g, m.size(g, x), "float"), cast(g, m.size(g, op.outputs[0]), "float"));
    const spread = broadcastTo(g, withReducedAxes(g, op, need(dy)), shapeOf(g, x), x.shape);
    return [m.div(g, spread, n), null];
  },
  // tfjs's rule: dy where x equals the maximum (every tied element gets it whole).
  Max: (g, op, [dy]) => {
    const x = op.inputs[0];
    const y = withReducedAxes(g, op, op.outputs[0]);
    const hit = cast(g, m.equal(g, x, y), "float");
    return [m.mul(g, withReducedAxes(g, op, need(dy)), hit), null];
  },
});
