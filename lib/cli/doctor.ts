/**
 * `lumbar doctor`: what this machine gives the kernel, checked rather than assumed. The first thing
 * to run on a new machine or a Kaggle session: backend and why, TensorFlow and what it was built for,
 * CPU/GPU and the CUDA libraries TensorFlow finds, threads, and the optional tools (Chromium,
 * Jupyter, data folders). Keys are documented in the README ("lumbar doctor --json").
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BackendInfo, initBackend, nativeInstall } from "../engine/backend";
import { findChromium } from "../viz/render";
import { readEnv } from "../util/env";

const REPO_ROOT = path.resolve(__dirname, "../..");
const NATIVE_PACKAGES = ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"] as const;

export interface NativePackage {
  /** npm installed it (npm ci does, without its download script). */
  installed: boolean;
  /** scripts/native-tf.sh built its binding (lib/napi-v8/tfjs_binding.node). */
  binding: boolean;
}

export interface GpuReport {
  /** TensorFlow placed ops on a GPU. */
  used: boolean;
  /** From nvidia-smi when present, else null. */
  name: string | null;
  driver: string | null;
  /** What the GPU libtensorflow was built for (its wheel's build_info), null for a CPU build. */
  cudaBuild: string | null;
  cudnnBuild: string | null;
  computeCapabilities: string[] | null;
  /** The libcudart / libcudnn TensorFlow loaded (else the ones it would find), and their versions. */
  cudart: CudaLibrary | null;
  cudnn: CudaLibrary | null;
}

export interface CudaLibrary {
  path: string;
  /** Reported by the library itself (cudaRuntimeGetVersion / cudnnGetVersion), null if it would not load. */
  version: string | null;
  /** Mapped into this process (TensorFlow loaded it), or only found where TensorFlow would look. */
  loaded: boolean;
}

export interface DoctorReport {
  /** The kernel can run: some backend started. */
  ok: boolean;
  backend: string | null;
  backendReason: string;
  tensorflowVersion: string | null;
  threads: { perBackend: number | null; intraOp: number | null; interOp: number | null };
  cpu: { model: string; cores: number };
  gpu: GpuReport;
  native: Record<(typeof NATIVE_PACKAGES)[number], NativePackage>;
  wasmSimd: boolean;
  chromium: string | null;
  /** lab: the JupyterLab environment scripts/jupyter.sh made for this checkout, or null. */
  jupyter: { python: string; nbclient: boolean; tslabKernel: string | null; lab: string | null };
  data: { demo: string | null; dir: DataDir | null; sharedCsv: string | null };
  warnings: string[];
}

export interface DataDir {
  path: string;
  /** train.csv + train_images/ (what `lumbar kernel` trains on). */
  train: boolean;
  /** test_series_descriptions.csv + test_images/ (what it predicts). */
  test: boolean;
}

export async function runDoctor(opts: { data?: string } = {}): Promise<DoctorReport> {
  const warnings: string[] = [];
  let info: BackendInfo | null = null;
  let backendReason: string;
  try {
    info = await initBackend({ log: false });
    backendReason = info.reason;
  } catch (e) {
    backendReason = e instanceof Error ? e.message : String(e);
  }
  const native = Object.fromEntries(
    NATIVE_PACKAGES.map((p) => [p, nativePackage(p)]),
  ) as DoctorReport["native"];
  if (!native["@tensorflow/tfjs-node"].binding && !native["@tensorflow/tfjs-node-gpu"].binding) {
    warnings.push(
      "no native TensorFlow binding: training runs on wasm (bash scripts/native-tf.sh builds it)",
    );
  }
  const gpu = gpuReport(info);
  if (gpu.name && !gpu.used) warnings.push(`a GPU (${gpu.name}) is present but TensorFlow does not use it`);
  const jupyter = jupyterReport();
  if (!jupyter.nbclient)
    warnings.push(`${jupyter.python} cannot import nbclient: lumbar notebooks will not run`);
  const chromium = chromiumPath();
  if (!chromium) warnings.push("no Chromium: notebook figures get no PNG");
  const data = dataReport(opts.data);
  if (data.dir && !data.dir.train && !data.dir.test) warnings.push(`${data.dir.path} holds neither split`);
  const tf = info?.tfBackend === "tensorflow";
  return {
    ok: info !== null,
    backend: info?.choice ?? null,
    backendReason,
    tensorflowVersion: info?.tensorflowVersion ?? null,
    threads: {
      perBackend: info?.threads ?? null,
      intraOp: tf ? info!.threads : null,
      // Negative is meaningful: each graph session runs its ops in the calling thread (initBackend's default).
      interOp: tf ? envInt("TF_NUM_INTEROP_THREADS", true) : null,
    },
    cpu: { model: os.cpus()[0]?.model.trim() ?? "unknown", cores: os.cpus().length },
    gpu,
    native,
    wasmSimd: wasmSimd(),
    chromium,
    jupyter,
    data,
    warnings,
  };
}

function nativePackage(pkg: string): NativePackage {
  const { dir, binding } = nativeInstall(pkg);
  return { installed: dir !== null, binding };
}

function envInt(name: string, negativeOk = false): number | null {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && (v > 0 || (negativeOk && v < 0)) ? v : null;
}

/** The smallest module with a v128 instruction: validates only where wasm SIMD is supported. */
function wasmSimd(): boolean {
  const bytes = [
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
    11,
  ];
  // tsconfig has no DOM lib, hence no WebAssembly declarations.
  const wa = (globalThis as unknown as { WebAssembly?: { validate(b: Uint8Array): boolean } }).WebAssembly;
  return wa?.validate(new Uint8Array(bytes)) ?? false;
}

function chromiumPath(): string | null {
  try {
    return findChromium();
  } catch {
    return null;
  }
}

function pythonPath(): string {
  return readEnv("LUMBAR_PYTHON") ?? "/usr/bin/python3";
}

function jupyterReport(): DoctorReport["jupyter"] {
  const python = pythonPath();
  const r = spawnSync(python, ["-c", "import nbclient, nbconvert"], { encoding: "utf8" });
  const spec = path.join(REPO_ROOT, ".jupyter", "kernels", "tslab", "kernel.json");
  const tslab = path.join(REPO_ROOT, "node_modules", "tslab", "bin", "tslab");
  const lab = spawnSync("bash", [path.join(REPO_ROOT, "scripts", "jupyter.sh"), "where"], {
    encoding: "utf8",
  });
  return {
    python,
    nbclient: r.status === 0,
    tslabKernel: existsSync(spec) && existsSync(tslab) ? spec : null,
    lab: lab.status === 0 ? lab.stdout.trim() : null,
  };
}

function dataReport(dir?: string): DoctorReport["data"] {
  const cache = path.join(REPO_ROOT, ".cache");
  const demo = existsSync(cache)
    ? (readdirSync(cache)
        .filter((n) => /^demo-.*-\d+$/.test(n) && existsSync(path.join(cache, n, "sample_submission.csv")))
        .map((n) => path.join(cache, n))[0] ?? null)
    : null;
  const shared = path.resolve(REPO_ROOT, "..", "shared", "rsna2024-csv");
  const has = (d: string, ...names: string[]) => names.every((n) => existsSync(path.join(d, n)));
  return {
    demo,
    dir: dir
      ? {
          path: path.resolve(dir),
          train: has(dir, "train.csv", "train_images"),
          test: has(dir, "test_series_descriptions.csv", "test_images"),
        }
      : null,
    sharedCsv: existsSync(path.join(shared, "train.csv")) ? shared : null,
  };
}

/** The GPU build's build-info.json (written by scripts/native-tf.sh from the wheel). */
function buildInfo(): Record<string, unknown> | null {
  const dir = nativeInstall("@tensorflow/tfjs-node-gpu").dir;
  const file = dir && path.join(dir, "deps", "build-info.json");
  return file && existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)
    : null;
}

function gpuReport(info: BackendInfo | null): GpuReport {
  const smi = spawnSync("nvidia-smi", ["--query-gpu=name,driver_version", "--format=csv,noheader"], {
    encoding: "utf8",
  });
  const [name, driver] =
    smi.status === 0
      ? smi.stdout
          .split("\n")[0]
          .split(",")
          .map((s) => s.trim())
      : [];
  const build = buildInfo();
  const str = (k: string) => (typeof build?.[k] === "string" ? (build[k] as string) : null);
  return {
    used: info?.gpu ?? false,
    name: name || null,
    driver: driver || null,
    cudaBuild: str("cuda_version"),
    cudnnBuild: str("cudnn_version"),
    computeCapabilities: Array.isArray(build?.cuda_compute_capabilities)
      ? (build?.cuda_compute_capabilities as string[])
      : null,
    ...cudaLibraries(),
  };
}

/**
 * libcudart and libcudnn as TensorFlow sees them: the copies mapped into this process (TensorFlow
 * dlopens them; without a GPU it stops after libcudart), else the first found where it would look
 * (LD_LIBRARY_PATH, then the nvidia/<lib>/lib folders its RUNPATH names beside deps/lib). Their
 * versions come from the libraries themselves, through Python's ctypes (Node has no FFI).
 */
function cudaLibraries(): Pick<GpuReport, "cudart" | "cudnn"> {
  const maps = existsSync("/proc/self/maps") ? readFileSync("/proc/self/maps", "utf8") : "";
  const gpuDir = nativeInstall("@tensorflow/tfjs-node-gpu").dir;
  const find = (file: string, wheelDir: string): { path: string; loaded: boolean } | null => {
    const mapped = maps.split("\n").find((l) => l.includes(`/${file}`));
    if (mapped) return { path: mapped.slice(mapped.indexOf("/")), loaded: true };
    const dirs = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
    if (gpuDir)
      dirs.push(
        path.join(gpuDir, "deps", "nvidia", wheelDir, "lib"),
        path.join(gpuDir, "nvidia", wheelDir, "lib"),
      );
    const hit = dirs.map((d) => path.join(d, file)).find((f) => existsSync(f));
    return hit ? { path: hit, loaded: false } : null;
  };
  const cudart = find("libcudart.so.12", "cuda_runtime");
  const cudnn = find("libcudnn.so.9", "cudnn");
  const versions = libraryVersions(cudart?.path, cudnn?.path);
  return {
    cudart: cudart && { ...cudart, version: versions.cudart },
    cudnn: cudnn && { ...cudnn, version: versions.cudnn },
  };
}

const VERSION_PY = `
import ctypes, json, sys
out = {"cudart": None, "cudnn": None}
try:
    if sys.argv[1]:
        v = ctypes.c_int()
        if ctypes.CDLL(sys.argv[1]).cudaRuntimeGetVersion(ctypes.byref(v)) == 0:
            out["cudart"] = "%d.%d" % (v.value // 1000, v.value % 1000 // 10)
except OSError:
    pass
try:
    if sys.argv[2]:
        lib = ctypes.CDLL(sys.argv[2])
        lib.cudnnGetVersion.restype = ctypes.c_size_t
        v = lib.cudnnGetVersion()
        out["cudnn"] = "%d.%d.%d" % (v // 10000, v % 10000 // 100, v % 100)
except OSError:
    pass
print(json.dumps(out))
`;

function libraryVersions(cudart?: string, cudnn?: string): { cudart: string | null; cudnn: string | null } {
  if (!cudart && !cudnn) return { cudart: null, cudnn: null };
  const r = spawnSync(pythonPath(), ["-c", VERSION_PY, cudart ?? "", cudnn ?? ""], { encoding: "utf8" });
  try {
    return JSON.parse(r.stdout) as { cudart: string | null; cudnn: string | null };
  } catch {
    return { cudart: null, cudnn: null };
  }
}

/** The report for people: one line per fact, warnings last. */
export function formatDoctor(r: DoctorReport): string {
  const yes = (b: boolean) => (b ? "yes" : "no");
  const lib = (l: CudaLibrary | null) =>
    l ? `${l.version ?? "version unknown"} (${l.loaded ? "loaded" : "found"}: ${l.path})` : "not found";
  const lines = [
    `backend        ${r.backend ?? "none"}: ${r.backendReason}`,
    `tensorflow     ${r.tensorflowVersion ?? "not loaded"}`,
    `threads        per backend ${r.threads.perBackend ?? "-"}, intra-op ${r.threads.intraOp ?? "-"}, inter-op ${r.threads.interOp ?? "TensorFlow's default"}`,
    `cpu            ${r.cpu.model} x ${r.cpu.cores}`,
    `gpu            ${r.gpu.name ? `${r.gpu.name}, driver ${r.gpu.driver}` : "none visible (nvidia-smi)"}; used by TensorFlow: ${yes(r.gpu.used)}`,
    `cuda build     CUDA ${r.gpu.cudaBuild ?? "-"}, cuDNN ${r.gpu.cudnnBuild ?? "-"}, ${r.gpu.computeCapabilities?.join(" ") ?? "-"}`,
    `libcudart      ${lib(r.gpu.cudart)}`,
    `libcudnn       ${lib(r.gpu.cudnn)}`,
    ...Object.entries(r.native).map(
      ([p, n]) => `${p.padEnd(26)} installed ${yes(n.installed)}, binding built ${yes(n.binding)}`,
    ),
    `wasm SIMD      ${yes(r.wasmSimd)}`,
    `chromium       ${r.chromium ?? "not found"}`,
    `jupyter        ${r.jupyter.python} nbclient ${yes(r.jupyter.nbclient)}; tslab kernel ${r.jupyter.tslabKernel ?? "not found"}`,
    `jupyterlab     ${r.jupyter.lab ?? "not installed (scripts/jupyter.sh setup)"}`,
    `demo data      ${r.data.demo ?? "not generated yet (lumbar kernel makes it)"}`,
    ...(r.data.dir
      ? [`--data         ${r.data.dir.path}: train ${yes(r.data.dir.train)}, test ${yes(r.data.dir.test)}`]
      : []),
    `shared CSVs    ${r.data.sharedCsv ?? "not found"}`,
    ...r.warnings.map((w) => `warning        ${w}`),
    r.ok ? "ok: the kernel can run" : "NOT OK: no backend starts",
  ];
  return lines.join("\n");
}
