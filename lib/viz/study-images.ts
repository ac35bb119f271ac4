/**
 * Figures of one study's DICOM images with its label points: every labelled slice of every series,
 * and a sagittal level point projected into the axial stack through patient space (lib/geometry).
 * Reads DICOM through lib/dicom (InstanceNumber from the header, not the file name).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CONDITION_INFO, LEVELS, LEVEL_TITLES, Level, SeriesDescription } from "../data/schema";
import type { LabelCoordinate } from "../data/coordinates";
import type { SeriesRecord } from "../data/series-descriptions";
import type { Split } from "../data/dataset";
import { loadSeries, locateInstance, type Series, type Stack } from "../dicom/series";
import { projectToStacks } from "../geometry/project";
import { dot, sub } from "../geometry/vec";
import { pixelToLps, type ImagePlane } from "../geometry/plane";
import { Figure, PALETTE } from "./figure";
import { ImagePoint, ImageTile, imageGridFigure } from "./images";
import { conditionAbbrev } from "./eda";
import { LumbarError } from "../util/errors";

/** A study has nothing to draw (no labelled series on disk, no sagittal point for the level...). */
export class StudyImageError extends LumbarError {
  readonly name = "StudyImageError";
  constructor(
    readonly studyId: number,
    readonly problem: string,
  ) {
    super(`study ${studyId}: ${problem}`);
  }
}

export interface StudyImageInputs {
  /** Competition-layout root (holds `{split}_images/`). */
  readonly dataDir: string;
  readonly split?: Split;
  readonly studyId: number;
  /** Label points (any superset: filtered to the study). */
  readonly coords: readonly LabelCoordinate[];
  /** Series descriptions (any superset: filtered to the study). */
  readonly series: readonly SeriesRecord[];
}

export function levelColor(level: Level): string {
  return PALETTE[LEVELS.indexOf(level)];
}

function pointOf(c: LabelCoordinate): ImagePoint {
  const side = CONDITION_INFO[c.condition].side;
  // Patient-left lies on the image's right (axial) : put each side's label on its own side.
  return {
    x: c.x,
    y: c.y,
    label: `${LEVEL_TITLES[c.level]}${side ? ` ${side[0].toUpperCase()}` : ""}`,
    color: levelColor(c.level),
    textPosition: side === "right" ? "middle left" : "middle right",
  };
}

function seriesDir(inp: StudyImageInputs, seriesId: number): string {
  return join(inp.dataDir, `${inp.split ?? "train"}_images`, String(inp.studyId), String(seriesId));
}

/** An instance's pixels, size and plane; undefined when the series has no such instance. */
export async function readInstance(series: Series, instanceNumber: number) {
  const ref = locateInstance(series, instanceNumber);
  if (!ref) return undefined;
  const stack = series.stacks[ref.stack];
  return {
    pixels: await stack.readSlice(ref.slice),
    width: stack.columns,
    height: stack.rows,
    plane: stack.slices[ref.slice].plane,
  };
}

/** One tile per labelled slice, series in Sagittal T2/STIR, Sagittal T1, Axial T2 order; at most `maxTiles`. */
export async function labelledSlicesFigure(
  inp: StudyImageInputs,
  opts: { maxTiles?: number; columns?: number } = {},
): Promise<Figure> {
  const mine = inp.coords.filter((c) => c.studyId === inp.studyId);
  const order: SeriesDescription[] = ["Sagittal T2/STIR", "Sagittal T1", "Axial T2"];
  const tiles: ImageTile[] = [];
  for (const desc of order) {
    for (const rec of inp.series.filter((s) => s.studyId === inp.studyId && s.description === desc)) {
      const pts = mine.filter((c) => c.seriesId === rec.seriesId);
      if (!pts.length) continue;
      const series = loadSeries(seriesDir(inp, rec.seriesId));
      const instances = [...new Set(pts.map((p) => p.instanceNumber))].sort((a, b) => a - b);
      for (const inst of instances) {
        const img = await readInstance(series, inst);
        if (!img) continue;
        const here = pts.filter((p) => p.instanceNumber === inst);
        const conds = [...new Set(here.map((p) => conditionAbbrev(p.condition)))].join(", ");
        tiles.push({ ...img, title: `${desc} #${inst}: ${conds}`, points: here.map(pointOf) });
      }
    }
  }
  if (!tiles.length) throw new StudyImageError(inp.studyId, "no labelled slice could be read");
  const shown = tiles.slice(0, opts.maxTiles ?? 12);
  return imageGridFigure(shown, {
    title: `Study ${inp.studyId}: labelled slices (${shown.length} of ${tiles.length})`,
    columns: opts.columns ?? 4,
  });
}

/**
 * Where an axial plane cuts a sagittal image: the pixel segment on which the signed distance to
 * the axial plane is 0 (distance is affine in (x, y), so two solutions at the image edges suffice).
 */
export function planeIntersectionSegment(
  image: ImagePlane,
  cut: ImagePlane,
): { x: [number, number]; y: [number, number] } | null {
  const dist = (x: number, y: number) => dot(sub(pixelToLps(image, x, y), cut.position), cut.normal);
  const d0 = dist(0, 0);
  const dx = dist(1, 0) - d0;
  const dy = dist(0, 1) - d0;
  const x0 = 0;
  const x1 = image.columns - 1;
  if (Math.abs(dy) > 1e-9) return { x: [x0, x1], y: [-(d0 + dx * x0) / dy, -(d0 + dx * x1) / dy] };
  if (Math.abs(dx) > 1e-9) return { x: [-d0 / dx, -d0 / dx], y: [0, image.rows - 1] };
  return null;
}

/**
 * A spinal level point on Sagittal T2/STIR, projected into the Axial T2 stacks in LPS mm: the sagittal
 * slice with the point and the chosen axial plane's trace, beside that axial slice with the projected
 * point (and the labelled subarticular points of the level, when present, for comparison).
 */
export interface SagittalToAxial {
  /** The labelled spinal point on Sagittal T2/STIR. */
  readonly sagittal: LabelCoordinate;
  readonly sagittalPlane: ImagePlane;
  /** The chosen Axial T2 series, slice and the point's foot on it (fractional pixels). */
  readonly axialSeriesId: number;
  readonly axialInstance: number | null;
  readonly axialPlane: ImagePlane;
  readonly x: number;
  readonly y: number;
  /** Signed distance of the point from that axial plane, mm. */
  readonly distanceMm: number;
  readonly inside: boolean;
  /** The stack holding the slice, to read its pixels. */
  readonly stack: Stack;
  readonly slice: number;
}

/**
 * Project the spinal point of `level` (Sagittal T2/STIR) into every Axial T2 series of the study in
 * LPS mm; keep the slice whose foot is inside the image, then the nearest plane.
 */
export function projectSagittalToAxial(inp: StudyImageInputs, level: Level): SagittalToAxial {
  const mine = inp.coords.filter((c) => c.studyId === inp.studyId);
  const sag = mine.find((c) => c.condition === "spinal_canal_stenosis" && c.level === level);
  if (!sag) throw new StudyImageError(inp.studyId, `no spinal canal point at ${LEVEL_TITLES[level]}`);
  const axialRecs = inp.series.filter((s) => s.studyId === inp.studyId && s.description === "Axial T2");
  if (!axialRecs.length) throw new StudyImageError(inp.studyId, "no Axial T2 series");
  const sagSeries = loadSeries(seriesDir(inp, sag.seriesId));
  const ref = locateInstance(sagSeries, sag.instanceNumber);
  if (!ref)
    throw new StudyImageError(inp.studyId, `instance ${sag.instanceNumber} not in series ${sag.seriesId}`);
  const sagittalPlane = sagSeries.stacks[ref.stack].slices[ref.slice].plane;
  const lps = pixelToLps(sagittalPlane, sag.x, sag.y);
  let best: SagittalToAxial | null = null;
  for (const rec of axialRecs) {
    const series = loadSeries(seriesDir(inp, rec.seriesId));
    const p = projectToStacks(series.stacks, lps);
    if (!p) continue;
    const better =
      !best ||
      (p.inside && !best.inside) ||
      (p.inside === best.inside && Math.abs(p.distanceMm) < Math.abs(best.distanceMm));
    if (!better) continue;
    const stack = series.stacks[p.stack];
    best = {
      sagittal: sag,
      sagittalPlane,
      axialSeriesId: rec.seriesId,
      axialInstance: stack.slices[p.slice].instanceNumber,
      axialPlane: stack.slices[p.slice].plane,
      x: p.x,
      y: p.y,
      distanceMm: p.distanceMm,
      inside: p.inside,
      stack,
      slice: p.slice,
    };
  }
  if (!best) throw new StudyImageError(inp.studyId, "Axial T2 series have no geometry");
  return best;
}

/**
 * A spinal level point on Sagittal T2/STIR, projected into the Axial T2 stacks in LPS mm: the sagittal
 * slice with the point and the chosen axial plane's trace, beside that axial slice with the projected
 * point (and the labelled subarticular points of the level, when present, for comparison).
 */
export async function sagittalToAxialFigure(inp: StudyImageInputs, level: Level): Promise<Figure> {
  const best = projectSagittalToAxial(inp, level);
  const sag = best.sagittal;
  const sagImg = await readInstance(loadSeries(seriesDir(inp, sag.seriesId)), sag.instanceNumber);
  if (!sagImg)
    throw new StudyImageError(inp.studyId, `instance ${sag.instanceNumber} not in series ${sag.seriesId}`);
  const stack = best.stack;
  const axial = { instanceNumber: best.axialInstance };
  const axialPixels = await stack.readSlice(best.slice);
  const segment = planeIntersectionSegment(best.sagittalPlane, best.axialPlane);
  const labelled = inp.coords.filter(
    (c) =>
      c.studyId === inp.studyId &&
      c.seriesId === best.axialSeriesId &&
      c.level === level &&
      CONDITION_INFO[c.condition].family === "subarticular",
  );
  const title = LEVEL_TITLES[level];
  return imageGridFigure(
    [
      {
        ...sagImg,
        title: `Sagittal T2/STIR #${sag.instanceNumber}: ${title}`,
        points: [{ x: sag.x, y: sag.y, label: title, color: levelColor(level) }],
        lines: segment ? [{ ...segment, color: "#19d3f3", label: "axial plane" }] : [],
      },
      {
        pixels: axialPixels,
        width: stack.columns,
        height: stack.rows,
        title: `Axial T2 #${axial.instanceNumber ?? "?"} (${best.distanceMm.toFixed(1)} mm away)`,
        points: [
          {
            x: best.x,
            y: best.y,
            label: "projected",
            color: "#19d3f3",
            symbol: "x-thin-open",
            textPosition: "top center",
          },
          ...labelled.map((c) => ({
            ...pointOf(c),
            label: CONDITION_INFO[c.condition].side === "left" ? "L" : "R",
          })),
        ],
      },
    ],
    {
      title: `Study ${inp.studyId}: ${title} from sagittal to axial through patient space`,
      columns: 2,
      tilePx: 360,
      maxImagePx: 384,
    },
  );
}

/**
 * Up to `n` studies worth showing: an image folder on disk, every series type listed, and label
 * points for every condition. Sorted by study id (deterministic).
 */
export function exampleStudies(inp: Omit<StudyImageInputs, "studyId">, n: number): number[] {
  const conditionsOf = new Map<number, Set<string>>();
  for (const c of inp.coords) {
    const set = conditionsOf.get(c.studyId) ?? new Set<string>();
    set.add(c.condition);
    conditionsOf.set(c.studyId, set);
  }
  const typesOf = new Map<number, Set<string>>();
  for (const s of inp.series) {
    const set = typesOf.get(s.studyId) ?? new Set<string>();
    set.add(s.description);
    typesOf.set(s.studyId, set);
  }
  const root = join(inp.dataDir, `${inp.split ?? "train"}_images`);
  return [...conditionsOf.keys()]
    .filter(
      (id) =>
        conditionsOf.get(id)!.size === Object.keys(CONDITION_INFO).length &&
        (typesOf.get(id)?.size ?? 0) === 3,
    )
    .filter((id) => existsSync(join(root, String(id))))
    .sort((a, b) => a - b)
    .slice(0, n);
}
