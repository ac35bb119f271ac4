import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LumbarError } from "../util/errors";

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
  atomicWrite(file, Buffer.concat(parts));
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

/** Save Adam's moments etc. so a resumed run continues the same optimisation. */
export async function saveOptimizer(file: string, optimizer: tf.Optimizer): Promise<void> {
  const named = await optimizer.getWeights();
  writeTensorBundle(
    file,
    named.map((n) => ({ name: n.name, tensor: n.tensor })),
  );
}

export async function loadOptimizer(file: string, optimizer: tf.Optimizer): Promise<void> {
  const { tensors } = readTensorBundle(file);
  await optimizer.setWeights(tensors.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, t.shape) })));
}

/** Progress of one training unit (a model on one fold), kept in state.json beside its weights. */
export interface UnitState {
  readonly epoch: number;
  readonly bestScore: number;
  readonly bestEpoch: number;
  readonly done: boolean;
  /** File names (inside the unit dir) of the last epoch's weights and optimizer. */
  readonly last: { weights: string; optimizer: string } | null;
  readonly extra?: Record<string, unknown>;
}

export const INITIAL_STATE: UnitState = {
  epoch: 0,
  bestScore: Infinity,
  bestEpoch: -1,
  done: false,
  last: null,
};

export function readState(dir: string): UnitState {
  const file = join(dir, "state.json");
  if (!existsSync(file)) return INITIAL_STATE;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as UnitState;
  } catch {
    return INITIAL_STATE;
  }
}

/**
 * The weights file a unit's model ends with: best.weights (what fitUnit leaves in the model), or the
 * last epoch's when no epoch ever improved on the start; null when neither exists.
 */
export function finalWeightsFile(dir: string, state: UnitState): string | null {
  const best = join(dir, "best.weights");
  if (existsSync(best)) return best;
  const last = state.last ? join(dir, state.last.weights) : null;
  return last && existsSync(last) ? last : null;
}

/**
 * Commit a state: the files it names are written first (under per-epoch names), state.json is
 * renamed into place last, then older per-epoch files are deleted. A kill at any point leaves a
 * state.json that names files which exist.
 */
export function writeState(dir: string, state: UnitState): void {
  mkdirSync(dir, { recursive: true });
  atomicWrite(join(dir, "state.json"), Buffer.from(JSON.stringify(state, null, 1) + "\n"));
  const keep = new Set(["state.json", "best.weights", state.last?.weights, state.last?.optimizer]);
  for (const f of readdirSync(dir)) {
    if (/^last-e\d+\.(weights|optimizer)$/.test(f) && !keep.has(f)) rmSync(join(dir, f), { force: true });
  }
}

export function atomicWrite(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
