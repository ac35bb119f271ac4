import { CONDITIONS, LEVELS, type Condition, type SeverityIndex } from "../../data/schema";
import type { Rng } from "../../util/rng";
import type { LabelModel, StudyLabels } from "../label-model";
import { projectToPixel, type SlicePlan } from "../plan";
import type { CoordinateRow, StudyRecord } from "../tables";
import { dot, sub, type Vec3 } from "../vec";
import type { SplitStudy } from "../writer";
import { seriesFormat, type CartoonQuirks, type SplitQuirks } from "./quirks";
import {
  axialSeries,
  nearestAxialSlices,
  nearestSliceIndex,
  sagittalSeries,
  type CartoonSeries,
} from "./series";
import { drawnGrades, foraminalSignSlices } from "./signs";
import { buildSpine, landmarks, sideSign, toPatient, type CartoonSpine } from "./spine";
import type { CartoonStyle } from "./styles";

/**
 * A sign drawn on one slice only, not part of the 3D anatomy: the foraminal sign (on Sagittal T1)
 * or the subarticular one (on Axial T2), around the projection of `centre` into the slice.
 */
export interface Overlay {
  readonly condition: Condition;
  /** Index into LEVELS. */
  readonly level: number;
  readonly grade: SeverityIndex;
  /** The foramen's or recess' centre, patient LPS mm. */
  readonly centre: Vec3;
}

export interface CartoonStudy extends StudyRecord {
  readonly labels: StudyLabels;
  /** The grade each target's sign is drawn at, TARGETS order. */
  readonly grades: readonly SeverityIndex[];
  readonly spine: CartoonSpine;
  readonly series: readonly CartoonSeries[];
  /** Per series id, per slice index (0-based): the signs drawn on that slice. */
  readonly overlays: ReadonlyMap<number, ReadonlyMap<number, readonly Overlay[]>>;
  /** The file cut inside its pixel data, if any. */
  readonly truncated: { readonly seriesId: number; readonly instance: number } | null;
}

export interface CartoonContext {
  readonly style: CartoonStyle;
  readonly quirks: CartoonQuirks;
  readonly splitQuirks: SplitQuirks;
  readonly model: LabelModel;
}

/** Index of a target in TARGETS (condition-major). */
const target = (condition: number, level: number) => condition * LEVELS.length + level;

export function planCartoonStudy(
  rng: Rng,
  s: SplitStudy,
  ctx: CartoonContext,
  newSeriesId: () => number,
): CartoonStudy {
  const labels = ctx.model.sample(rng.fork(1));
  const grades = drawnGrades(labels, ctx.model);
  const spine = buildSpine(rng.fork(2));
  const geo = rng.fork(3);
  const format = () => seriesFormat(geo, ctx.quirks, ctx.style);
  const sagT2 = sagittalSeries(geo, spine, ctx.style, "sagittalT2", newSeriesId(), format());
  const dropT1 = s.split === "test" && ctx.splitQuirks.noSagittalT1.has(s.index);
  const sagT1 = dropT1 ? null : sagittalSeries(geo, spine, ctx.style, "sagittalT1", newSeriesId(), format());
  const axial = axialSeries(geo, spine, ctx.style, ctx.quirks, newSeriesId, format());
  const series = [sagT2, ...(sagT1 ? [sagT1] : []), ...axial.series];
  const where = sliceIndex(series);

  const at = (p: Vec3) => toPatient(spine, p[0], p[1], p[2]);
  const canals = LEVELS.map((_, lv) => at(landmarks(spine, lv).canal));
  // The mid-sagittal slice: nearest the canal over all levels.
  const mid = sagT2.slices.reduce(
    (best, _, i) => (canalCost(sagT2.slices[i], canals) < canalCost(sagT2.slices[best], canals) ? i : best),
    0,
  );
  const overlays = new Map<number, Map<number, Overlay[]>>();
  const draw = (seriesId: number, index: number, o: Overlay) => {
    const bySlice = overlays.get(seriesId) ?? new Map<number, Overlay[]>();
    overlays.set(seriesId, bySlice);
    bySlice.set(index, [...(bySlice.get(index) ?? []), o]);
  };
  const jitter = rng.fork(4);
  const coordinates: CoordinateRow[] = [];
  const click = (cond: number, lv: number, slice: SlicePlan, point: Vec3) => {
    if (s.split !== "train" || labels.labels[target(cond, lv)] === null) return;
    const { seriesId, index } = where.get(slice)!;
    const px = projectToPixel(slice, point);
    // Annotators click within about a millimetre of the structure.
    coordinates.push({
      seriesId,
      instance: index + 1,
      condition: CONDITIONS[cond],
      level: LEVELS[lv],
      x: clamp(px.x + jitter.normal(0, 0.7 / slice.spacing[1]), 0, slice.cols - 1),
      y: clamp(px.y + jitter.normal(0, 0.7 / slice.spacing[0]), 0, slice.rows - 1),
    });
  };

  LEVELS.forEach((_, lv) => {
    const lm = landmarks(spine, lv);
    click(0, lv, sagT2.slices[mid], canals[lv]);
    for (const side of [0, 1] as const) {
      if (sagT1) {
        const foramen = at(lm.foramen(side));
        const labelled = nearestSliceIndex(sagT1.slices, foramen);
        click(1 + side, lv, sagT1.slices[labelled], foramen);
        const grade = grades[target(1 + side, lv)];
        if (grade > 0)
          for (const i of foraminalSignSlices(
            ctx.style.foraminalSigns,
            labelled,
            lateralStep(sagT1, spine, side),
            sagT1.slices.length,
          ))
            draw(sagT1.seriesId, i, { condition: CONDITIONS[1 + side], level: lv, grade, centre: foramen });
      }
      const recess = at(lm.recess(side));
      const nearest = nearestAxialSlices(axial.blocks, lv, at(lm.discCentre));
      click(3 + side, lv, nearest[0], recess);
      const grade = grades[target(3 + side, lv)];
      if (grade > 0)
        for (const slice of nearest.slice(0, 3)) {
          const { seriesId, index } = where.get(slice)!;
          draw(seriesId, index, { condition: CONDITIONS[3 + side], level: lv, grade, centre: recess });
        }
    }
  });

  const cut = ctx.splitQuirks.truncated[s.split].get(s.index);
  const pick = rng.fork(5);
  const victim = cut === "mid-sagittal" ? sagT2 : pick.pick(series);
  const truncated = cut
    ? {
        seriesId: victim.seriesId,
        instance: (cut === "mid-sagittal" ? mid : pick.int(0, victim.slices.length - 1)) + 1,
      }
    : null;
  return {
    studyId: s.studyId,
    labels,
    grades,
    spine,
    series,
    coordinates,
    levelCentres: LEVELS.map((_, lv) => at(landmarks(spine, lv).discCentre)),
    overlays,
    truncated,
  };
}

function sliceIndex(series: readonly CartoonSeries[]): Map<SlicePlan, { seriesId: number; index: number }> {
  const out = new Map<SlicePlan, { seriesId: number; index: number }>();
  for (const s of series) s.slices.forEach((slice, index) => out.set(slice, { seriesId: s.seriesId, index }));
  return out;
}

const canalCost = (slice: SlicePlan, points: readonly Vec3[]) =>
  points.reduce((acc, p) => acc + Math.abs(projectToPixel(slice, p).distance), 0);

/** The instance step (+1 or -1) that moves away from the midline on a side. */
function lateralStep(s: CartoonSeries, sp: CartoonSpine, side: 0 | 1): 1 | -1 {
  const step = dot(sub(s.slices[1].position, s.slices[0].position), sp.left) * sideSign(side);
  return step > 0 ? 1 : -1;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
