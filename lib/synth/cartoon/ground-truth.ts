import path from "node:path";
import { CONDITION_INFO, LEVEL_TITLES, LEVELS, SEVERITY_LABELS } from "../../data/schema";
import { writeCsvAtomic } from "../../util/csv";
import { projectToPixel } from "../plan";
import type { SplitRecord } from "../tables";
import type { CartoonStudy } from "./study";

const round = (v: number, digits: number) => String(Number(v.toFixed(digits)));

/**
 * The cartoon's own ground truth, both splits: series.csv (each series' kind and how it stores its
 * pixels: the gain from relative signal to stored values, signed, MONOCHROME1, implicit VR),
 * signs.csv (every sign drawn on a single slice: the instance and the pixel its centre projects
 * to) and broken_files.csv (the files cut inside their pixel data).
 */
export function writeCartoonGroundTruth(gt: string, done: readonly SplitRecord<CartoonStudy>[]): void {
  const studies = done
    .map((d) => ({ split: d.split, study: d.plan }))
    .sort((a, b) => a.study.studyId - b.study.studyId);
  writeCsvAtomic(
    path.join(gt, "series.csv"),
    ["study_id", "series_id", "split", "kind", "gain", "signed", "monochrome1", "implicit_vr"],
    studies.flatMap(({ split, study }) =>
      study.series.map((s) => [
        study.studyId,
        s.seriesId,
        split,
        s.kind,
        round(s.gain, 4),
        s.signedRescaled ? 1 : 0,
        s.monochrome1 ? 1 : 0,
        s.implicitVr ? 1 : 0,
      ]),
    ),
  );
  writeCsvAtomic(
    path.join(gt, "signs.csv"),
    ["study_id", "series_id", "instance_number", "condition", "level", "severity", "x", "y"],
    studies.flatMap(({ study }) =>
      study.series.flatMap((s) =>
        [...(study.overlays.get(s.seriesId) ?? [])]
          .sort((a, b) => a[0] - b[0])
          .flatMap(([index, overlays]) =>
            overlays.map((o) => {
              const px = projectToPixel(s.slices[index], o.centre);
              return [
                study.studyId,
                s.seriesId,
                index + 1,
                CONDITION_INFO[o.condition].title,
                LEVEL_TITLES[LEVELS[o.level]],
                SEVERITY_LABELS[o.grade],
                round(px.x, 4),
                round(px.y, 4),
              ];
            }),
          ),
      ),
    ),
  );
  writeCsvAtomic(
    path.join(gt, "broken_files.csv"),
    ["study_id", "series_id", "instance_number", "split", "problem"],
    studies
      .filter(({ study }) => study.truncated)
      .map(({ split, study }) => [
        study.studyId,
        study.truncated!.seriesId,
        study.truncated!.instance,
        split,
        "cut inside the pixel data",
      ]),
  );
}
