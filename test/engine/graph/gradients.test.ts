import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../../lib/engine/backend";
import { GraphSession, ops, type Dim, type Graph, type Ref } from "../../../lib/engine/graph";
import { gradProgram } from "../../helpers/graph";
import { Rng } from "../../../lib/util/rng";
import { haveNativeTensorflow } from "../../helpers/native";
import { randn, relError } from "../parity";

// Every gradient rule the graph writer has, checked against tfjs's own gradients of the same
// function on seeded inputs: loss = sum(f(x...) * r) for a random r, so every output element
// carries a different weight back.

interface Case {
  name: string;
  /** Input shapes; a string dimension is fed at run time (its size given in `sizes`). */
  shapes: Dim[][];
  graph: (g: Graph, xs: Ref[]) => Ref;
  eager: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Make inputs positive (abs + 0.5), for log and sqrt. */
  positive?: boolean;
}

const SIZES: Record<string, number> = { B: 3 };
const conv = (o: { strides: number; padding: "SAME" | "VALID"; dilation: number }) => ({
  graph: (g: Graph, [x, w]: Ref[]) => ops.conv2d(g, x, w, o),
  eager: (x: tf.Tensor, w: tf.Tensor) =>
    tf.conv2d(
      x as tf.Tensor4D,
      w as tf.Tensor4D,
      o.strides,
      o.padding === "SAME" ? "same" : "valid",
      "NHWC",
      o.dilation,
    ),
});
const unary = (
  name: string,
  g1: (g: Graph, x: Ref) => Ref,
  e: (x: tf.Tensor) => tf.Tensor,
  positive = false,
): Case => ({
  name,
  shapes: [[3, 4]],
  graph: (g, [x]) => g1(g, x),
  eager: e,
  positive,
});
const binary = (
  name: string,
  g2: (g: Graph, a: Ref, b: Ref) => Ref,
  e: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  shapes: Dim[][],
): Case => ({
  name,
  shapes,
  graph: (g, [a, b]) => g2(g, a, b),
  eager: e,
});

const CASES: Case[] = [
  {
    name: "Conv2D same, stride 1",
    shapes: [
      [2, 7, 7, 3],
      [3, 3, 3, 4],
    ],
    ...conv({ strides: 1, padding: "SAME", dilation: 1 }),
  },
  {
    name: "Conv2D valid, stride 2",
    shapes: [
      [2, 9, 8, 3],
      [3, 3, 3, 5],
    ],
    ...conv({ strides: 2, padding: "VALID", dilation: 1 }),
  },
  {
    name: "Conv2D 5x5, run-time batch",
    shapes: [
      ["B", 6, 6, 2],
      [5, 5, 2, 3],
    ],
    ...conv({ strides: 1, padding: "SAME", dilation: 1 }),
  },
  {
    name: "BiasAdd",
    shapes: [[2, 3, 3, 4], [4]],
    graph: (g, [x, b]) => ops.biasAdd(g, x, b),
    eager: (x, b) => tf.add(x, b),
  },
  {
    name: "FusedBatchNormV3 (training) against moments + batchNorm",
    shapes: [[4, 5, 5, 3], [3], [3]],
    graph: (g, [x, s, o]) => ops.fusedBatchNorm(g, x, s, o, null, 1e-3)[0],
    eager: (x, s, o) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, o, s, 1e-3);
    },
  },
  unary("Relu", ops.relu, tf.relu),
  {
    name: "MaxPool 2x2",
    shapes: [[2, 6, 6, 3]],
    graph: (g, [x]) => ops.maxPool(g, x, 2, 2, "VALID"),
    eager: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"),
  },
  {
    name: "Mean over H, W (global average pooling)",
    shapes: [["B", 4, 5, 3]],
    graph: (g, [x]) => ops.mean(g, x, [1, 2]),
    eager: (x) => tf.mean(x, [1, 2]),
  },
  {
    name: "Mean over a run-time axis",
    shapes: [["B", 4]],
    graph: (g, [x]) => ops.mean(g, x),
    eager: (x) => tf.mean(x),
  },
  {
    name: "MatMul",
    shapes: [
      [3, 4],
      [4, 5],
    ],
    graph: (g, [a, b]) => ops.matMul(g, a, b),
    eager: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  },
  unary("Softmax", ops.softmax, (x) => tf.softmax(x)),
  unary("LogSoftmax", ops.logSoftmax, (x) => tf.logSoftmax(x)),
  {
    name: "ConcatV2 on the last axis",
    shapes: [
      ["B", 3],
      ["B", 2],
    ],
    graph: (g, xs) => ops.concat(g, xs, -1),
    eager: (a, b) => tf.concat([a, b], -1),
  },
  binary("AddV2, broadcast [3]", ops.add, tf.add, [[2, 3], [3]]),
  binary("Sub, broadcast [2, 1]", ops.sub, tf.sub, [
    [2, 3],
    [2, 1],
  ]),
  binary("Mul, broadcast both ways", ops.mul, tf.mul, [
    [2, 1],
    [1, 3],
  ]),
  binary("Mul, run-time batch", ops.mul, tf.mul, [
    ["B", 3],
    ["B", 3],
  ]),
  binary(
    "RealDiv, broadcast a scalar",
    (g, a, b) => ops.div(g, a, ops.add(g, ops.abs(g, b), 0.5)),
    (a, b) => tf.div(a, tf.add(tf.abs(b), 0.5)),
    [[2, 3], []],
  ),
  binary("Maximum", ops.maximum, tf.maximum, [
    [3, 4],
    [3, 4],
  ]),
  unary("Neg", ops.neg, tf.neg),
  unary("Log", ops.log, tf.log, true),
  unary("Exp", ops.exp, tf.exp),
  unary("Log1p", ops.log1p, tf.log1p, true),
  unary("Abs", ops.abs, tf.abs),
  unary("Square", ops.square, tf.square),
  unary("Sqrt", ops.sqrt, tf.sqrt, true),
  unary(
    "ClipByValue",
    (g, x) => ops.clipByValue(g, x, -0.5, 0.7),
    (x) => tf.clipByValue(x, -0.5, 0.7),
  ),
  unary(
    "Sum over axis 1",
    (g, x) => ops.sum(g, x, [1]),
    (x) => tf.sum(x, 1),
  ),
  unary(
    "Sum over axis 0, kept",
    (g, x) => ops.sum(g, x, [0], true),
    (x) => tf.sum(x, 0, true),
  ),
  unary(
    "Sum of all",
    (g, x) => ops.sum(g, x),
    (x) => tf.sum(x),
  ),
  unary(
    "Max over axis 1",
    (g, x) => ops.max(g, x, [1]),
    (x) => tf.max(x, 1),
  ),
  unary(
    "Reshape",
    (g, x) => ops.reshape(g, x, [2, 6]),
    (x) => tf.reshape(x, [2, 6]),
  ),
  unary(
    "Transpose",
    (g, x) => ops.transpose(g, x, [1, 0]),
    (x) => tf.transpose(x, [1, 0]),
  ),
  unary(
    "Slice",
    (g, x) => ops.slice(g, x, [1, 2], [2, 1]),
    (x) => tf.slice(x, [1, 2], [2, 1]),
  ),
  {
    name: "Slice of a run-time axis, taken whole",
    shapes: [["B", 4]],
    graph: (g, [x]) => ops.slice(g, x, [0, 2], [-1, 1]),
    eager: (x) => tf.slice(x, [0, 2], [-1, 1]),
  },
  { name: "Identity", shapes: [[2, 2]], graph: (g, [x]) => ops.identity(g, x), eager: (x) => tf.clone(x) },
];

/** The case's graph: f and the gradients of sum(f * r) with respect to every input. */
function program(c: Case) {
  const inputs = c.shapes.map((shape, i) => ({ name: `x${i}`, dtype: "float" as const, shape, wrt: true }));
  return gradProgram(
    inputs,
    (g, refs) => {
      const xs = inputs.map((i) => refs[i.name]);
      return c.graph(g, c.positive ? xs.map((x) => ops.add(g, ops.abs(g, x), 0.5)) : xs);
    },
    true,
  );
}

describe.skipIf(!haveNativeTensorflow())("graph gradient rules against tfjs's gradients", () => {
  beforeAll(async () => {
    await initBackend({ backend: "tensorflow", log: false });
  });

  it.each(CASES)("$name", (c) => {
    const rng = new Rng(c.name.length * 31 + c.shapes.length);
    const dims = (s: Dim[]) => s.map((d) => (typeof d === "number" ? d : SIZES[d]));
    const xs = c.shapes.map((s) =>
      tf.tensor(
        randn(
          rng,
          dims(s).reduce((a, b) => a * b, 1),
        ),
        dims(s),
      ),
    );
    const eagerInputs = c.positive ? xs.map((x) => tf.add(tf.abs(x), 0.5)) : xs;
    const yRef = c.eager(...eagerInputs);
    const r = tf.tensor(randn(rng, yRef.size), yRef.shape);
    const positive = (x: tf.Tensor) => (c.positive ? tf.add(tf.abs(x), 0.5) : x);
    const refGrads = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(c.eager(...ins.map(positive)), r)))(xs);
    const session = GraphSession.load(program(c));
    try {
      const feeds = Object.fromEntries([...xs.map((x, i) => [`x${i}`, x]), ["r", r]]);
      const [y, ...grads] = session.run("run", feeds, ["y", ...xs.map((_, i) => `d_x${i}`)]);
      expect(y.shape).toEqual(yRef.shape);
      expect(relError(y.dataSync(), yRef.dataSync())).toBeLessThan(1e-5);
      grads.forEach((d, i) => {
        expect(d.shape, `d${i} shape`).toEqual(xs[i].shape);
        expect(relError(d.dataSync(), refGrads[i].dataSync()), `d${i}`).toBeLessThan(1e-4);
      });
      tf.dispose([y, ...grads]);
    } finally {
      session.dispose();
      tf.dispose([...xs, ...eagerInputs, yRef, r, ...refGrads]);
    }
  });
});
