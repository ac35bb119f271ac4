import type { SeverityIndex } from "../../data/schema";
import type { LabelModel, StudyLabels } from "../label-model";

/**
 * The grade each target's sign is drawn at: the rater's label where there is one (the image shows
 * what the label says), else the latent's own grade (no rater noise), so a missing label still
 * has an image behind it. TARGETS order.
 */
export function drawnGrades(labels: StudyLabels, model: LabelModel): SeverityIndex[] {
  return labels.labels.map((l, i) => {
    if (l !== null) return l;
    // narrowing() maps the latent's moderate and severe cuts to 0.4 and 0.7.
    const n = model.narrowing(i, labels.latent[i]);
    return n >= 0.7 ? 2 : n >= 0.4 ? 1 : 0;
  });
}

/** Sign sizes per grade (Normal/Mild, Moderate, Severe): nothing drawn at Normal/Mild. */
export const SIGN = {
  /** Fraction of the canal's depth pinched off at the disc (its width loses a third of that). */
  canalPinch: [0, 0.45, 0.8],
  /** Fraction of the foramen's fat ellipse (each semi-axis) left inside the stenosis. */
  foramenFatLeft: [1, 0.5, 0.22],
  /** Radius of the subarticular circle, or half side of its square, mm. */
  recessSize: [0, 2.6, 4.6],
} as const;

/**
 * Sagittal T1 slices (indices) that show the foraminal sign of a foramen labelled on slice
 * `labelled`. `lateral` is the index step (+1 or -1) that moves away from the midline on the
 * foramen's side. Indices outside [0, count) are dropped.
 */
export function foraminalSignSlices(
  rule: "labelled" | "beyond",
  labelled: number,
  lateral: 1 | -1,
  count: number,
): number[] {
  const steps = rule === "labelled" ? [-1, 0, 1] : [2, 3];
  return steps.map((k) => labelled + k * lateral).filter((i) => i >= 0 && i < count);
}
