import { GraphBuildError } from "../../errors";
import type { Dim, Graph, Ref } from "../graph";
import type { DType } from "../proto";
import { ints, scalar } from "./array";

/** Elementwise arithmetic with NumPy broadcasting, and reductions. */

/** The broadcast of two static shapes (right-aligned; a 1 stretches; equal names match). */
export function broadcastShape(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else throw new GraphBuildError(`shapes [${a}] and [${b}] do not broadcast`);
  }
  return out;
}

type Operand = Ref | number;

/** A number operand becomes a float scalar constant. */
function asRef(g: Graph, x: Operand): Ref {
  return typeof x === "number" ? scalar(g, x) : x;
}

function binary(op: string, g: Graph, a: Operand, b: Operand, outType?: DType): Ref {
  const x = asRef(g, a);
  const y = asRef(g, b);
  return g.add1(
    op,
    [x, y],
    { T: { type: x.dtype } },
    { dtype: outType ?? x.dtype, shape: broadcastShape(x.shape, y.shape) },
  );
}

export const add = (g: Graph, a: Operand, b: Operand) => binary("AddV2", g, a, b);
export const sub = (g: Graph, a: Operand, b: Operand) => binary("Sub", g, a, b);
export const mul = (g: Graph, a: Operand, b: Operand) => binary("Mul", g, a, b);
export const div = (g: Graph, a: Operand, b: Operand) => binary("RealDiv", g, a, b);
export const maximum = (g: Graph, a: Operand, b: Operand) => binary("Maximum", g, a, b);
export const greaterEqual = (g: Graph, a: Operand, b: Operand) => binary("GreaterEqual", g, a, b, "bool");
export const lessEqual = (g: Graph, a: Operand, b: Operand) => binary("LessEqual", g, a, b, "bool");
export const equal = (g: Graph, a: Operand, b: Operand) => binary("Equal", g, a, b, "bool");
export const logicalAnd = (g: Graph, a: Ref, b: Ref) =>
  g.add1("LogicalAnd", [a, b], {}, { dtype: "bool", shape: broadcastShape(a.shape, b.shape) });

function unary(op: string, g: Graph, x: Ref): Ref {
  return g.add1(op, [x], { T: { type: x.dtype } }, { dtype: x.dtype, shape: x.shape });
}

export const neg = (g: Graph, x: Ref) => unary("Neg", g, x);
export const log = (g: Graph, x: Ref) => unary("Log", g, x);
export const exp = (g: Graph, x: Ref) => unary("Exp", g, x);
export const log1p = (g: Graph, x: Ref) => unary("Log1p", g, x);
export const abs = (g: Graph, x: Ref) => unary("Abs", g, x);
export const sign = (g: Graph, x: Ref) => unary("Sign", g, x);
export const square = (g: Graph, x: Ref) => unary("Square", g, x);
export const sqrt = (g: Graph, x: Ref) => unary("Sqrt", g, x);
export const relu = (g: Graph, x: Ref) => unary("Relu", g, x);

/** cond ? a : b, elementwise. */
export function select(g: Graph, cond: Ref, a: Ref, b: Ref): Ref {
  const shape = broadcastShape(cond.shape, broadcastShape(a.shape, b.shape));
  return g.add1("SelectV2", [cond, a, b], { T: { type: a.dtype } }, { dtype: a.dtype, shape });
}

/** min(max(x, lo), hi) as one op (its gradient passes where lo <= x <= hi, as tfjs's does). */
export function clipByValue(g: Graph, x: Ref, lo: number, hi: number): Ref {
  return g.add1(
    "ClipByValue",
    [x, scalar(g, lo), scalar(g, hi)],
    { T: { type: x.dtype } },
    { dtype: x.dtype, shape: x.shape },
  );
}

/** The static shape of a reduction over `axes`. */
export function reducedShape(shape: readonly Dim[], axes: readonly number[], keepDims: boolean): Dim[] {
  const norm = axes.map((a) => (a < 0 ? a + shape.length : a));
  return keepDims
    ? shape.map((d, i) => (norm.includes(i) ? 1 : d))
    : shape.filter((_, i) => !norm.includes(i));
}

function reduce(op: string, g: Graph, x: Ref, axes: readonly number[] | null, keepDims: boolean): Ref {
  const all = axes ?? x.shape.map((_, i) => i);
  return g.add1(
    op,
    [x, ints(g, all)],
    { T: { type: x.dtype }, Tidx: { type: "int32" }, keep_dims: { b: keepDims } },
    { dtype: x.dtype, shape: reducedShape(x.shape, all, keepDims) },
  );
}

/** Reductions over `axes` (null: all of them). */
export const sum = (g: Graph, x: Ref, axes: readonly number[] | null = null, keepDims = false) =>
  reduce("Sum", g, x, axes, keepDims);
export const max = (g: Graph, x: Ref, axes: readonly number[] | null = null, keepDims = false) =>
  reduce("Max", g, x, axes, keepDims);
export const mean = (g: Graph, x: Ref, axes: readonly number[] | null = null, keepDims = false) =>
  reduce("Mean", g, x, axes, keepDims);

/** Number of elements of x (int32 scalar). */
export function size(g: Graph, x: Ref): Ref {
  return g.add1(
    "Size",
    [x],
    { T: { type: x.dtype }, out_type: { type: "int32" } },
    { dtype: "int32", shape: [] },
  );
}
