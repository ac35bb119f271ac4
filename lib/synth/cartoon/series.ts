import { LEVELS, type SeriesDescription } from "../../data/schema";
import type { Rng } from "../../util/rng";
import { centredSlice, projectToPixel, type SeriesPlan, type SlicePlan } from "../plan";
import { add, cross, dot, mulMat, normalize, rotationXYZ, scale, sub, type Vec3 } from "../vec";
import type { CartoonQuirks } from "./quirks";
import { FIRST_LEVEL_DISC, foramenX, tangentAt, toPatient, type CartoonSpine } from "./spine";
import type { CartoonStyle, SeriesKind } from "./styles";

export interface CartoonSeries extends SeriesPlan {
  readonly kind: SeriesKind;
}

/** How a series stores its pixels (quirks.ts `seriesFormat`). */
export type SeriesFormat = Pick<
  SeriesPlan,
  "signedRescaled" | "bitsStored" | "gain" | "monochrome1" | "implicitVr"
>;

const DESCRIPTION: Record<SeriesKind, SeriesDescription> = {
  sagittalT2: "Sagittal T2/STIR",
  sagittalT1: "Sagittal T1",
  axialT2: "Axial T2",
};
const SEQUENCE: Record<SeriesKind, SeriesPlan["sequence"]> = {
  sagittalT2: "T2",
  sagittalT1: "T1",
  axialT2: "T2",
};
/** Every labelled structure stays at least this far inside the field of view (mm). */
const MARGIN_MM = 12;

function series(kind: SeriesKind, seriesId: number, slices: SlicePlan[], gap: number, f: SeriesFormat) {
  return {
    seriesId,
    kind,
    description: DESCRIPTION[kind],
    sequence: SEQUENCE[kind],
    slices,
    spacingBetweenSlices: gap,
    ...f,
  };
}

/**
 * A sagittal stack aligned with the scanner (not the spine) to within a couple of degrees,
 * images with anterior on the left and superior at the top. The spine sits anywhere in the field
 * of view that keeps every labelled level (and the structures behind the canal) inside it.
 */
export function sagittalSeries(
  rng: Rng,
  sp: CartoonSpine,
  style: CartoonStyle,
  kind: "sagittalT2" | "sagittalT1",
  seriesId: number,
  format: SeriesFormat,
): CartoonSeries {
  const grid = style.sagittal;
  const [rows, cols] = rng.pick(grid.matrices);
  const spacing = rng.uniform(grid.fovMm[0], grid.fovMm[1]) / cols;
  const gap = rng.uniform(grid.gapMm[0], grid.gapMm[1]);
  const lateralOffset = rng.uniform(-2, 2);
  let count = rng.int(grid.count[0], grid.count[1]);
  // Signs drawn beyond the labelled slice's neighbours need three slices lateral of the foramen.
  if (style.foraminalSigns === "beyond")
    count = Math.max(count, 2 * Math.ceil((foramenX(sp) + 3 * gap + Math.abs(lateralOffset) + 1) / gap) + 1);
  const tilt = rotationXYZ(rad(rng.normal(0, 1.5)), rad(rng.normal(0, 1.5)), rad(rng.normal(0, 1.5)));
  const rowDir = normalize(mulMat(tilt, [0, 1, 0]));
  const colDir = normalize(mulMat(tilt, [0, 0, -1]));
  const normal = cross(rowDir, colDir);
  const first = sp.discs[FIRST_LEVEL_DISC];
  const last = sp.discs[sp.discs.length - 1];
  const keep = [first.s + first.height / 2 + 6, last.s - last.height / 2 - 6].flatMap((s) => [
    toPatient(sp, 0, -sp.bodyHalfDepth - 4, s),
    toPatient(sp, 0, sp.canalA + sp.canalHalfDepth + 12, s),
  ]);
  const u = placeInView(rng, keep, rowDir, (cols * spacing) / 2);
  const v = placeInView(rng, keep, colDir, (rows * spacing) / 2);
  const n = dot(toPatient(sp, 0, 0, (first.s + last.s) / 2), normal) + lateralOffset;
  const centre = add(add(scale(rowDir, u), scale(colDir, v)), scale(normal, n));
  const thickness = gap - rng.uniform(0, 0.5);
  const sign = rng.bool(0.5) ? 1 : -1;
  const slices = Array.from({ length: count }, (_, k) =>
    centredSlice(
      add(centre, scale(normal, (k - (count - 1) / 2) * gap * sign)),
      rowDir,
      colDir,
      rows,
      cols,
      [spacing, spacing],
      thickness,
    ),
  );
  return series(kind, seriesId, slices, gap, format);
}

/** A centre coordinate along `dir` that keeps every point at least MARGIN_MM inside half-width `half`. */
function placeInView(rng: Rng, points: readonly Vec3[], dir: Vec3, half: number): number {
  const proj = points.map((p) => dot(p, dir));
  const lo = Math.max(...proj) - half + MARGIN_MM;
  const hi = Math.min(...proj) + half - MARGIN_MM;
  return lo <= hi ? rng.uniform(lo, hi) : (lo + hi) / 2;
}

/** A set of axial slices made for one level (null: one stack over all levels). */
export interface AxialBlock {
  readonly level: number | null;
  readonly slices: readonly SlicePlan[];
}

/**
 * Axial T2: one block per labelled level, each tilted to its disc (most studies), or one stack
 * along the lumbar chord; split over two series in some studies. Images with patient left on the
 * image's right and anterior at the top.
 */
export function axialSeries(
  rng: Rng,
  sp: CartoonSpine,
  style: CartoonStyle,
  quirks: CartoonQuirks,
  newSeriesId: () => number,
  format: SeriesFormat,
): { series: CartoonSeries[]; blocks: AxialBlock[] } {
  const grid = style.axial;
  const [rows, cols] = rng.pick(grid.matrices);
  const pixel = rng.uniform(grid.fovMm[0], grid.fovMm[1]) / cols;
  const spacing: [number, number] = [pixel, pixel];
  const gap = rng.uniform(grid.gapMm[0], grid.gapMm[1]);
  const thickness = gap - rng.uniform(0, 0.5);
  const perLevel = quirks.multipleAxialStacks && rng.bool(0.6);
  const inferiorFirst = rng.bool(0.3);
  const towardsFeet = inferiorFirst ? -1 : 1;
  // In-plane field centre: near the canal, a little off.
  const cx = rng.normal(0, 4);
  const ca = sp.canalA - 8 + rng.normal(0, 5);
  const frame = (normal: Vec3) => {
    const rowDir = normalize(sub(sp.left, scale(normal, dot(sp.left, normal))));
    return { rowDir, colDir: cross(normal, rowDir) };
  };
  const slice = (centre: Vec3, normal: Vec3, off: number) => {
    const { rowDir, colDir } = frame(normal);
    return centredSlice(add(centre, scale(normal, off)), rowDir, colDir, rows, cols, spacing, thickness);
  };

  const blocks: AxialBlock[] = [];
  if (perLevel) {
    LEVELS.forEach((_, lv) => {
      const d = sp.discs[FIRST_LEVEL_DISC + lv];
      const tilt = rotationXYZ(rad(rng.normal(0, 2)), rad(rng.normal(0, 2)), 0);
      const normal = normalize(mulMat(tilt, tangentAt(sp, d.s)));
      const per = rng.int(grid.count[0], grid.count[1]);
      const through = Math.floor((per - 1) / 2);
      const centre = toPatient(sp, cx, ca, d.s + rng.uniform(-0.5, 0.5));
      const slices = Array.from({ length: per }, (_, k) =>
        slice(centre, normal, (through - k) * gap * towardsFeet),
      );
      blocks.push({ level: lv, slices });
    });
    if (inferiorFirst) blocks.reverse();
  } else {
    const top = toPatient(sp, cx, ca, sp.discs[FIRST_LEVEL_DISC].s + 10);
    const bottom = toPatient(sp, cx, ca, sp.discs[sp.discs.length - 1].s - 10);
    const chord = sub(top, bottom);
    const normal = normalize(chord);
    const count = Math.ceil(Math.sqrt(dot(chord, chord)) / gap) + 1;
    const centre = scale(add(top, bottom), 0.5);
    const slices = Array.from({ length: count }, (_, k) =>
      slice(centre, normal, ((count - 1) / 2 - k) * gap * towardsFeet),
    );
    blocks.push({ level: null, slices });
  }

  const all = blocks.flatMap((b) => b.slices);
  let groups = [all];
  if (quirks.splitAxialSeries && rng.bool(0.3)) {
    const cut =
      blocks.length > 1
        ? blocks.slice(0, rng.int(1, blocks.length - 1)).reduce((n, b) => n + b.slices.length, 0)
        : Math.floor(all.length / 2);
    groups = [all.slice(0, cut), all.slice(cut)];
  }
  return {
    series: groups.map((slices) => series("axialT2", newSeriesId(), slices, gap, format)),
    blocks,
  };
}

/** The slices of the level's own block (or the one stack), nearest the point first. */
export function nearestAxialSlices(blocks: readonly AxialBlock[], level: number, point: Vec3): SlicePlan[] {
  const block = blocks.find((b) => b.level === level) ?? blocks[0];
  const dist = (s: SlicePlan) => Math.abs(projectToPixel(s, point).distance);
  return [...block.slices].sort((a, b) => dist(a) - dist(b));
}

/** Index of the slice of a stack nearest a point. */
export function nearestSliceIndex(slices: readonly SlicePlan[], point: Vec3): number {
  const dist = (i: number) => Math.abs(projectToPixel(slices[i], point).distance);
  return slices.reduce((best, _, i) => (dist(i) < dist(best) ? i : best), 0);
}

const rad = (deg: number) => (deg * Math.PI) / 180;
