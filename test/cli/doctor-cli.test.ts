import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { haveNativeTensorflow } from "../helpers/native";
import { writeTree } from "../helpers/tmp";

const BIN = resolve(__dirname, "../../bin/lumbar.js");

/** `node bin/lumbar.js doctor ...` as a user runs it, with our environment on top of a clean one. */
function doctor(env: Record<string, string>, ...args: string[]) {
  const base = { ...process.env };
  for (const k of ["LUMBAR_BACKEND", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"]) delete base[k];
  const r = spawnSync(process.execPath, [BIN, "doctor", ...args], {
    encoding: "utf8",
    env: { ...base, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

describe("npx lumbar doctor", () => {
  const native = haveNativeTensorflow();

  it.runIf(native)("reports native TensorFlow 2.21.0 when the binding is built", () => {
    const r = doctor({}, "--json");
    expect(r.status).toBe(0);
    const out = r.json();
    expect(out.ok).toBe(true);
    expect(out.backend).toBe(out.gpu.used ? "tensorflow-gpu" : "tensorflow");
    expect(out.tensorflowVersion).toBe("2.21.0");
    // one intra-op thread by default; inter-op -1: graph sessions run in the calling thread
    expect(out.threads).toEqual({ perBackend: 1, intraOp: 1, interOp: -1 });
    expect(out.cpu.cores).toBe(cpus().length);
    expect(Object.values(out.native).some((n) => (n as { binding: boolean }).binding)).toBe(true);
  });

  it.runIf(native)("reads the thread settings TensorFlow is started with", () => {
    const out = doctor(
      { LUMBAR_BACKEND: "tensorflow", TF_NUM_INTRAOP_THREADS: "1", TF_NUM_INTEROP_THREADS: "3" },
      "--json",
    ).json();
    expect(out.backend).toBe("tensorflow");
    expect(out.backendReason).toBe("forced by LUMBAR_BACKEND");
    expect(out.threads).toEqual({ perBackend: 1, intraOp: 1, interOp: 3 });
  });

  it("honours LUMBAR_BACKEND=wasm: no TensorFlow, one thread per backend, SIMD", () => {
    const r = doctor({ LUMBAR_BACKEND: "wasm" }, "--json");
    expect(r.status).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ ok: true, backend: "wasm", tensorflowVersion: null, wasmSimd: true });
    expect(out.threads).toEqual({ perBackend: 1, intraOp: null, interOp: null });
    expect(out.gpu.used).toBe(false);
  });

  it("checks a --data folder for each split and warns when it holds neither", () => {
    const dir = writeTree({ "train.csv": "study_id\n", "train_images/1/2/3.dcm": "x", "other.txt": "" });
    const out = doctor({ LUMBAR_BACKEND: "wasm" }, "--json", "--data", dir).json();
    expect(out.data.dir).toEqual({ path: dir, train: true, test: false });
    // A checkout without the native binding (native-tf.sh not run) adds that warning: not the data's.
    const dataWarnings = (w: string[]) => w.filter((x) => !x.startsWith("no native TensorFlow binding"));
    expect(dataWarnings(out.warnings)).toEqual([]);
    const empty = doctor({ LUMBAR_BACKEND: "wasm" }, "--json", "--data", join(dir, "train_images")).json();
    expect(dataWarnings(empty.warnings)).toEqual([`${join(dir, "train_images")} holds neither split`]);
  });

  it("exits 1 and says why when no backend can start", () => {
    const r = doctor({ LUMBAR_BACKEND: "gpu-please" });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("backend        none: ");
    expect(r.stdout).toContain("LUMBAR_BACKEND must be one of");
    expect(r.stdout).toContain("NOT OK: no backend starts");
  });
});
