import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readEnv } from "../lib/util/env";

/** The Pythons `bench train`'s peers run in, or why a peer cannot run here. */
export type PeerPython = { python: string } | { skip: string };

/** Debian's Python with python3-torch (PyTorch 1.13). */
export function torchPython(): PeerPython {
  const python = "/usr/bin/python3";
  const r = spawnSync(python, ["-c", "import torch"], { stdio: "ignore" });
  return r.status === 0
    ? { python }
    : { skip: `${python} cannot import torch (apt-get install python3-torch)` };
}

const TF_VERSION = "2.21.0";
const WHEEL = `tensorflow_cpu-${TF_VERSION}-cp311-cp311-manylinux_2_27_x86_64.whl`;
const CONSTRAINTS = path.join(__dirname, "keras-peer-constraints.txt");

/** Where scripts/native-tf.sh keeps its wheels and builds (the same default, the same variable). */
function nativeCache(): string {
  return readEnv("LUMBAR_NATIVE_CACHE") ?? path.join(os.homedir(), ".cache", "rsna-lumbar-ts");
}

/**
 * Keras 3 on TensorFlow 2.21 from the tensorflow-cpu wheel native-tf.sh downloaded (the same
 * libraries our native backend loads), in a virtual environment cached beside it and keyed by the
 * pinned versions (bench/keras-peer-constraints.txt) and the Python (the wheel is for CPython
 * 3.11). Built on first use: pip fetches the wheel's dependencies from PyPI (~1 min), once.
 */
export function kerasPython(): PeerPython {
  const cache = nativeCache();
  const wheel = path.join(cache, "wheels", WHEEL);
  const base = "python3";
  const version = spawnSync(base, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
    encoding: "utf8",
  });
  if (version.status !== 0) return { skip: `no ${base} to build the Keras peer's environment with` };
  if (version.stdout.trim() !== "3.11")
    return { skip: `the tensorflow-cpu wheel is for CPython 3.11; ${base} is ${version.stdout.trim()}` };
  const key = createHash("sha256").update(readFileSync(CONSTRAINTS)).update(WHEEL).digest("hex").slice(0, 8);
  const dir = path.join(cache, "keras-peer", `tf${TF_VERSION}-py3.11-${key}`);
  const python = path.join(dir, "bin", "python");
  if (existsSync(python)) return { python };
  if (!existsSync(wheel)) return { skip: `no cached ${WHEEL} (bash scripts/native-tf.sh downloads it)` };
  console.error(`[bench train] building the Keras peer's environment in ${dir} (once)`);
  // Built under a temporary name and renamed: an interrupted build is never taken for a whole one.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  const steps: [string, string[]][] = [
    [base, ["-m", "venv", tmp]],
    [
      path.join(tmp, "bin", "pip"),
      ["install", "--quiet", "--disable-pip-version-check", "--only-binary=:all:", "-c", CONSTRAINTS, wheel],
    ],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      return { skip: `building the Keras peer's environment failed at ${path.basename(cmd)} ${args[0]}` };
    }
  }
  renameSync(tmp, dir);
  return { python };
}
