import { GraphBuildError } from "../errors";
import type { Attr, DType, NodeSpec } from "./proto";

/**
 * A dimension: a number when the writer knows it, a name ("B": the batch) when only the run does.
 * Two equal names are the same size at run time; gradient rules rely on it to skip broadcasting
 * arithmetic between shapes that are the same.
 */
export type Dim = number | string;

/** One output of one node: what every op takes and gives. */
export interface Ref {
  readonly node: string;
  readonly index: number;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

/** What autodiff needs of a node: its op, inputs, outputs and attributes. */
export interface OpRecord {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly Ref[];
  readonly outputs: readonly Ref[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

/** A node's name (made unique under the current scope) and the nodes that must run before it. */
export interface NodeOptions {
  readonly name?: string;
  readonly control?: readonly string[];
}

/** The tensor name a run or a signature uses for a ref ("node:index"). */
export function tensorName(r: Ref): string {
  return `${r.node}:${r.index}`;
}

/** A ref as a signature lists it: tensor name, type, and shape with -1 for run-time dimensions. */
export function tensorInfo(r: Ref): { name: string; dtype: DType; shape: number[] } {
  return { name: tensorName(r), dtype: r.dtype, shape: r.shape.map((d) => (typeof d === "number" ? d : -1)) };
}

/**
 * A TensorFlow graph under construction: nodes in the order they were made (inputs always first,
 * so that order is topological), each with the static shapes of its outputs.
 */
export class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly records = new Map<string, OpRecord>();
  private readonly used = new Set<string>();
  private prefix: string[] = [];

  /** Make a node; returns its outputs. `control`: nodes that must run first. */
  add(
    op: string,
    inputs: readonly Ref[],
    attrs: Record<string, Attr>,
    outputs: readonly { dtype: DType; shape: readonly Dim[] }[],
    opts: NodeOptions = {},
  ): Ref[] {
    return [...this.make(op, inputs, attrs, outputs, opts).outputs];
  }

  /** A node with one output. */
  add1(
    op: string,
    inputs: readonly Ref[],
    attrs: Record<string, Attr>,
    out: { dtype: DType; shape: readonly Dim[] },
    opts: NodeOptions = {},
  ): Ref {
    return this.make(op, inputs, attrs, [out], opts).outputs[0];
  }

  /** A node with no outputs (assignments, NoOp); returns its name, for control inputs. */
  add0(op: string, inputs: readonly Ref[], attrs: Record<string, Attr>, opts: NodeOptions = {}): string {
    return this.make(op, inputs, attrs, [], opts).name;
  }

  private make(
    op: string,
    inputs: readonly Ref[],
    attrs: Record<string, Attr>,
    outputs: readonly { dtype: DType; shape: readonly Dim[] }[],
    opts: NodeOptions,
  ): OpRecord {
    const name = this.uniqueName(opts.name ?? op);
    for (const r of inputs)
      if (!this.records.has(r.node))
        throw new GraphBuildError(`${op} "${name}": input ${r.node} is not in the graph`);
    for (const c of opts.control ?? [])
      if (!this.records.has(c))
        throw new GraphBuildError(`${op} "${name}": control input ${c} is not in the graph`);
    const refs = outputs.map((o, index) => ({ node: name, index, dtype: o.dtype, shape: o.shape }));
    this.nodes.push({
      name,
      op,
      inputs: [...inputs.map(tensorName), ...(opts.control ?? []).map((c) => `^${c}`)],
      attrs,
    });
    const record = { op, name, inputs, outputs: refs, attrs };
    this.records.set(name, record);
    return record;
  }

  /** Names made inside `f` start with `scope/` (gradients, optimizer, signatures stay apart). */
  scoped<T>(scope: string, f: () => T): T {
    this.prefix.push(scope);
    try {
      return f();
    } finally {
      this.prefix.pop();
    }
  }

  private uniqueName(base: string): string {
    const full = [...this.prefix, base].join("/");
    if (!this.used.has(full)) {
      this.used.add(full);
      return full;
    }
    for (let i = 1; ; i++) {
      const candidate = `${full}_${i}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }
}
