import { GraphBuildError } from "../../errors";
import type { OpRecord } from "../graph";
import { shapeOf } from "../ops/array";
import * as m from "../ops/math";
import * as nn from "../ops/nn";
import type { ConvOptions } from "../ops/nn";
import { registerGrads } from "./registry";
import { need } from "./util";

/** Gradient rules of the network ops: convolution, bias, batch norm, ReLU, pooling, dense, softmax. */

/** The ConvOptions a Conv2D node was made with. */
function convOptions(op: OpRecord): ConvOptions {
  const strides = (op.attrs.strides as { ints: number[] }).ints[1];
  const padding = (op.attrs.padding as { s: string }).s as ConvOptions["padding"];
  const dilation = (op.attrs.dilations as { ints: number[] }).ints[1];
  return { strides, padding, dilation };
}

registerGrads({
  Conv2D: (g, op, [dy]) => {
    const [x, filter] = op.inputs;
    const o = convOptions(op);
    return [
      nn.conv2dBackpropInput(g, shapeOf(g, x), filter, need(dy), o, x.shape),
      nn.conv2dBackpropFilter(g, x, filter.shape as number[], need(dy), o),
    ];
  },
  BiasAdd: (g, _op, [dy]) => [need(dy), nn.biasAddGrad(g, need(dy))],
  // Training mode only: the statistics outputs feed the moving averages, never the loss.
  FusedBatchNormV3: (g, op, [dy]) => {
    const [x, scale] = op.inputs;
    const epsilon = (op.attrs.epsilon as { f: number }).f;
    const [dx, dscale, doffset] = nn.fusedBatchNormGrad(g, need(dy), x, scale, op.outputs.slice(3), epsilon);
    return [dx, dscale, doffset, null, null];
  },
  Relu: (g, op, [dy]) => [nn.reluGrad(g, need(dy), op.outputs[0])],
  MaxPool: (g, op, [dy]) => [nn.maxPoolGrad(g, op.inputs[0], op.outputs[0], need(dy), op.attrs)],
  MatMul: (g, op, [dy]) => {
    const [a, b] = op.inputs;
    const ta = (op.attrs.transpose_a as { b: boolean }).b;
    const tb = (op.attrs.transpose_b as { b: boolean }).b;
    if (ta || tb) throw new GraphBuildError("MatMul's gradient is written for untransposed inputs");
    return [nn.matMul(g, need(dy), b, false, true), nn.matMul(g, a, need(dy), true, false)];
  },
  // dx = (dy - sum(dy * y)) * y, per row.
  Softmax: (g, op, [dy]) => {
    const y = op.outputs[0];
    const last = y.shape.length - 1;
    return [m.mul(g, m.sub(g, need(dy), m.sum(g, m.mul(g, need(dy), y), [last], true)), y)];
  },
  // dx = dy - sum(dy) * softmax, per row.
  LogSoftmax: (g, op, [dy]) => {
    const y = op.outputs[0];
    const last = y.shape.length - 1;
    return [m.sub(g, need(dy), m.mul(g, m.sum(g, need(dy), [last], true), m.exp(g, y)))];
  },
});
