import * as fs from "node:fs";
import * as path from "node:path";
import { NATIVE_BINDING } from "../../lib/engine/backend";

/** Whether scripts/native-tf.sh built `pkg`'s binding in this checkout's node_modules. */
export function nativeBindingBuilt(pkg = "@tensorflow/tfjs-node"): boolean {
  try {
    return fs.existsSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), NATIVE_BINDING));
  } catch {
    return false;
  }
}

/** True when native TensorFlow can load here; otherwise logs why the dependent tests are skipped. */
export function haveNativeTensorflow(): boolean {
  const ok = nativeBindingBuilt("@tensorflow/tfjs-node") || nativeBindingBuilt("@tensorflow/tfjs-node-gpu");
  if (!ok)
    console.warn(
      "SKIP: no built tfjs-node binding (bash scripts/native-tf.sh); native-backend tests are skipped",
    );
  return ok;
}
