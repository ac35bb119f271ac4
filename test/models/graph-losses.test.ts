import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../lib/engine/backend";
import { GraphSession, type GraphLoss } from "../../lib/engine/graph";
import { severityLossGraph, sidePointLossGraph, spatialSoftmaxCeGraph } from "../../lib/models/graph-losses";
import { anySevereSpinalLoss, sidePointLoss, spatialSoftmaxCe, weightedCrossEntropy } from "../../lib/models";
import { Rng } from "../../lib/util/rng";
import { gradProgram } from "../helpers/graph";
import { severityTargets } from "../helpers/severity";
import { haveNativeTensorflow } from "../helpers/native";
import { randn, relError } from "../engine/parity";

// Each loss's graph form against its tfjs form: the value, and its gradient with respect to the
// model's output (what backpropagation starts from), on seeded outputs and targets of real shapes.

interface LossCase {
  name: string;
  loss: GraphLoss;
  output: number[];
  /** Output values and targets for the tfjs form, and the same targets as feeds. */
  make(rng: Rng): { output: tf.Tensor; targets: Record<string, tf.Tensor> };
  eager(output: tf.Tensor, t: Record<string, tf.Tensor>): tf.Scalar;
}

/** A normalised Gaussian-like heatmap per channel, one channel left empty (unlabelled level). */
function heatmaps(rng: Rng, shape: number[], emptyChannel: number | null): tf.Tensor {
  const [b, h, w, k] = shape;
  const data = new Float32Array(b * h * w * k);
  for (let n = 0; n < b; n++)
    for (let c = 0; c < k; c++) {
      if (c === emptyChannel) continue;
      let total = 0;
      for (let i = 0; i < h * w; i++)
        total += data[(n * h * w + i) * k + c] = Math.exp(-Math.abs(rng.normal()) * 3);
      for (let i = 0; i < h * w; i++) data[(n * h * w + i) * k + c] /= total;
    }
  return tf.tensor(data, shape);
}

/** Softmax rows [B, 3] and the classifier's targets (studies of 5 consecutive samples). */
function severityCase(rng: Rng, b: number) {
  const output = tf.softmax(tf.tensor2d(randn(rng, b * 3), [b, 3]));
  return { output, targets: severityTargets(rng, b) as Record<string, tf.Tensor> };
}

const CASES: LossCase[] = [
  {
    name: "spatialSoftmaxCe, an unlabelled channel",
    loss: spatialSoftmaxCeGraph(8),
    output: [3, 8, 8, 5],
    make: (rng) => ({
      output: tf.tensor(randn(rng, 3 * 64 * 5), [3, 8, 8, 5]),
      targets: { target: heatmaps(rng, [3, 8, 8, 5], 2) },
    }),
    eager: (o, t) => spatialSoftmaxCe(o as tf.Tensor4D, t.target as tf.Tensor4D),
  },
  {
    name: "sidePointLoss",
    loss: sidePointLossGraph(16),
    output: [4, 16, 16, 1],
    make: (rng) => ({
      output: tf.tensor(randn(rng, 4 * 256), [4, 16, 16, 1]),
      targets: { target: heatmaps(rng, [4, 16, 16, 1], null) },
    }),
    eager: (o, t) => sidePointLoss(o as tf.Tensor4D, t.target as tf.Tensor4D),
  },
  {
    name: "weighted cross entropy",
    loss: severityLossGraph(null),
    output: [12, 3],
    make: (rng) => {
      const { output, targets } = severityCase(rng, 12);
      tf.dispose([targets.any_mask, targets.any_label]);
      return { output, targets: { labels: targets.labels } };
    },
    eager: (o, t) => weightedCrossEntropy(t.labels as tf.Tensor1D, o as tf.Tensor2D),
  },
  {
    name: "weighted cross entropy + 0.5 x any-severe over the batch's studies",
    loss: severityLossGraph(0.5),
    output: [13, 3],
    make: (rng) => severityCase(rng, 13),
    eager: (o, t) => {
      // lib/train/classifier.ts's anySevereMasked, written out: max P(severe) per study of the batch.
      const severe = tf.reshape(tf.slice(o, [0, 2], [-1, 1]), [1, -1]);
      const p = tf.max(tf.mul(t.any_mask, severe), 1);
      const rows = tf.stack([tf.zerosLike(p), tf.zerosLike(p), p], 1) as tf.Tensor2D;
      const any = anySevereSpinalLoss(rows, t.any_label as tf.Tensor1D, 1);
      return tf.add(
        weightedCrossEntropy(t.labels as tf.Tensor1D, o as tf.Tensor2D),
        tf.mul(0.5, any),
      ) as tf.Scalar;
    },
  },
];

describe.skipIf(!haveNativeTensorflow())("losses in graph form against their tfjs form", () => {
  beforeAll(async () => {
    await initBackend({ backend: "tensorflow", log: false });
  });

  it.each(CASES)("$name: value and gradient", (c) => {
    const { output, targets } = c.make(new Rng(c.name.length));
    const ref = c.eager(output, targets);
    const refGrad = tf.grad((o: tf.Tensor) => c.eager(o, targets))(output);
    const program = gradProgram(
      [
        { name: "output", dtype: "float", shape: ["B", ...c.output.slice(1)], wrt: true },
        ...c.loss.targets.map((t) => ({ ...t, shape: [...t.shape] })),
      ],
      (g, refs) => c.loss.build(g, refs.output, refs),
      false,
    );
    const session = GraphSession.load(program);
    try {
      const [y, d] = session.run("run", { output, ...targets }, ["y", "d_output"]);
      expect(relError(y.dataSync(), ref.dataSync())).toBeLessThan(1e-6);
      expect(relError(d.dataSync(), refGrad.dataSync())).toBeLessThan(1e-5);
      tf.dispose([y, d]);
    } finally {
      session.dispose();
      tf.dispose([output, ref, refGrad, ...Object.values(targets)]);
    }
  });
});
