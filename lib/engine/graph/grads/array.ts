import { GraphBuildError } from "../../errors";
import type { Graph, OpRecord } from "../graph";
import { transpose } from "../ops/array";
import * as a from "../ops/array";
import { registerGrads } from "./registry";
import { need, reshapeLike } from "./util";

/** Gradient rules of ops that move values: identity, reshape, transpose, concatenation, slicing. */

/** The int32 values of a constant input of `op`. */
function constInts(g: Graph, op: OpRecord, input: number): number[] {
  const node = g.records.get(op.inputs[input].node)!;
  const value = node.attrs.value as { tensor: { values: ArrayLike<number> } };
  return Array.from(value.tensor.values);
}

registerGrads({
  Identity: (_g, _op, [dy]) => [need(dy)],
  Reshape: (g, op, [dy]) => [reshapeLike(g, need(dy), op.inputs[0]), null],
  Transpose: (g, op, [dy]) => {
    const perm = constInts(g, op, 1);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, need(dy), inverse), null];
  },
  // Each input's part of dy: a slice along the axis at its offset.
  ConcatV2: (g, op, [dy]) => {
    const xs = op.inputs.slice(0, -1);
    const axis = constInts(g, op, xs.length)[0];
    let offset = 0;
    const parts = xs.map((x) => {
      const n = x.shape[axis];
      if (typeof n !== "number")
        throw new GraphBuildError("ConcatV2's gradient needs the sizes along the axis known");
      const begin = x.shape.map((_, i) => (i === axis ? offset : 0));
      const size = x.shape.map((_, i) => (i === axis ? n : -1));
      offset += n;
      return a.slice(g, need(dy), begin, size);
    });
    return [...parts, null];
  },
  // dy padded back with zeros to x's shape; sliced axes must be known (a run-time axis is taken whole).
  Slice: (g, op, [dy]) => {
    const x = op.inputs[0];
    const begin = constInts(g, op, 1);
    const y = op.outputs[0];
    const pads = x.shape.flatMap((d, i) => {
      if (typeof d !== "number") {
        if (begin[i] !== 0 || y.shape[i] !== d)
          throw new GraphBuildError("Slice's gradient cannot pad an axis of run-time size");
        return [0, 0];
      }
      return [begin[i], d - begin[i] - (y.shape[i] as number)];
    });
    const padded = g.add1(
      "Pad",
      [need(dy), a.constant(g, "int32", pads, [x.shape.length, 2])],
      { T: { type: "float" }, Tpaddings: { type: "int32" } },
      { dtype: "float", shape: x.shape },
    );
    return [padded, null, null];
  },
});
