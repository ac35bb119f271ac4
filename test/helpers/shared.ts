import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** ../shared beside the checkout: real data for tests, never copied into the project. */
export const SHARED = resolve(__dirname, "../../../shared");
export const REAL_CSV = resolve(SHARED, "rsna2024-csv");
export const DICOM_CORPUS = resolve(SHARED, "dicom-corpus");

/** True when `dir` exists; otherwise logs why the dependent tests are skipped. */
export function haveShared(dir: string): boolean {
  const ok = existsSync(dir);
  if (!ok) console.warn(`SKIP: ${dir} is absent; tests that need the real data are skipped`);
  return ok;
}
