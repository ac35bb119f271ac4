import type { Graph, Ref } from "./graph";
import { assignVariable, concat, readVariable, reshape, splitV, varHandle } from "./ops/array";
import * as m from "./ops/math";

/** Adam's hyperparameters (tfjs's defaults; epsilon is the backend's, 1e-7 in float32). */
export interface AdamHyper {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Adam's state in the graph: the two flat moment vectors and the running powers of the betas. */
export interface AdamVars {
  readonly m: Ref;
  readonly v: Ref;
  readonly accBeta1: Ref;
  readonly accBeta2: Ref;
  /** Parameters per trainable variable, in order. */
  readonly sizes: readonly number[];
}

export function adamVariables(g: Graph, sizes: readonly number[]): AdamVars {
  const total = sizes.reduce((a, b) => a + b, 0);
  return {
    m: varHandle(g, "adam/m", [total]),
    v: varHandle(g, "adam/v", [total]),
    accBeta1: varHandle(g, "adam/acc_beta1", []),
    accBeta2: varHandle(g, "adam/acc_beta2", []),
    sizes,
  };
}

/**
 * FlatAdam's update (lib/engine/flat-adam.ts), op for op in the same order so the arithmetic is
 * the same: the gradients concatenated into one vector, the moments and bias corrections over it,
 * and one step split back per variable and added to it. Returns the assignments' node names.
 */
export function adamUpdate(
  g: Graph,
  s: AdamVars,
  params: { handles: readonly Ref[]; reads: readonly Ref[]; grads: readonly Ref[] },
  lr: Ref,
  h: AdamHyper,
): string[] {
  return g.scoped("adam", () => {
    const grad = concat(
      g,
      params.grads.map((d, i) => reshape(g, d, [-1], [s.sizes[i]])),
      0,
    );
    const accBeta1 = readVariable(g, s.accBeta1);
    const accBeta2 = readVariable(g, s.accBeta2);
    const oneMinusAccBeta1 = m.sub(g, 1, accBeta1);
    const oneMinusAccBeta2 = m.sub(g, 1, accBeta2);
    const mNew = m.add(g, m.mul(g, readVariable(g, s.m), h.beta1), m.mul(g, grad, 1 - h.beta1));
    const vNew = m.add(g, m.mul(g, readVariable(g, s.v), h.beta2), m.mul(g, m.square(g, grad), 1 - h.beta2));
    const mHat = m.div(g, mNew, oneMinusAccBeta1);
    const vHat = m.div(g, vNew, oneMinusAccBeta2);
    const step = m.mul(g, m.div(g, mHat, m.add(g, m.sqrt(g, vHat), h.epsilon)), m.neg(g, lr));
    const parts = splitV(g, step, s.sizes, 0);
    return [
      assignVariable(g, s.m, mNew),
      assignVariable(g, s.v, vNew),
      ...params.handles.map((handle, i) =>
        assignVariable(g, handle, m.add(g, reshape(g, parts[i], handle.shape as number[]), params.reads[i])),
      ),
      assignVariable(g, s.accBeta1, m.mul(g, accBeta1, h.beta1)),
      assignVariable(g, s.accBeta2, m.mul(g, accBeta2, h.beta2)),
    ];
  });
}
