import { GraphBuildError } from "../errors";
import { tensorName, type Graph, type Ref } from "./graph";
import { addN, constant } from "./ops/array";
import { GRAD_RULES } from "./grads/registry";
import "./grads/array";
import "./grads/math";
import "./grads/nn";

/**
 * Reverse-mode differentiation of a scalar `y` with respect to `xs`, written into the graph:
 * the ops between them are visited from y back (nodes were made in topological order), each
 * op's gradient rule turning the gradients of its outputs into those of its inputs; several
 * contributions to one tensor are summed (AddN, in the order they arrive). Every x must reach y.
 */
export function gradients(g: Graph, y: Ref, xs: readonly Ref[]): Ref[] {
  return g.scoped("gradients", () => {
    const onPath = opsBetween(g, y, xs);
    const sources = new Set(xs.map((x) => x.node));
    const pending = new Map<string, Ref[]>([
      [tensorName(y), [constant(g, "float", [1], [], { name: "ones" })]],
    ]);
    const total = (r: Ref): Ref | null => {
      const parts = pending.get(tensorName(r));
      return parts?.length ? addN(g, parts) : null;
    };
    for (let i = g.nodes.length - 1; i >= 0; i--) {
      const name = g.nodes[i].name;
      if (!onPath.has(name) || sources.has(name)) continue;
      const op = g.records.get(name)!;
      const dys = op.outputs.map(total);
      if (dys.every((d) => d === null)) continue;
      const rule = GRAD_RULES.get(op.op);
      if (!rule) throw new GraphBuildError(`no gradient rule for ${op.op} (node ${name})`);
      rule(g, op, dys).forEach((dx, k) => {
        const input = op.inputs[k];
        if (!dx || !onPath.has(input.node)) return;
        const key = tensorName(input);
        pending.set(key, [...(pending.get(key) ?? []), dx]);
      });
    }
    return xs.map((x) => {
      const dx = total(x);
      if (!dx) throw new GraphBuildError(`${x.node} does not reach the loss: it would get no gradient`);
      return dx;
    });
  });
}

/** Nodes that depend on some x and that y depends on (the xs' own nodes included). */
function opsBetween(g: Graph, y: Ref, xs: readonly Ref[]): Set<string> {
  const fromX = new Set(xs.map((x) => x.node));
  for (const n of g.nodes) {
    const rec = g.records.get(n.name)!;
    if (rec.inputs.some((r) => fromX.has(r.node))) fromX.add(n.name);
  }
  const toY = new Set<string>();
  const stack = [y.node];
  while (stack.length) {
    const name = stack.pop()!;
    if (toY.has(name) || !fromX.has(name)) continue;
    toY.add(name);
    for (const r of g.records.get(name)!.inputs) stack.push(r.node);
  }
  return toY;
}
