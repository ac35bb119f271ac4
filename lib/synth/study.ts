import { CONDITION_INFO, LEVELS, TARGETS, type Condition, type SeriesDescription } from "../data/schema";
import type { Rng } from "../util/rng";
import { FIRST_LABELLED_DISC, bodyAxis, buildAnatomy, landmarks, toScanner, type Anatomy } from "./anatomy";
import { seriesAppearance, type AppearanceOptions, type SeriesAppearance } from "./appearance";
import { Phantom } from "./phantom";
import type { LabelModel, StudyLabels } from "./label-model";
import { centredSlice, projectToPixel, type SeriesPlan, type SlicePlan } from "./plan";
import { NO_PLACEMENT, drawPlacement, place, shrink, type Placement, type Protocol } from "./protocol";
import type { Quirks } from "./quirks";
import { drawVariation } from "./variation";
import type { CoordinateRow } from "./tables";
import { add, cross, dot, mulMat, normalize, rotationXYZ, scale, sub, type Vec3 } from "./vec";

export type SynthSize = "small" | "full";

export interface StudyPlan {
  readonly studyId: number;
  readonly labels: StudyLabels;
  readonly anatomy: Anatomy;
  readonly phantom: Phantom;
  readonly series: readonly SeriesPlan[];
  /** How each series looks, series order. */
  readonly appearances: readonly SeriesAppearance[];
  readonly coordinates: readonly CoordinateRow[];
  /** True disc centres (patient LPS mm), LEVELS order. */
  readonly levelCentres: readonly Vec3[];
  /** For each labelled level, the axial series and instance the generator centred on that disc. */
  readonly axialLevelSlices: readonly { seriesId: number; instance: number }[];
}

export interface StudyOptions {
  readonly protocol: Protocol;
  readonly appearance: AppearanceOptions;
  readonly quirks: Quirks;
  readonly dropSagittalT1: boolean;
  /** Draws a fresh, dataset-unique series id. */
  readonly newSeriesId: () => number;
}

const rad = (deg: number) => (deg * Math.PI) / 180;

export function planStudy(rng: Rng, studyId: number, model: LabelModel, opts: StudyOptions): StudyPlan {
  const labels = model.sample(rng.fork(1));
  const anatomyRng = rng.fork(2);
  const fixedAnatomy = buildAnatomy(anatomyRng, labels.narrowing, opts.protocol.kappa);
  // The random appearance varies the anatomy too, from a fork taken after the fixed draws: the fixed
  // phantom draws nothing new.
  const anatomy =
    opts.appearance.mode === "random"
      ? { ...fixedAnatomy, variation: drawVariation(anatomyRng.fork(1), fixedAnatomy) }
      : fixedAnatomy;
  const phantom = new Phantom(anatomy);
  const geo = rng.fork(3);
  const series: SeriesPlan[] = [];
  const t2Sequence = geo.bool(0.15) ? "STIR" : "T2";
  const sagT2 = sagittalSeries(geo, phantom, opts, "Sagittal T2/STIR", t2Sequence);
  series.push(sagT2);
  const sagT1 = opts.dropSagittalT1 ? null : sagittalSeries(geo, phantom, opts, "Sagittal T1", "T1");
  if (sagT1) series.push(sagT1);
  const axial = axialSeries(geo, phantom, opts);
  series.push(...axial.series);

  // Spinal points all go on one mid-sagittal instance: the slice nearest the canal, averaged over levels.
  const canalPoints = LEVELS.map((_, lv) => {
    return spineToScanner(phantom, landmarks(anatomy, FIRST_LABELLED_DISC + lv).canal);
  });
  const midSagittal = nearestSlice(sagT2, canalPoints);
  const jitter = rng.fork(4);
  const coordinates: CoordinateRow[] = [];
  const levelCentres: Vec3[] = [];
  LEVELS.forEach((level, lv) => {
    const disc = FIRST_LABELLED_DISC + lv;
    const lm = landmarks(anatomy, disc);
    const at = (p: Vec3) => spineToScanner(phantom, p);
    levelCentres.push(at(lm.discCentre));
    const point = (condition: Condition): { plan: SeriesPlan; target: Vec3; only?: number[] } | null => {
      const info = CONDITION_INFO[condition];
      const side = info.side === "left" ? 0 : 1;
      if (info.family === "spinal") return { plan: sagT2, target: at(lm.canal), only: [midSagittal] };
      if (info.family === "foraminal") return sagT1 ? { plan: sagT1, target: at(lm.foramen(side)) } : null;
      const { seriesId, instance } = axial.levelSlices[lv];
      const plan = series.find((s) => s.seriesId === seriesId)!;
      return { plan, target: at(lm.recess(side)), only: [instance - 1] };
    };
    for (const condition of TARGETS.filter((t) => t.level === level).map((t) => t.condition)) {
      const k = TARGETS.findIndex((t) => t.condition === condition && t.level === level);
      if (labels.labels[k] === null) continue;
      const p = point(condition);
      if (!p) continue;
      const candidates = p.only ?? p.plan.slices.map((_, i) => i);
      const best = candidates.reduce((b, i) =>
        Math.abs(projectToPixel(p.plan.slices[i], p.target).distance) <
        Math.abs(projectToPixel(p.plan.slices[b], p.target).distance)
          ? i
          : b,
      );
      const slice = p.plan.slices[best];
      const px = projectToPixel(slice, p.target);
      // Annotators click within about a millimetre of the structure.
      const x = clamp(px.x + jitter.normal(0, 0.7 / slice.spacing[1]), 0, slice.cols - 1);
      const y = clamp(px.y + jitter.normal(0, 0.7 / slice.spacing[0]), 0, slice.rows - 1);
      coordinates.push({ seriesId: p.plan.seriesId, instance: best + 1, condition, level, x, y });
    }
  });
  // The fixed look draws nothing, so it takes no fork: the phantom's bytes stay as they were.
  const looks = opts.appearance.mode === "fixed" ? rng : rng.fork(5);
  // The signal tables darken each nucleus by its degeneration, or by the varied anatomy's own darkening.
  const degeneration = anatomy.variation?.nucleusDarkening ?? anatomy.discs.map((d) => d.degeneration);
  return {
    studyId,
    labels,
    anatomy,
    phantom,
    series,
    appearances: series.map((s) => seriesAppearance(opts.appearance, s.sequence, degeneration, looks)),
    coordinates,
    levelCentres,
    axialLevelSlices: axial.levelSlices,
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** Index of the slice with the smallest summed |distance| to the points. */
function nearestSlice(plan: SeriesPlan, points: readonly Vec3[]): number {
  const cost = (i: number) =>
    points.reduce((acc, p) => acc + Math.abs(projectToPixel(plan.slices[i], p).distance), 0);
  return plan.slices.reduce((best, _, i) => (cost(i) < cost(best) ? i : best), 0);
}

function pixelFormat(rng: Rng, quirks: Quirks): Pick<SeriesPlan, "signedRescaled" | "bitsStored" | "gain"> {
  const signed = quirks.signedRescaledPixels && rng.bool(0.2);
  return {
    signedRescaled: signed ? { slope: rng.pick([1, 0.5, 2]), intercept: rng.pick([1024, 2048]) } : null,
    bitsStored: signed ? 16 : rng.bool(0.5) ? 12 : 16,
    gain: rng.uniform(600, 2400),
  };
}

function sagittalSeries(
  rng: Rng,
  ph: Phantom,
  opts: StudyOptions,
  description: SeriesDescription,
  sequence: SeriesPlan["sequence"],
): SeriesPlan {
  const an = ph.an;
  const P = opts.protocol.sagittal;
  const matrix = rng.pick(P.matrix);
  const fov = rng.uniform(P.fov[0], P.fov[1]);
  const sp = fov / matrix;
  const spacing: [number, number] = rng.bool(0.15) ? [sp, sp * rng.uniform(0.9, 1.1)] : [sp, sp];
  const drawnCount = rng.int(P.count[0], P.count[1]);
  const between = rng.uniform(P.between[0], P.between[1]);
  const count = Math.max(drawnCount, Math.ceil(P.minCoverage / between));
  const thickness = between - rng.uniform(0, 0.6);
  // The technologist aligns the slab with the patient, to within a couple of degrees.
  const align = mulMatPair(
    an,
    rotationXYZ(rad(rng.normal(0, 1.5)), rad(rng.normal(0, 1.5)), rad(rng.normal(0, 1.5))),
  );
  const rowDir0 = normalize(align(bodyDir(0, 1, 0)));
  const colDir0 = normalize(align(bodyDir(0, 0, -1)));
  const normal = cross(rowDir0, colDir0); // towards patient right
  // Centred between L1/L2 and L5/S1 (give or take a centimetre), so every labelled level is in view.
  const mid = (an.discs[FIRST_LABELLED_DISC].s + an.discs[an.discs.length - 1].s) / 2;
  const centreBody = ph.curve.bodyPoint(
    rng.normal(0, 2),
    20 + rng.uniform(-15, 15),
    mid + rng.uniform(-12, 10),
  );
  const placed = placeInView(
    drawPlacement(rng, opts.protocol, fov, true),
    toScanner(an, centreBody),
    rowDir0,
    colDir0,
    [matrix * spacing[1], matrix * spacing[0]],
    levelPoints(ph),
  );
  const { centre, rowDir, colDir } = placed;
  const leftFirst = rng.bool(0.5);
  const slices: SlicePlan[] = [];
  for (let k = 0; k < count; k++) {
    const off = (k - (count - 1) / 2) * between * (leftFirst ? 1 : -1);
    slices.push(
      centredSlice(add(centre, scale(normal, off)), rowDir, colDir, matrix, matrix, spacing, thickness),
    );
  }
  return {
    seriesId: opts.newSeriesId(),
    description,
    sequence,
    slices,
    spacingBetweenSlices: between,
    ...pixelFormat(rng, opts.quirks),
  };

  function bodyDir(x: number, y: number, z: number): Vec3 {
    return [x, y, z];
  }
}

/** A point in spine coordinates (x, a, s; lib/synth/anatomy.ts) in the scanner's LPS frame. */
function spineToScanner(ph: Phantom, p: Vec3): Vec3 {
  return toScanner(ph.an, ph.curve.bodyPoint(p[0], p[1], p[2]));
}

/** Scanner points that must stay in a sagittal view: each labelled disc's centre and canal point. */
function levelPoints(ph: Phantom): Vec3[] {
  return LEVELS.flatMap((_, lv) => {
    const lm = landmarks(ph.an, FIRST_LABELLED_DISC + lv);
    return [lm.discCentre, lm.canal].map((p) => spineToScanner(ph, p));
  });
}

/**
 * Apply a placement, halving its shift until every point lies within the middle 90% of the view
 * (width along the row, height along the column, mm); the rotation is kept. The fixed protocols'
 * empty placement passes through untouched.
 */
function placeInView(
  pl: Placement,
  centre: Vec3,
  rowDir: Vec3,
  colDir: Vec3,
  extent: readonly [number, number],
  points: readonly Vec3[],
): { centre: Vec3; rowDir: Vec3; colDir: Vec3 } {
  if (pl === NO_PLACEMENT) return { centre, rowDir, colDir };
  const inView = (v: ReturnType<typeof place>) =>
    points.every((p) => {
      const d = sub(p, v.centre);
      return Math.abs(dot(d, v.rowDir)) < 0.45 * extent[0] && Math.abs(dot(d, v.colDir)) < 0.45 * extent[1];
    });
  for (const f of [1, 0.5, 0.25]) {
    const placed = place(shrink(pl, f), centre, rowDir, colDir);
    if (inView(placed)) return placed;
  }
  return place(shrink(pl, 0), centre, rowDir, colDir);
}

/** Rotate a body-frame direction by `extra`, then into the scanner frame. */
function mulMatPair(an: Anatomy, extra: ReturnType<typeof rotationXYZ>) {
  return (v: Vec3): Vec3 => mulMat(an.rotation, mulMat(extra, v));
}

interface AxialStack {
  readonly level: number | null;
  readonly slices: SlicePlan[];
}

function axialSeries(rng: Rng, ph: Phantom, opts: StudyOptions) {
  const an = ph.an;
  const P = opts.protocol.axial;
  const matrix = rng.pick(P.matrix);
  const fov = rng.uniform(P.fov[0], P.fov[1]);
  const sp = fov / matrix;
  const spacing: [number, number] = rng.bool(0.1) ? [sp, sp * rng.uniform(0.92, 1.08)] : [sp, sp];
  const between = rng.uniform(P.between[0], P.between[1]);
  const thickness = between - rng.uniform(0, 0.5);
  const perLevel = opts.quirks.multipleAxialStacks && rng.bool(0.8);
  const inferiorFirst = rng.bool(0.2);
  const perStack = matrix < 256 ? rng.int(3, 4) : rng.int(4, 6);
  const placement = drawPlacement(rng, opts.protocol, fov, false);
  const extent: [number, number] = [matrix * spacing[1], matrix * spacing[0]];
  const recesses = (lv: number) =>
    ([0, 1] as const).map((side) => spineToScanner(ph, landmarks(an, FIRST_LABELLED_DISC + lv).recess(side)));
  const ac = an.ra + 1.5 + an.sacAp;
  const xAxis = bodyAxis(an, 0);

  const frame = (normal: Vec3) => {
    const rowDir = normalize(sub(xAxis, scale(normal, dot(xAxis, normal))));
    return { rowDir, colDir: cross(normal, rowDir) };
  };
  const stacks: AxialStack[] = [];
  if (perLevel) {
    LEVELS.forEach((_, lv) => {
      const d = an.discs[FIRST_LABELLED_DISC + lv];
      const tilt = rotationXYZ(rad(rng.normal(0, 1.5)), rad(rng.normal(0, 1.5)), 0);
      const normal = normalize(mulMat(an.rotation, mulMat(tilt, ph.curve.tangent(d.s))));
      const f = frame(normal);
      // One slice goes through the disc centre (to within half a millimetre), the rest above and below.
      const { centre, rowDir, colDir } = placeInView(
        placement,
        toScanner(
          an,
          ph.curve.bodyPoint(rng.normal(0, 3), ac + rng.normal(-5, 6), d.s + rng.uniform(-0.5, 0.5)),
        ),
        f.rowDir,
        f.colDir,
        extent,
        recesses(lv),
      );
      const through = Math.floor((perStack - 1) / 2);
      const slices: SlicePlan[] = [];
      for (let k = 0; k < perStack; k++) {
        const off = (through - k) * between * (inferiorFirst ? -1 : 1);
        slices.push(
          centredSlice(add(centre, scale(normal, off)), rowDir, colDir, matrix, matrix, spacing, thickness),
        );
      }
      stacks.push({ level: lv, slices });
    });
    if (inferiorFirst) stacks.reverse();
  } else {
    // One straight stack from above L1/L2 to below L5/S1, tilted to the mean disc plane.
    const top = an.discs[FIRST_LABELLED_DISC];
    const bottom = an.discs[an.discs.length - 1];
    const mid = (top.s + bottom.s) / 2;
    const normal = normalize(mulMat(an.rotation, ph.curve.tangent(mid)));
    const f = frame(normal);
    const pTop = toScanner(an, ph.curve.bodyPoint(0, ac, top.s + 6));
    const pBottom = toScanner(an, ph.curve.bodyPoint(0, ac, bottom.s - 6));
    const length = dot(sub(pTop, pBottom), normal);
    const count = Math.ceil(length / between) + 1;
    const { centre, rowDir, colDir } = placeInView(
      placement,
      toScanner(an, ph.curve.bodyPoint(rng.normal(0, 3), ac - 5, mid)),
      f.rowDir,
      f.colDir,
      extent,
      LEVELS.flatMap((_, lv) => recesses(lv)),
    );
    const mid3 = dot(sub(add(pTop, pBottom), scale(centre, 2)), normal) / 2;
    const slices: SlicePlan[] = [];
    for (let k = 0; k < count; k++) {
      const off = mid3 + ((count - 1) / 2 - k) * between * (inferiorFirst ? -1 : 1);
      slices.push(
        centredSlice(add(centre, scale(normal, off)), rowDir, colDir, matrix, matrix, spacing, thickness),
      );
    }
    stacks.push({ level: null, slices });
  }

  // Split into two series at a stack boundary (per-level stacks) or half way (one stack).
  const split = opts.quirks.splitAxialSeries && rng.bool(0.25);
  const groups: SlicePlan[][] = [];
  if (split && stacks.length > 1) {
    const cut = rng.int(1, stacks.length - 1);
    groups.push(
      stacks.slice(0, cut).flatMap((s) => s.slices),
      stacks.slice(cut).flatMap((s) => s.slices),
    );
  } else if (split) {
    const all = stacks[0].slices;
    const cut = Math.floor(all.length / 2);
    groups.push(all.slice(0, cut + 1), all.slice(cut - 1));
  } else groups.push(stacks.flatMap((s) => s.slices));

  const format = pixelFormat(rng, opts.quirks);
  const series: SeriesPlan[] = groups.map((slices) => ({
    seriesId: opts.newSeriesId(),
    description: "Axial T2",
    sequence: "T2",
    slices,
    spacingBetweenSlices: between,
    ...format,
  }));

  // The slice nearest each disc centre (among the stack made for it, when there is one).
  const levelSlices = LEVELS.map((_, lv) => {
    // At the disc's arc position: its mid-height at the back, where the recesses are (a lordotic
    // L5/S1 wedge's centre lies a little lower, discCentreOffset).
    const d = an.discs[FIRST_LABELLED_DISC + lv];
    const target = toScanner(an, ph.curve.bodyPoint(0, 0, d.s));
    const stack = stacks.find((s) => s.level === lv) ?? stacks[0];
    let best: { seriesId: number; instance: number; dist: number } | null = null;
    for (const s of series) {
      s.slices.forEach((slice, i) => {
        if (!stack.slices.includes(slice)) return;
        const dist = Math.abs(projectToPixel(slice, target).distance);
        if (!best || dist < best.dist) best = { seriesId: s.seriesId, instance: i + 1, dist };
      });
    }
    const b = best as unknown as { seriesId: number; instance: number };
    return { seriesId: b.seriesId, instance: b.instance };
  });
  return { series, levelSlices };
}
