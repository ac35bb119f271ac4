import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** ../shared beside the checkout: real data for tests, never copied into the project. */
export const SHARED = resolve(__dirname, "../../../shared");
export const REAL_CSV = resolve(SHARED, "rsna2024-csv");
export const DICOM_CORPUS = resolve(SHARED, "dicom-corpus");
/** The Debian Python the reference tools (pydicom, numpy) are installed into (scripts/apt-deps.sh). */
export const PYTHON = "/usr/bin/python3";

/** True when `path` exists; otherwise logs which tests are skipped and why. */
export function haveShared(path: string, what = "tests that need the real data"): boolean {
  const ok = existsSync(path);
  if (!ok) console.warn(`SKIP: ${path} is absent; ${what} are skipped`);
  return ok;
}

/** True when a reference tool is usable; otherwise logs why its tests are skipped and how to get it. */
export function haveTool(tool: string, usable: boolean, install: string): boolean {
  if (!usable)
    console.warn(`SKIP: ${tool} is not available (${install}); the tests comparing with it are skipped`);
  return usable;
}

/** Whether PYTHON can import `module` (e.g. pydicom), logged as haveTool does. */
export function havePythonModule(module: string): boolean {
  const usable = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", `import ${module}`]).status === 0;
  return haveTool(`${PYTHON} with ${module}`, usable, "scripts/apt-deps.sh installs python3-" + module);
}
