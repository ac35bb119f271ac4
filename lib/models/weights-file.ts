import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { LumbarError } from "../util/errors";
import { writeFileAtomic } from "../util/atomic-write";

/** A checkpoint that cannot be read back into the model it was made for. */
export class CheckpointError extends LumbarError {
  readonly name = "CheckpointError";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

interface BundleHeader {
  readonly tensors: { name: string; shape: number[] }[];
  readonly meta?: unknown;
}

const MAGIC = "LUMBARW1";

/** Write tensors (+ JSON meta) as one file via temp + rename: a reader sees the old file or the new one. */
export function writeTensorBundle(
  file: string,
  tensors: readonly { name: string; tensor: tf.Tensor }[],
  meta?: unknown,
): void {
  const header: BundleHeader = {
    tensors: tensors.map((t) => ({ name: t.name, shape: t.tensor.shape })),
    meta,
  };
  const headerBuf = Buffer.from(JSON.stringify(header), "utf8");
  const parts: Buffer[] = [Buffer.from(MAGIC), u32(headerBuf.length), headerBuf];
  for (const t of tensors) {
    const data = t.tensor.dataSync() as Float32Array;
    parts.push(Buffer.from(new Float32Array(data).buffer));
  }
  writeFileAtomic(file, Buffer.concat(parts));
}

export function readTensorBundle(file: string): {
  tensors: { name: string; shape: number[]; data: Float32Array }[];
  meta: unknown;
} {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new CheckpointError(file, `cannot read: ${(e as Error).message}`);
  }
  if (buf.length < 12 || buf.toString("latin1", 0, 8) !== MAGIC)
    throw new CheckpointError(file, "not a weights bundle");
  const headerLen = buf.readUInt32LE(8);
  if (12 + headerLen > buf.length) throw new CheckpointError(file, "truncated header");
  const header = JSON.parse(buf.toString("utf8", 12, 12 + headerLen)) as BundleHeader;
  let offset = 12 + headerLen;
  const tensors = header.tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * n > buf.length) throw new CheckpointError(file, `truncated tensor ${t.name}`);
    const data = new Float32Array(n);
    Buffer.from(data.buffer).set(buf.subarray(offset, offset + 4 * n));
    offset += 4 * n;
    return { ...t, data };
  });
  return { tensors, meta: header.meta };
}

/** Save a model's weights in model.weights order (names are for checking only: tfjs uniquifies them). */
export function saveModelWeights(file: string, model: tf.LayersModel, meta?: unknown): void {
  writeTensorBundle(
    file,
    model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })),
    meta,
  );
}

/** Load weights saved by saveModelWeights into a model of the same architecture; shapes are checked. */
export function loadModelWeights(file: string, model: tf.LayersModel): unknown {
  const { tensors, meta } = readTensorBundle(file);
  const weights = model.weights;
  if (tensors.length !== weights.length)
    throw new CheckpointError(file, `has ${tensors.length} tensors, model has ${weights.length}`);
  const values = tensors.map((t, i) => {
    const want = weights[i].shape;
    if (want.join("x") !== t.shape.join("x")) {
      throw new CheckpointError(
        file,
        `tensor ${i} (${t.name}) has shape [${t.shape}], model expects [${want}]`,
      );
    }
    return tf.tensor(t.data, t.shape);
  });
  model.setWeights(values);
  values.forEach((v) => v.dispose());
  return meta;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** A model's weights as plain arrays (model.weights order): what crosses to a helper thread. */
export function weightArrays(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

/** The model with weightArrays' arrays set into it (setWeights copies them: the staging tensors are freed). */
export function withWeightArrays(model: tf.LayersModel, weights: readonly Float32Array[]): tf.LayersModel {
  const values = weights.map((data, i) => tf.tensor(data, model.weights[i].shape as number[]));
  model.setWeights(values);
  values.forEach((v) => v.dispose());
  return model;
}
