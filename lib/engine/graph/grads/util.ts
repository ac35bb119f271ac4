import { GraphBuildError } from "../../errors";
import type { Dim, Graph, Ref } from "../graph";
import { reshape, reshapeTo, shapeOf } from "../ops/array";
import { sum } from "../ops/math";

/** The gradient of an op output reaching input x: present, by the op's contract. */
export function need(dy: Ref | null): Ref {
  if (!dy) throw new GraphBuildError("gradient rule called without a gradient for a single-output op");
  return dy;
}

/** Reshape to x's shape: static ints when every dimension is known, else x's run-time shape. */
export function reshapeLike(g: Graph, t: Ref, x: Ref): Ref {
  const known = x.shape.every((d) => typeof d === "number");
  return known ? reshape(g, t, x.shape as number[]) : reshapeTo(g, t, shapeOf(g, x), x.shape);
}

/**
 * The gradient of a broadcasting op's output, summed back to the shape of its input x: over the
 * leading axes x lacks and the axes where x is 1 and the output is not. Equal dimension names
 * are equal sizes (see Dim), so the axes are known when the graph is written.
 */
export function unbroadcast(g: Graph, grad: Ref, x: Ref): Ref {
  const lead = grad.shape.length - x.shape.length;
  const axes: number[] = [];
  grad.shape.forEach((d: Dim, i) => {
    if (i < lead) axes.push(i);
    else if (x.shape[i - lead] === 1 && d !== 1) axes.push(i);
  });
  if (!axes.length) return grad;
  return reshapeLike(g, sum(g, grad, axes, true), x);
}
