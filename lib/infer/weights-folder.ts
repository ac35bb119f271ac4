import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FAMILIES, LEVELS, TARGETS } from "../data/schema";
import { isProfile, type WeightsConfig } from "../config";
import type { LevelChainPrior } from "../models";
import { CheckpointError } from "../models/weights-file";
import type { Probs3 } from "../metric";
import { CROSS_FAMILIES, type CrossFamilyModel, type PriorModel } from "../submit";
import type { Vec3 } from "../geometry";
import type { OffsetModel } from "../study";
import { INPUT_KINDS, SIDE_POINT_FAMILIES, type Gates } from "../gates";
import { writeFileAtomic } from "../util/atomic-write";

/**
 * A weights folder (a kernel run's checkpoints/): config.json, offsets.json, level-prior.json, cross-family.json,
 * prior.json, epochs.json, gates.json, and one folder per unit (localizer/fold0, spinal/fold0, ...) with
 * state.json, best.weights and every epoch's last-e{epoch}.weights (see unit-state.ts). Every file carries FORMAT_VERSION; every reader checks it and
 * throws a CheckpointError naming the file.
 */
export const CONFIG_FILE = "config.json";
/** Beside config.json: the non-network parts of the trained predictor. */
export const OFFSETS_FILE = "offsets.json";
export const PRIOR_FILE = "prior.json";
export const LEVEL_PRIOR_FILE = "level-prior.json";
/** Rows a missing series leaves, predicted from the study's other families (absent in older folders). */
export const CROSS_FAMILY_FILE = "cross-family.json";
/** The epoch each unit type predicts with (the kernel's common epoch); without it, best.weights. */
export const EPOCHS_FILE = "epochs.json";
/** Which optional parts run, decided out of fold (lib/gates); without it, every part as before gates. */
export const GATES_FILE = "gates.json";
const FORMAT_VERSION = 1;

/**
 * Save the offset model (condition point relative to its level's spinal point, mm), the level chain
 * prior and the class prior beside the checkpoints, atomically: with them a checkpoints folder predicts
 * on its own (Kaggle test data has no train.csv to refit the class prior from, nor train coordinates
 * for the offsets and the level steps).
 */
export function writeInferenceModels(
  dir: string,
  parts: {
    offsets: OffsetModel;
    levelPrior: LevelChainPrior | null;
    prior: PriorModel;
    crossFamily: CrossFamilyModel | null;
  },
): void {
  mkdirSync(dir, { recursive: true });
  const json = (v: unknown) => JSON.stringify(v, null, 1) + "\n";
  writeFileAtomic(
    join(dir, OFFSETS_FILE),
    json({ version: FORMAT_VERSION, offsets: Object.fromEntries([...parts.offsets].sort()) }),
  );
  writeFileAtomic(
    join(dir, LEVEL_PRIOR_FILE),
    json({ version: FORMAT_VERSION, levelPrior: parts.levelPrior }),
  );
  writeFileAtomic(join(dir, PRIOR_FILE), json({ version: FORMAT_VERSION, probs: parts.prior.probs }));
  if (parts.crossFamily)
    writeFileAtomic(join(dir, CROSS_FAMILY_FILE), json({ version: FORMAT_VERSION, ...parts.crossFamily }));
}

/** The checkpoints folder inside DIR: DIR itself, or DIR/checkpoints (a kernel --out folder). */
export function checkpointsDir(dir: string): string {
  if (existsSync(join(dir, CONFIG_FILE))) return dir;
  if (existsSync(join(dir, "checkpoints", CONFIG_FILE))) return join(dir, "checkpoints");
  throw new CheckpointError(
    join(dir, CONFIG_FILE),
    "missing: not a weights folder (expected the checkpoints folder of a `lumbar kernel` run, or its --out folder)",
  );
}

/** A JSON file of the weights folder; missing or unparsable is a CheckpointError naming it. */
export function readJson(file: string): unknown {
  if (!existsSync(file)) throw new CheckpointError(file, "missing");
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CheckpointError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Write the resolved config beside the checkpoints (with the format version), so a weights folder
 * describes itself: inference rebuilds the models from it.
 */
export function writeConfigFile(dir: string, config: WeightsConfig): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, CONFIG_FILE);
  writeFileAtomic(file, JSON.stringify({ version: FORMAT_VERSION, ...config }, null, 2) + "\n");
  return file;
}

/**
 * The one config.json reader: checked for the format version and the fields the model builders read,
 * so another version's file is a CheckpointError naming it, not a crash. Null when absent.
 */
export function readConfigFile(dir: string): WeightsConfig | null {
  const file = join(dir, CONFIG_FILE);
  if (!existsSync(file)) return null;
  const { version, ...c } = (readJson(file) ?? {}) as Partial<WeightsConfig> & { version?: unknown };
  const bad = (what: string) => new CheckpointError(file, `not a training configuration: ${what}`);
  if (typeof c !== "object") throw bad("not an object");
  if (version !== FORMAT_VERSION)
    throw bad(`format version ${JSON.stringify(version)}, expected ${FORMAT_VERSION}`);
  if (typeof c.profile !== "string" || !isProfile(c.profile))
    throw bad(`profile ${JSON.stringify(c.profile)}`);
  if (!Number.isInteger(c.folds) || (c.folds as number) < 1) throw bad(`folds ${JSON.stringify(c.folds)}`);
  if (typeof c.tta !== "boolean") throw bad("tta");
  const loc = c.localizer;
  if (!loc || !Number.isFinite(loc.inputPx) || !isNumbers(loc.filters)) throw bad("localizer");
  const cls = c.classifier;
  if (!cls || !Number.isFinite(cls.cropPx) || !isNumbers(cls.filters) || !Number.isFinite(cls.dense))
    throw bad("classifier");
  for (const f of FAMILIES) {
    const spec = cls.crops?.[f];
    if (!spec || !Number.isFinite(spec.sizeMm) || !Number.isInteger(spec.slicesEachSide))
      throw bad(`classifier.crops.${f}`);
  }
  return c as WeightsConfig;
}

function isNumbers(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isFinite(x));
}

export function readOffsets(file: string): OffsetModel {
  const j = readJson(file) as { version?: unknown; offsets?: Record<string, unknown> } | null;
  if (!j || j.version !== FORMAT_VERSION || typeof j.offsets !== "object" || j.offsets === null)
    throw new CheckpointError(file, `not an offsets file of version ${FORMAT_VERSION}`);
  const out = new Map<string, Vec3>();
  for (const [key, v] of Object.entries(j.offsets)) {
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => Number.isFinite(x)))
      throw new CheckpointError(file, `offset ${key} is not three finite numbers`);
    out.set(key, v as unknown as Vec3);
  }
  return out;
}

export function readLevelPrior(file: string): LevelChainPrior | null {
  const j = readJson(file) as { version?: unknown; levelPrior?: unknown } | null;
  if (!j || j.version !== FORMAT_VERSION || j.levelPrior === undefined)
    throw new CheckpointError(file, `not a level prior file of version ${FORMAT_VERSION}`);
  if (j.levelPrior === null) return null;
  const gaps = (j.levelPrior as { gaps?: unknown }).gaps;
  const ok = (g: unknown) => {
    const { mean, sd } = g as { mean?: unknown; sd?: unknown };
    return Array.isArray(mean) && mean.length === 2 && mean.every(Number.isFinite) && Number(sd) > 0;
  };
  if (!Array.isArray(gaps) || gaps.length !== LEVELS.length - 1 || !gaps.every(ok))
    throw new CheckpointError(
      file,
      `level prior is not ${LEVELS.length - 1} gaps of (mean [u, v] mm, sd mm)`,
    );
  return j.levelPrior as LevelChainPrior;
}

export function readPrior(file: string): PriorModel {
  const j = readJson(file) as { version?: unknown; probs?: unknown } | null;
  if (!j || j.version !== FORMAT_VERSION || !Array.isArray(j.probs))
    throw new CheckpointError(file, `not a prior file of version ${FORMAT_VERSION}`);
  const probs = j.probs as unknown[];
  if (probs.length !== TARGETS.length)
    throw new CheckpointError(file, `has ${probs.length} rows, expected ${TARGETS.length}`);
  probs.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 3 || !p.every((x) => Number.isFinite(x) && x > 0))
      throw new CheckpointError(file, `row ${i} is not three positive numbers`);
  });
  return { probs: probs as Probs3[] };
}

/** cross-family.json, checked; null when absent (a folder written before it existed: the prior serves). */
export function readCrossFamily(file: string): CrossFamilyModel | null {
  if (!existsSync(file)) return null;
  const j = readJson(file) as { version?: unknown; families?: Record<string, unknown> } | null;
  if (!j || j.version !== FORMAT_VERSION || typeof j.families !== "object" || j.families === null)
    throw new CheckpointError(file, `not a cross-family file of version ${FORMAT_VERSION}`);
  for (const f of CROSS_FAMILIES) {
    const w = j.families[f] as { moderate?: unknown; severe?: unknown } | undefined;
    const ok = (v: unknown) => Array.isArray(v) && v.length === 5 && v.every(Number.isFinite);
    if (!w || !ok(w.moderate) || !ok(w.severe))
      throw new CheckpointError(file, `${f}: moderate and severe must be 5 finite numbers each`);
  }
  return { families: j.families as CrossFamilyModel["families"] };
}

/** The epoch per unit type ("localizer", "spinal", ...) that inference loads, atomically. */
export function writeEpochsFile(dir: string, epochs: Record<string, number>): void {
  mkdirSync(dir, { recursive: true });
  const sorted = Object.fromEntries(Object.entries(epochs).sort(([a], [b]) => a.localeCompare(b)));
  writeFileAtomic(
    join(dir, EPOCHS_FILE),
    JSON.stringify({ version: FORMAT_VERSION, epochs: sorted }, null, 1) + "\n",
  );
}

/** epochs.json of a weights folder; null when absent (a folder of an older version: best.weights). */
export function readEpochsFile(dir: string): Record<string, number> | null {
  const file = join(dir, EPOCHS_FILE);
  if (!existsSync(file)) return null;
  const j = readJson(file) as { version?: unknown; epochs?: Record<string, unknown> } | null;
  if (!j || j.version !== FORMAT_VERSION || typeof j.epochs !== "object" || j.epochs === null)
    throw new CheckpointError(file, `not an epochs file of version ${FORMAT_VERSION}`);
  for (const [unit, e] of Object.entries(j.epochs))
    if (!Number.isInteger(e) || (e as number) < 0)
      throw new CheckpointError(file, `epoch of ${unit} is not a non-negative integer`);
  return j.epochs as Record<string, number>;
}

/** gates.json: the decisions predict applies, and the out-of-fold evidence they were made on. */
export function writeGatesFile(dir: string, gates: Gates, evidence: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(
    join(dir, GATES_FILE),
    JSON.stringify({ version: FORMAT_VERSION, gates, evidence }, null, 1) + "\n",
  );
}

/** gates.json of a weights folder, checked; null when absent (a folder from before the gates). */
export function readGatesFile(dir: string): Gates | null {
  const file = join(dir, GATES_FILE);
  if (!existsSync(file)) return null;
  const j = readJson(file) as { version?: unknown; gates?: Partial<Gates> } | null;
  const bad = (what: string) =>
    new CheckpointError(file, `not a gates file of version ${FORMAT_VERSION}: ${what}`);
  if (!j || j.version !== FORMAT_VERSION || typeof j.gates !== "object" || j.gates === null)
    throw bad("no gates");
  const g = j.gates;
  const flags = (v: unknown, keys: readonly string[]) =>
    typeof v === "object" &&
    v !== null &&
    keys.every((k) => typeof (v as Record<string, unknown>)[k] === "boolean");
  if (typeof g.levelChain !== "boolean") throw bad("levelChain");
  for (const f of FAMILIES) {
    const r = g.refine?.[f];
    if (!r || typeof r.on !== "boolean" || !Number.isFinite(r.minPeak) || !Number.isFinite(r.maxShiftMm))
      throw bad(`refine.${f}`);
  }
  if (!flags(g.canalFirst, SIDE_POINT_FAMILIES)) throw bad("canalFirst");
  if (!flags(g.tta, FAMILIES)) throw bad("tta");
  if (!flags(g.crossFamily, SIDE_POINT_FAMILIES)) throw bad("crossFamily");
  if (typeof g.shrink !== "object" || g.shrink === null) throw bad("shrink");
  for (const [kind, w] of Object.entries(g.shrink)) {
    const weightOk = (v: unknown) => Number.isFinite(v) && (v as number) >= 0 && (v as number) <= 1;
    if (!(INPUT_KINDS as readonly string[]).includes(kind) || !FAMILIES.every((f) => weightOk(w?.[f])))
      throw bad(`shrink.${kind}`);
  }
  return g as Gates;
}
