import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../util/atomic-write";
import { ModelFileError } from "./errors";

/**
 * Save/load tfjs LayersModels on disk without tfjs-node (its file:// handler lives there).
 * Layout: `model.json` (topology + weights manifest) and `weights-<sha256 prefix>.bin`.
 * Writes are atomic: each file goes to a temp name and is renamed; the weights file is named
 * by its content and written first, so model.json never points at half-written weights.
 */
export const MODEL_JSON = "model.json";

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: object;
  weightsManifest: tf.io.WeightsManifestConfig;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

/** An IOHandler over a folder of the file system. */
export function fsHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer || !artifacts.modelTopology) {
        throw new ModelFileError(dir, "only JSON model topologies can be saved");
      }
      fs.mkdirSync(dir, { recursive: true });
      const weights = concatWeightData(artifacts.weightData);
      const hash = crypto.createHash("sha256").update(weights).digest("hex").slice(0, 16);
      const weightsFile = `weights-${hash}.bin`;
      writeFileAtomic(path.join(dir, weightsFile), weights);
      const json: ModelJson = {
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata
          ? { userDefinedMetadata: artifacts.userDefinedMetadata as Record<string, unknown> }
          : {}),
      };
      writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json));
      removeStaleWeights(dir, weightsFile);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          weightDataBytes: weights.byteLength,
        },
      };
    },
    load: async (): Promise<tf.io.ModelArtifacts> => readModelArtifacts(dir),
  };
}

function concatWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), off);
    off += p.byteLength;
  }
  return out;
}

function removeStaleWeights(dir: string, keep: string): void {
  for (const f of fs.readdirSync(dir)) {
    if (/^weights-[0-9a-f]+\.bin$/.test(f) && f !== keep) fs.rmSync(path.join(dir, f), { force: true });
  }
}

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Read and validate model.json + weights: every spec has a unique name and the byte count matches. */
export function readModelArtifacts(dir: string): tf.io.ModelArtifacts {
  const jsonPath = path.join(dir, MODEL_JSON);
  if (!fs.existsSync(jsonPath)) throw new ModelFileError(dir, `no ${MODEL_JSON}`);
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(jsonPath, "utf8")) as ModelJson;
  } catch (e) {
    throw new ModelFileError(dir, `${MODEL_JSON} is not valid JSON: ${(e as Error).message}`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelFileError(dir, `${MODEL_JSON} lacks modelTopology or weightsManifest`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      if (p.includes("/") || p.includes("\\") || p.startsWith("."))
        throw new ModelFileError(dir, `weights path "${p}" escapes the folder`);
      const file = path.join(dir, p);
      if (!fs.existsSync(file)) throw new ModelFileError(dir, `missing weights file ${p}`);
      buffers.push(fs.readFileSync(file));
    }
    specs.push(...group.weights);
  }
  const seen = new Set<string>();
  let expected = 0;
  for (const s of specs) {
    if (seen.has(s.name)) throw new ModelFileError(dir, `duplicate weight name "${s.name}"`);
    seen.add(s.name);
    if (s.quantization) throw new ModelFileError(dir, `quantized weight "${s.name}" is not supported`);
    const per = BYTES_PER_DTYPE[s.dtype];
    if (!per) throw new ModelFileError(dir, `weight "${s.name}" has unsupported dtype ${s.dtype}`);
    if (!s.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new ModelFileError(dir, `weight "${s.name}" has a bad shape [${s.shape}]`);
    expected += per * s.shape.reduce((a, b) => a * b, 1);
  }
  const weights = concatWeightData(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  if (weights.byteLength !== expected) {
    throw new ModelFileError(dir, `weights hold ${weights.byteLength} bytes, the manifest needs ${expected}`);
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: specs,
    weightData: weights.buffer as ArrayBuffer,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts["userDefinedMetadata"],
  };
}

/** Save a model (topology + weights) into `dir`, atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fsHandler(dir));
}

/**
 * Load a model saved by saveModel. tfjs checks every weight against the topology (strict names
 * and shapes); failures become ModelFileError naming the folder.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(fsHandler(dir), { strict: true });
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(dir, (e as Error).message.split("\n")[0]);
  }
}

/**
 * Load only the weights of a saved model into an already built model of the same architecture
 * (e.g. rebuilt from its config.json). Weights are matched by order and shape; a different count or
 * shape is an error naming the weight.
 */
export function loadWeightsInto(model: tf.LayersModel, dir: string): void {
  const art = readModelArtifacts(dir);
  const specs = art.weightSpecs ?? [];
  const targets = model.weights;
  if (specs.length !== targets.length) {
    throw new ModelFileError(dir, `saved model has ${specs.length} weights, this model ${targets.length}`);
  }
  const named = tf.io.decodeWeights(art.weightData as ArrayBuffer, specs);
  const values: tf.Tensor[] = [];
  for (let i = 0; i < specs.length; i++) {
    const want = targets[i].shape,
      got = specs[i].shape;
    if (want.length !== got.length || want.some((d, k) => d !== got[k])) {
      tf.dispose(Object.values(named));
      throw new ModelFileError(
        dir,
        `weight ${i} "${specs[i].name}" has shape [${got}], model expects [${want}] (${targets[i].name})`,
      );
    }
    values.push(named[specs[i].name]);
  }
  model.setWeights(values);
  tf.dispose(Object.values(named));
}
