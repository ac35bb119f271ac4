import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { backendInfo, initBackend, loadedNativePackage } from "../../lib/engine/backend";
import { nativeBindingBuilt } from "../helpers/native";
import { BackendUnavailableError } from "../../lib/engine/errors";

// initBackend runs once per process; vitest gives each test file its own process.
describe("initBackend", () => {
  const saved = process.env.LUMBAR_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.LUMBAR_BACKEND;
    else process.env.LUMBAR_BACKEND = saved;
  });

  it("rejects an unknown LUMBAR_BACKEND with a typed error", async () => {
    process.env.LUMBAR_BACKEND = "gpu-please";
    await expect(initBackend({ log: false })).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(backendInfo()).toBeNull();
  });

  it("falls back past backends that cannot load and says why, once", async () => {
    delete process.env.LUMBAR_BACKEND;
    const lines: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void lines.push(a.join(" "));
    let info;
    try {
      info = await initBackend();
      await initBackend(); // second call: same result, no second log line
    } finally {
      console.error = orig;
    }
    // What the machine offers decides the choice: a built tfjs-node binding means native TensorFlow.
    const built =
      nativeBindingBuilt("@tensorflow/tfjs-node") || nativeBindingBuilt("@tensorflow/tfjs-node-gpu");
    if (built) {
      expect(info.choice).toBe("tensorflow");
      expect(info.tensorflowVersion).toBe("2.21.0");
      expect(info.threads).toBe(Number(process.env.TF_NUM_INTRAOP_THREADS) || 1);
    } else {
      expect(info.choice).toBe("wasm");
      expect(info.reason).toMatch(/tensorflow: @tensorflow\/tfjs-node (not installed|has no built binding)/);
      expect(info.threads).toBe(1);
      expect(info.tensorflowVersion).toBeNull();
    }
    expect(info.gpu).toBe(false); // no GPU on our machines
    // The libtensorflow this process mapped, which unit workers must bind too.
    if (built) expect(loadedNativePackage()).toMatch(/^@tensorflow\/tfjs-node(-gpu)?$/);
    else expect(loadedNativePackage()).toBeNull();
    expect(tf.getBackend()).toBe(info.tfBackend);
    expect(lines.filter((l) => l.startsWith("[engine]"))).toHaveLength(1);
    expect(lines[0]).toContain(`backend=${info.choice}`);
    // A different forced choice after start-up is an error, the same one is fine.
    await expect(initBackend({ backend: "cpu", log: false })).rejects.toBeInstanceOf(BackendUnavailableError);
    expect((await initBackend({ backend: info.choice, log: false })).choice).toBe(info.choice);
  });
});
