import { nativeInstall } from "../../lib/engine/backend";

/** Whether scripts/native-tf.sh built `pkg`'s binding in this checkout's node_modules. */
export function nativeBindingBuilt(pkg = "@tensorflow/tfjs-node"): boolean {
  return nativeInstall(pkg).binding;
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
