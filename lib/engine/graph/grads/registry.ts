import type { Graph, OpRecord, Ref } from "../graph";

/**
 * A gradient rule: given the op and the gradients reaching its outputs (null where none does),
 * the gradients of its inputs (null where an input takes none, e.g. a shape or an index).
 */
export type GradRule = (g: Graph, op: OpRecord, dys: readonly (Ref | null)[]) => (Ref | null)[];

/** Every op type the writer can differentiate, by TensorFlow op name. */
export const GRAD_RULES = new Map<string, GradRule>();

export function registerGrads(rules: Readonly<Record<string, GradRule>>): void {
  for (const [op, rule] of Object.entries(rules)) GRAD_RULES.set(op, rule);
}
