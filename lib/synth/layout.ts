import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SynthError } from "./errors";

/** The output folder every synthetic writer shares: the competition's files, then ground_truth/. */
export const GROUND_TRUTH_DIR = "ground_truth";
/** Written last into ground_truth/: its presence says a writer of ours made (and finished) the folder. */
export const MARKER = "synth.json";

export const COMPETITION_CSVS = [
  "train.csv",
  "train_label_coordinates.csv",
  "train_series_descriptions.csv",
  "test_series_descriptions.csv",
  "sample_submission.csv",
];

/** Refuse to write into a folder we did not make; clear our own previous output. */
export function prepareOutput(out: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new SynthError("output exists and is not a folder", out);
    const entries = readdirSync(out);
    if (entries.length > 0 && !existsSync(path.join(out, GROUND_TRUTH_DIR, MARKER))) {
      throw new SynthError(
        "output folder is not empty and was not written by lumbar synth; choose an empty folder",
        out,
      );
    }
    for (const e of ["train_images", "test_images", GROUND_TRUTH_DIR, ...COMPETITION_CSVS])
      rmSync(path.join(out, e), { recursive: true, force: true });
  }
  mkdirSync(path.join(out, GROUND_TRUTH_DIR), { recursive: true });
}

/** synth.json: what made the folder (the writer's options), one key per line. */
export function writeMarker(out: string, content: Readonly<Record<string, unknown>>): void {
  writeFileSync(path.join(out, GROUND_TRUTH_DIR, MARKER), JSON.stringify(content, null, 1) + "\n");
}
