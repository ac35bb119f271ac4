import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SeriesDescription } from "./schema";
import { loadSeriesDescriptions } from "./series-descriptions";
import { loadSampleSubmission } from "./submission-file";
import { groupBy } from "../util/group-by";

export type Split = "train" | "test";

/** Where the competition layout keeps each file, relative to the data root. */
export function datasetPaths(root: string, split: Split) {
  return {
    root,
    trainLabels: join(root, "train.csv"),
    coordinates: join(root, "train_label_coordinates.csv"),
    seriesDescriptions: join(root, `${split}_series_descriptions.csv`),
    sampleSubmission: join(root, "sample_submission.csv"),
    images: join(root, `${split}_images`),
  };
}

export interface InstanceFile {
  /** From the file name `{instance}.dcm`; the DICOM header's InstanceNumber is authoritative. */
  readonly instanceNumber: number | null;
  readonly path: string;
}

export interface SeriesEntry {
  readonly studyId: number;
  readonly seriesId: number;
  /** null when the series has files but no row in the descriptions CSV. */
  readonly description: SeriesDescription | null;
  readonly dir: string;
  /** Sorted by instance number (then name); empty when the folder is missing or empty. */
  readonly files: readonly InstanceFile[];
  /** Why this series may not be usable, e.g. "listed but no folder". */
  readonly problems: readonly string[];
}

export interface StudyEntry {
  readonly studyId: number;
  readonly dir: string;
  /** Descriptions-CSV order first, then unlisted folders by id. */
  readonly series: readonly SeriesEntry[];
  readonly problems: readonly string[];
}

export interface DatasetIndex {
  readonly root: string;
  readonly split: Split;
  /** Sorted by study id. */
  readonly studies: readonly StudyEntry[];
}

/**
 * Index `{split}_images/{study}/{series}/{instance}.dcm` against the series descriptions CSV (and, for
 * the test split, the studies of sample_submission.csv). Never throws on missing or empty folders, or
 * on series listed without files: those become `problems`, so one broken study cannot stop a batch run.
 * Reads directory listings only; no DICOM is opened.
 */
export function indexDataset(root: string, split: Split): DatasetIndex {
  const paths = datasetPaths(root, split);
  const listed = existsSync(paths.seriesDescriptions) ? loadSeriesDescriptions(paths.seriesDescriptions) : [];
  const studyIds = new Set<number>(listed.map((r) => r.studyId));
  if (split === "test" && existsSync(paths.sampleSubmission)) {
    for (const id of loadSampleSubmission(paths.sampleSubmission).studyIds) studyIds.add(id);
  }
  for (const name of numericEntries(paths.images)) studyIds.add(Number(name));

  const rowsByStudy = groupBy(listed, (r) => r.studyId);
  const studies = [...studyIds]
    .sort((a, b) => a - b)
    .map((studyId): StudyEntry => {
      const dir = join(paths.images, String(studyId));
      const problems: string[] = [];
      const onDisk = isDir(dir) ? numericEntries(dir).map(Number) : [];
      if (!isDir(dir)) problems.push(`no image folder ${dir}`);
      const rows = rowsByStudy.get(studyId) ?? [];
      const seriesIds = [
        ...rows.map((r) => r.seriesId),
        ...onDisk.filter((id) => !rows.some((r) => r.seriesId === id)).sort((a, b) => a - b),
      ];
      const series = seriesIds.map((seriesId) =>
        indexSeries(
          studyId,
          seriesId,
          rows.find((r) => r.seriesId === seriesId)?.description ?? null,
          join(dir, String(seriesId)),
        ),
      );
      if (rows.length === 0) problems.push(`study ${studyId} has no rows in ${paths.seriesDescriptions}`);
      return { studyId, dir, series, problems };
    });
  return { root, split, studies };
}

function indexSeries(
  studyId: number,
  seriesId: number,
  description: SeriesDescription | null,
  dir: string,
): SeriesEntry {
  const problems: string[] = [];
  if (description === null) problems.push(`series ${seriesId} is not in the series descriptions CSV`);
  if (!isDir(dir)) {
    problems.push(`series ${seriesId} is listed but has no folder ${dir}`);
    return { studyId, seriesId, description, dir, files: [], problems };
  }
  const files = readdirSync(dir)
    .filter((n) => n.toLowerCase().endsWith(".dcm"))
    .map((name) => {
      const stem = name.slice(0, -4);
      return { instanceNumber: /^\d+$/.test(stem) ? Number(stem) : null, path: join(dir, name), name };
    })
    .sort(
      (a, b) =>
        (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) || a.name.localeCompare(b.name),
    )
    .map(({ instanceNumber, path }) => ({ instanceNumber, path }));
  if (files.length === 0) problems.push(`series ${seriesId} folder ${dir} holds no .dcm files`);
  return { studyId, seriesId, description, dir, files, problems };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Names of sub-folders that are numeric ids; [] when `dir` does not exist. */
function numericEntries(dir: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+$/.test(e.name))
    .map((e) => e.name);
}

/** The series of a study with a given description, in index order. */
export function seriesOfType(study: StudyEntry, description: SeriesDescription): SeriesEntry[] {
  return study.series.filter((s) => s.description === description);
}
