import { GraphBuildError } from "../../errors";
import type { Dim, Graph, NodeOptions, Ref } from "../graph";
import type { Attr, DType } from "../proto";

/** Constants, placeholders, variables and the ops that move values around without arithmetic. */

const F = { type: "float" } as const;

export function placeholder(g: Graph, name: string, dtype: DType, shape: readonly Dim[]): Ref {
  const dims = shape.map((d) => (typeof d === "number" ? d : -1));
  return g.add1(
    "Placeholder",
    [],
    { dtype: { type: dtype }, shape: { shape: dims } },
    { dtype, shape },
    { name },
  );
}

export function constant(
  g: Graph,
  dtype: "float" | "int32",
  values: ArrayLike<number>,
  dims: readonly number[],
  opts: NodeOptions = {},
): Ref {
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size)
    throw new GraphBuildError(`constant of shape [${dims}] needs ${size} values, got ${values.length}`);
  return g.add1(
    "Const",
    [],
    { dtype: { type: dtype }, value: { tensor: { dtype, values, dims } } },
    { dtype, shape: dims },
    { name: "Const", ...opts },
  );
}

export const scalar = (g: Graph, v: number): Ref => constant(g, "float", [v], []);
export const ints = (g: Graph, v: readonly number[]): Ref => constant(g, "int32", v, [v.length]);

/** A resource variable's handle (shared_name = its node name, unique in the graph). */
export function varHandle(g: Graph, name: string, shape: readonly number[]): Ref {
  const attrs: Record<string, Attr> = { dtype: F, shape: { shape }, container: { s: "" } };
  const handle = g.add1("VarHandleOp", [], attrs, { dtype: "resource", shape: [] }, { name });
  // Named once the node's unique name is known (the graph keeps this same attrs object).
  attrs.shared_name = { s: handle.node };
  return { ...handle, shape };
}

export function readVariable(g: Graph, handle: Ref, opts: NodeOptions = {}): Ref {
  return g.add1("ReadVariableOp", [handle], { dtype: F }, { dtype: "float", shape: handle.shape }, opts);
}

export function assignVariable(g: Graph, handle: Ref, value: Ref, opts: NodeOptions = {}): string {
  return g.add0("AssignVariableOp", [handle, value], { dtype: F }, opts);
}

export function identity(g: Graph, x: Ref, opts: NodeOptions = {}): Ref {
  return g.add1("Identity", [x], { T: { type: x.dtype } }, { dtype: x.dtype, shape: x.shape }, opts);
}

export function noOp(g: Graph, control: readonly string[], name = "NoOp"): string {
  return g.add0("NoOp", [], {}, { name, control });
}

/** x's shape as an int32 vector, known when the graph runs. */
export function shapeOf(g: Graph, x: Ref): Ref {
  return g.add1(
    "Shape",
    [x],
    { T: { type: x.dtype }, out_type: { type: "int32" } },
    { dtype: "int32", shape: [x.shape.length] },
  );
}

/** Reshape to `dims` (numbers, one of them may be -1) whose static shape is `shape`. */
export function reshape(g: Graph, x: Ref, dims: readonly number[], shape: readonly Dim[] = dims): Ref {
  return reshapeTo(g, x, ints(g, dims), shape);
}

/** Reshape to a shape computed in the graph. */
export function reshapeTo(g: Graph, x: Ref, to: Ref, shape: readonly Dim[]): Ref {
  return g.add1(
    "Reshape",
    [x, to],
    { T: { type: x.dtype }, Tshape: { type: "int32" } },
    { dtype: x.dtype, shape },
  );
}

/** x with a new axis of size 1 at `axis`. */
export function expandDims(g: Graph, x: Ref, axis: number): Ref {
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  return g.add1(
    "ExpandDims",
    [x, constant(g, "int32", [axis], [])],
    { T: { type: x.dtype }, Tdim: { type: "int32" } },
    { dtype: x.dtype, shape },
  );
}

export function transpose(g: Graph, x: Ref, perm: readonly number[]): Ref {
  const shape = perm.map((p) => x.shape[p]);
  return g.add1(
    "Transpose",
    [x, ints(g, perm)],
    { T: { type: x.dtype }, Tperm: { type: "int32" } },
    { dtype: x.dtype, shape },
  );
}

/** Concatenate along `axis` (every other dimension equal). */
export function concat(g: Graph, xs: readonly Ref[], axis: number): Ref {
  const rank = xs[0].shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const along = xs.map((x) => x.shape[ax]);
  const total = along.every((d) => typeof d === "number")
    ? (along as number[]).reduce((a, b) => a + b, 0)
    : "?";
  const shape = xs[0].shape.map((d, i) => (i === ax ? total : d));
  return g.add1(
    "ConcatV2",
    [...xs, constant(g, "int32", [ax], [])],
    { T: { type: xs[0].dtype }, N: { i: xs.length }, Tidx: { type: "int32" } },
    { dtype: xs[0].dtype, shape },
  );
}

/** Split along `axis` into pieces of the given sizes. */
export function splitV(g: Graph, x: Ref, sizes: readonly number[], axis: number): Ref[] {
  return g.add(
    "SplitV",
    [x, ints(g, sizes), constant(g, "int32", [axis], [])],
    { T: { type: x.dtype }, num_split: { i: sizes.length }, Tlen: { type: "int32" } },
    sizes.map((n) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? n : d)) })),
  );
}

/** x[begin : begin + size] per axis; size -1 = to the end (its static size is `shape`'s). */
export function slice(g: Graph, x: Ref, begin: readonly number[], size: readonly number[]): Ref {
  const shape = size.map((s, i) =>
    s >= 0 ? s : typeof x.shape[i] === "number" ? (x.shape[i] as number) - begin[i] : x.shape[i],
  );
  return g.add1(
    "Slice",
    [x, ints(g, begin), ints(g, size)],
    { T: { type: x.dtype }, Index: { type: "int32" } },
    { dtype: x.dtype, shape },
  );
}

export function broadcastTo(g: Graph, x: Ref, to: Ref, shape: readonly Dim[]): Ref {
  return g.add1(
    "BroadcastTo",
    [x, to],
    { T: { type: x.dtype }, Tidx: { type: "int32" } },
    { dtype: x.dtype, shape },
  );
}

/** One-hot rows of float 1/0 for int32 indices (an index out of range gives a zero row). */
export function oneHot(g: Graph, indices: Ref, depth: number): Ref {
  return g.add1(
    "OneHot",
    [indices, constant(g, "int32", [depth], []), scalar(g, 1), scalar(g, 0)],
    { T: F, TI: { type: "int32" }, axis: { i: -1 } },
    { dtype: "float", shape: [...indices.shape, depth] },
  );
}

export function cast(g: Graph, x: Ref, to: DType): Ref {
  return g.add1(
    "Cast",
    [x],
    { SrcT: { type: x.dtype }, DstT: { type: to }, Truncate: { b: false } },
    { dtype: to, shape: x.shape },
  );
}

/** Sum of same-shaped tensors (gradient accumulation). */
export function addN(g: Graph, xs: readonly Ref[]): Ref {
  if (xs.length === 1) return xs[0];
  return g.add1(
    "AddN",
    xs,
    { T: { type: xs[0].dtype }, N: { i: xs.length } },
    { dtype: xs[0].dtype, shape: xs[0].shape },
  );
}

export function zerosLike(g: Graph, x: Ref): Ref {
  return g.add1("ZerosLike", [x], { T: { type: x.dtype } }, { dtype: x.dtype, shape: x.shape });
}
