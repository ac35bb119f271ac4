import { existsSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { SYNTH_VERSION, generateDataset } from "./dataset";
import { GROUND_TRUTH_DIR, MARKER } from "./layout";
import type { SynthProgress } from "./writer";
import type { SynthSize } from "./study";

export interface SynthPreset {
  readonly train: number;
  readonly test: number;
  readonly seed: number;
  readonly size: SynthSize;
}

/** The kernel's embedded default data: `npx lumbar kernel` without --data runs on it. */
export const DEMO_PRESET: SynthPreset = { train: 60, test: 10, seed: 2024, size: "small" };
/** Tests and CI: the smallest set that still has every quirk (two or more test studies). */
export const SMOKE_PRESET: SynthPreset = { train: 8, test: 3, seed: 7, size: "small" };

/** The repository root (this file is lib/synth/demo.ts). */
export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface CachedDatasetOptions {
  /** Folder holding the cache; default `<repo>/.cache`. */
  readonly cacheRoot?: string;
  readonly onProgress?: (p: SynthProgress) => void;
}

/**
 * Generate a preset once into `<cacheRoot>/<name>-<version>-<seed>/` and return that path.
 * Written to a temporary folder and renamed, so a killed run never leaves a half dataset and two
 * processes racing both end with the same complete folder.
 */
export async function ensureCachedDataset(
  name: string,
  preset: SynthPreset,
  opts: CachedDatasetOptions = {},
): Promise<string> {
  const root = opts.cacheRoot ?? path.join(REPO_ROOT, ".cache");
  const dir = path.join(root, `${name}-${SYNTH_VERSION}-${preset.seed}`);
  if (isComplete(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await generateDataset({ out: tmp, ...preset, onProgress: opts.onProgress });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  try {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    if (!isComplete(dir)) throw e;
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

function isComplete(dir: string): boolean {
  return (
    existsSync(path.join(dir, GROUND_TRUTH_DIR, MARKER)) &&
    existsSync(path.join(dir, "sample_submission.csv"))
  );
}

/** The embedded demo set (60 train + 10 test studies, small), generated on first use. */
export function ensureDemoDataset(opts: CachedDatasetOptions = {}): Promise<string> {
  return ensureCachedDataset("demo", DEMO_PRESET, opts);
}

/** The smoke set (8 train + 3 test studies) for tests and CI, generated on first use. */
export function ensureSmokeDataset(opts: CachedDatasetOptions = {}): Promise<string> {
  return ensureCachedDataset("smoke", SMOKE_PRESET, opts);
}
