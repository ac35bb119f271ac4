import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../util/errors";
import { disposeTrained, loadTrained } from "./models";
import {
  CONFIG_FILE,
  CROSS_FAMILY_FILE,
  EPOCHS_FILE,
  GATES_FILE,
  LEVEL_PRIOR_FILE,
  OFFSETS_FILE,
  PRIOR_FILE,
  checkpointsDir,
} from "./weights-folder";

/** The folder-level files of a weights folder (cross-family.json, epochs.json and gates.json may be absent). */
const FOLDER_FILES = [
  CONFIG_FILE,
  OFFSETS_FILE,
  PRIOR_FILE,
  LEVEL_PRIOR_FILE,
  CROSS_FAMILY_FILE,
  EPOCHS_FILE,
  GATES_FILE,
];

/**
 * Copy the part of a weights folder that `lumbar predict` reads into a new folder: the folder-level
 * JSON files and, per unit, its state.json and the one weights file loadTrained loads (the common
 * epoch's). A kernel run keeps every epoch of every unit (the common epoch is chosen after all
 * folds finish), so this is what a Kaggle weights dataset should hold. The source is loaded first,
 * so a folder predict would refuse is refused here, with the same CheckpointError.
 */
export function exportWeights(
  from: string,
  to: string,
): { files: string[]; bytes: number; sourceBytes: number } {
  const src = checkpointsDir(from);
  const dest = resolve(to);
  if (existsSync(dest) && readdirSync(dest).length)
    throw new UsageError(`--out ${dest} is not empty: export into a new folder`);
  const loaded = loadTrained(src);
  disposeTrained(loaded);
  const files = [
    ...FOLDER_FILES.filter((f) => existsSync(join(src, f))),
    ...loaded.units.flatMap(({ unit, file }) => [join(unit, "state.json"), join(unit, basename(file))]),
  ];
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(src, f), join(dest, f));
  }
  const size = (f: string) => statSync(join(dest, f)).size;
  return { files, bytes: files.reduce((s, f) => s + size(f), 0), sourceBytes: folderBytes(src) };
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((s, e) => s + statSync(join(e.parentPath, e.name)).size, 0);
}
