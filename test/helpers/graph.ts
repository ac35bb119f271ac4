import {
  Graph,
  gradients,
  ops,
  tensorInfo,
  type Dim,
  type GraphProgram,
  type Ref,
} from "../../lib/engine/graph";

/** A graph input for gradProgram: its feed name, type and shape (a string dimension is fed at run time). */
export interface ProgramInput {
  name: string;
  dtype: "float" | "int32";
  shape: Dim[];
  /** Differentiate the result with respect to this input. */
  wrt?: boolean;
}

/**
 * One signature `run`: feeds the inputs, computes `f` (a scalar when `weighted` is false, else
 * sum(f * r) for a fed `r` of f's shape) and returns `y` (f) and `d_<name>` for each wrt input.
 */
export function gradProgram(
  inputs: ProgramInput[],
  f: (g: Graph, xs: Record<string, Ref>) => Ref,
  weighted: boolean,
): GraphProgram {
  const g = new Graph();
  const refs = Object.fromEntries(inputs.map((i) => [i.name, ops.placeholder(g, i.name, i.dtype, i.shape)]));
  const y = f(g, refs);
  const r = weighted ? ops.placeholder(g, "r", "float", y.shape) : null;
  const wrt = inputs.filter((i) => i.wrt);
  const grads = gradients(
    g,
    r ? ops.sum(g, ops.mul(g, y, r)) : y,
    wrt.map((i) => refs[i.name]),
  );
  const feeds = Object.fromEntries(
    [...Object.entries(refs), ...(r ? [["r", r] as const] : [])].map(([k, t]) => [k, tensorInfo(t)]),
  );
  const outputs = Object.fromEntries([
    ["y", tensorInfo(y)],
    ...wrt.map((i, k) => [`d_${i.name}`, tensorInfo(grads[k])]),
  ]);
  return { nodes: g.nodes, signatures: { run: { inputs: feeds, outputs } }, initOp: ops.noOp(g, [], "init") };
}
