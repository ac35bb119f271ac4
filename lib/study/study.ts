import type { SeriesDescription } from "../data/schema";
import type { StudyEntry } from "../data/dataset";
import type { UnusableFile } from "../dicom";
import {
  goodSlice,
  loadSeriesStacks,
  withUnreadableSlices,
  type LoadedSeries,
  type SeriesStack,
} from "./stacks";

/** A file of a study that could not be used: skipped at its header read, or failed to decode. */
export interface UnusableStudyFile extends UnusableFile {
  readonly seriesId: number;
  readonly stage: "header" | "decode";
}

/**
 * A study's series by type, as headers and stacks; pixels are decoded lazily, only the slices the
 * localizer and the crops read. An absent type is an empty list (a fallback reason, not an error).
 */
export interface StudyImages {
  readonly studyId: number;
  readonly byType: Readonly<Record<SeriesDescription, readonly LoadedSeries[]>>;
  /** Index problems, load-time warnings (files skipped, sizes resampled) and, live, decodeProblems. */
  readonly problems: readonly string[];
  /** Files skipped while reading headers (decode failures: see unusableFiles). */
  readonly skippedFiles: readonly UnusableStudyFile[];
}

export async function loadStudy(entry: StudyEntry): Promise<StudyImages> {
  const problems = [...entry.problems];
  const byType: Record<SeriesDescription, LoadedSeries[]> = {
    "Sagittal T1": [],
    "Sagittal T2/STIR": [],
    "Axial T2": [],
  };
  const skippedFiles: UnusableStudyFile[] = [];
  for (const s of entry.series) {
    problems.push(...s.problems);
    if (!s.description || s.files.length === 0) continue;
    let loaded: LoadedSeries;
    try {
      loaded = await loadSeriesStacks(
        s.seriesId,
        s.dir,
        s.files.map((f) => f.path),
        (skipped) => skippedFiles.push({ ...skipped, seriesId: s.seriesId, stage: "header" }),
      );
    } catch (e) {
      // No usable file at all: the series is absent, as before, with the reason.
      problems.push(`series ${s.seriesId}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    problems.push(...loaded.series.warnings.map((w) => `series ${s.seriesId}: ${w}`));
    if (loaded.stacks.length) byType[s.description].push(loaded);
  }
  const study: StudyImages = {
    studyId: entry.studyId,
    byType,
    skippedFiles,
    // Decoding is lazy: slices that fail are known only once read, so the list is computed on access.
    get problems() {
      return [...problems, ...decodeProblems(study)];
    },
  };
  return study;
}

/** Slices that failed to decode so far (they read as their nearest good neighbour), one line each. */
export function decodeProblems(study: StudyImages): string[] {
  return Object.values(study.byType)
    .flat()
    .flatMap((series) =>
      series.stacks.flatMap((st) =>
        [...st.pixels.failures].map(([i, why]) => `series ${series.seriesId}: slice ${i} unreadable: ${why}`),
      ),
    );
}

/** Every file of the study found unusable so far: skipped headers, then failed decodes, once each. */
export function unusableFiles(study: StudyImages): UnusableStudyFile[] {
  const out = new Map<string, UnusableStudyFile>(study.skippedFiles.map((f) => [f.file, f]));
  for (const series of Object.values(study.byType).flat())
    for (const st of series.stacks)
      for (const f of st.pixels.unusable.values())
        if (!out.has(f.file)) out.set(f.file, { ...f, seriesId: series.seriesId, stage: "decode" });
  return [...out.values()];
}

export function stacksOf(study: StudyImages, type: SeriesDescription): SeriesStack[] {
  return study.byType[type].flatMap((s) => s.stacks);
}

/**
 * The series that shows the mid-sagittal view the localizer reads: T2/STIR, else T1 (logged by the
 * caller). A stack none of whose files decodes does not count (the reason is in decodeProblems).
 */
export function localizerStack(
  study: StudyImages,
): { stack: SeriesStack; type: SeriesDescription } | undefined {
  for (const type of ["Sagittal T2/STIR", "Sagittal T1"] as const) {
    const stack = stacksOf(study, type)[0];
    if (stack && decodes(stack)) return { stack, type };
  }
  return undefined;
}

function decodes(stack: SeriesStack): boolean {
  try {
    goodSlice(stack.pixels, Math.floor((stack.planes.length - 1) / 2));
    return true;
  } catch {
    return false;
  }
}

/**
 * The study as if the files of some slices could not be decoded (lib/study withUnreadableSlices): the
 * kernel's way to make, on a train study, a degradation it judges out of fold. Masked slices read as
 * their nearest good neighbour and are not listed among the study's failures.
 */
export function withUnreadable(
  study: StudyImages,
  masks: ReadonlyMap<SeriesStack, ReadonlySet<number>>,
): StudyImages {
  const byType = Object.fromEntries(
    Object.entries(study.byType).map(([type, list]) => [
      type,
      list.map((series) => ({
        ...series,
        stacks: series.stacks.map((st) => (masks.has(st) ? withUnreadableSlices(st, masks.get(st)!) : st)),
      })),
    ]),
  ) as unknown as StudyImages["byType"];
  return {
    studyId: study.studyId,
    byType,
    skippedFiles: study.skippedFiles,
    get problems() {
      return study.problems;
    },
  };
}

/** The study as if it had no series of `type` (a degradation the kernel judges out of fold). */
export function withoutSeries(study: StudyImages, type: SeriesDescription): StudyImages {
  return {
    studyId: study.studyId,
    byType: { ...study.byType, [type]: [] },
    skippedFiles: study.skippedFiles,
    get problems() {
      return study.problems;
    },
  };
}
