import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write";

/** Progress of one training unit (a model on one fold), kept in state.json beside its weights. */
export interface UnitState {
  readonly epoch: number;
  readonly bestScore: number;
  readonly bestEpoch: number;
  readonly done: boolean;
  /** File names (inside the unit dir) of the last epoch's weights and optimizer. */
  readonly last: { weights: string; optimizer: string } | null;
  /**
   * The validation score of every epoch trained, index = epoch (lower is better): what the kernel's
   * common epoch is chosen from (lib/kernel/common-epoch.ts). Absent in checkpoints of older versions.
   */
  readonly curve?: readonly number[];
  readonly extra?: Record<string, unknown>;
}

export const INITIAL_STATE: UnitState = {
  epoch: 0,
  bestScore: Infinity,
  bestEpoch: -1,
  done: false,
  last: null,
  curve: [],
};

export function readState(dir: string): UnitState {
  const file = join(dir, "state.json");
  if (!existsSync(file)) return INITIAL_STATE;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as UnitState;
  } catch {
    return INITIAL_STATE;
  }
}

/**
 * The weights file a unit's model ends with: best.weights (what fitUnit leaves in the model), or the
 * last epoch's when no epoch ever improved on the start; null when neither exists.
 */
export function finalWeightsFile(dir: string, state: UnitState): string | null {
  const best = join(dir, "best.weights");
  if (existsSync(best)) return best;
  const last = state.last ? join(dir, state.last.weights) : null;
  return last && existsSync(last) ? last : null;
}

/** The weights file of one epoch of a unit (every epoch's weights are kept; see writeState). */
export function epochWeightsFile(dir: string, epoch: number): string {
  return join(dir, `last-e${epoch}.weights`);
}

/**
 * Commit a state: the files it names are written first (under per-epoch names), state.json is
 * renamed into place last, then older optimizer files are deleted. Every epoch's weights are kept:
 * the kernel's common epoch (chosen after all folds finish) reads them. A kill at any point leaves
 * a state.json that names files which exist.
 */
export function writeState(dir: string, state: UnitState): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, "state.json"), JSON.stringify(state, null, 1) + "\n");
  for (const f of readdirSync(dir)) {
    if (/^last-e\d+\.optimizer$/.test(f) && f !== state.last?.optimizer)
      rmSync(join(dir, f), { force: true });
  }
}
