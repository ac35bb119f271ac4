import path from "node:path";
import type { Split } from "../data/dataset";
import { Rng } from "../util/rng";
import { SynthError } from "./errors";
import { GROUND_TRUTH_DIR, prepareOutput, writeMarker } from "./layout";
import { writeCompetitionCsvs, writeSharedGroundTruth, type SplitRecord, type StudyRecord } from "./tables";

export interface SynthProgress {
  readonly done: number;
  readonly total: number;
  readonly studyId: number;
  readonly split: Split;
}

export interface GeneratedDataset {
  readonly dir: string;
  readonly trainStudies: readonly number[];
  readonly testStudies: readonly number[];
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** What every writer is asked for: where, how many studies, which seed. */
export interface DatasetRequest {
  /** Output folder: created if missing; a folder not made by a writer of ours must be empty. */
  readonly out: string;
  readonly train: number;
  readonly test: number;
  readonly seed: number;
  readonly onProgress?: (p: SynthProgress) => void;
}

/** One study's place in the data set: its split, id and index within the split. */
export interface SplitStudy {
  readonly split: Split;
  readonly studyId: number;
  readonly index: number;
}

/** A synthetic writer: how it plans and draws a study; the loop, ids and CSVs are shared. */
export interface StudyWriter<P extends StudyRecord> {
  /** Plan one study (labels, geometry, labelled points); series ids come from `newSeriesId`. */
  planStudy(rng: Rng, study: SplitStudy, newSeriesId: () => number): P;
  /** Write its images as root/{study}/{series}/{instance}.dcm. */
  writeImages(root: string, plan: P, rng: Rng): { files: number; bytes: number };
  /** Ground-truth files beyond test_labels.csv and levels.csv, into `dir`. */
  writeGroundTruth?(dir: string, done: readonly SplitRecord<P>[]): void;
  /** synth.json: what made the folder. */
  readonly marker: Readonly<Record<string, unknown>>;
}

/**
 * Write a data set in the competition's layout (CSV files and {train,test}_images/{study}/{series}/
 * {instance}.dcm) plus ground_truth/ beside it, one study at a time. Study and series ids are drawn
 * from the seed, unique within the data set, 7 to 10 digits like the real ones. Same request and
 * writer, same bytes.
 */
export async function writeDataset<P extends StudyRecord>(
  req: DatasetRequest,
  writer: StudyWriter<P>,
): Promise<GeneratedDataset> {
  const started = Date.now();
  checkCounts(req);
  const out = path.resolve(req.out);
  prepareOutput(out);

  const rng = new Rng(req.seed);
  const newId = uniqueIds(rng.fork(11));
  const splits: SplitStudy[] = [];
  for (let i = 0; i < req.train; i++) splits.push({ split: "train", studyId: newId(), index: i });
  for (let i = 0; i < req.test; i++) splits.push({ split: "test", studyId: newId(), index: i });

  const done: SplitRecord<P>[] = [];
  let files = 0;
  let bytes = 0;
  for (const [k, s] of splits.entries()) {
    const studyRng = rng.fork(1000 + k);
    const plan = writer.planStudy(studyRng, s, newId);
    const written = writer.writeImages(path.join(out, `${s.split}_images`), plan, studyRng.fork(7));
    files += written.files;
    bytes += written.bytes;
    done.push({ split: s.split, plan });
    req.onProgress?.({ done: k + 1, total: splits.length, studyId: s.studyId, split: s.split });
    // Let progress bars and signals through between studies.
    await new Promise((r) => setImmediate(r));
  }

  writeCompetitionCsvs(out, done);
  const gt = path.join(out, GROUND_TRUTH_DIR);
  writeSharedGroundTruth(gt, done);
  writer.writeGroundTruth?.(gt, done);
  writeMarker(out, writer.marker);
  const byStudy = (split: Split) =>
    done
      .filter((d) => d.split === split)
      .map((d) => d.plan.studyId)
      .sort((a, b) => a - b);
  return {
    dir: out,
    trainStudies: byStudy("train"),
    testStudies: byStudy("test"),
    files,
    bytes,
    seconds: (Date.now() - started) / 1000,
  };
}

function checkCounts(req: DatasetRequest): void {
  for (const [k, v] of [
    ["train", req.train],
    ["test", req.test],
    ["seed", req.seed],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new SynthError(`--${k} must be a non-negative integer, got ${v}`);
  }
}

/** Dataset-unique ids of 7 to 10 digits (below 2^32), as the competition's study and series ids. */
function uniqueIds(idRng: Rng): () => number {
  const used = new Set<number>();
  return () => {
    for (;;) {
      const digits = idRng.int(7, 10);
      const lo = 10 ** (digits - 1);
      const hi = Math.min(10 ** digits - 1, 4294967295);
      const id = idRng.int(lo, hi);
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}
