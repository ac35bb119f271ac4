import * as path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { TrainerError } from "../../lib/engine/errors";

/**
 * How to rebuild the same model in another thread: a module path and the name of an exported
 * builder `(args?) => tf.LayersModel`. Builders must create layers only (no tensors kept aside).
 */
export interface ModelSpec {
  /** Absolute path of a .ts/.js module (relative paths resolve from the process cwd). */
  module: string;
  exportName: string;
  /** JSON-serialisable argument passed to the builder. */
  args?: unknown;
}

export function buildFromSpec(spec: ModelSpec): tf.LayersModel {
  const file = path.resolve(spec.module);
  // Plain `require` of a .ts file needs tsx's hook; it is already there under `npx tsx` / bin/lumbar.js,
  // and registering it again is a no-op (module cache). Other hosts (vitest, plain node) need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (/\.[cm]?ts$/.test(file)) require("tsx/cjs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Record<string, unknown>;
  const builder = mod[spec.exportName];
  if (typeof builder !== "function") {
    throw new TrainerError(`${file} does not export a model builder named "${spec.exportName}"`);
  }
  return (builder as (args?: unknown) => tf.LayersModel)(spec.args);
}
