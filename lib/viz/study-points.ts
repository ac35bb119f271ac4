/**
 * Where a run looked in one study, as one figure: the mid-sagittal T2/STIR slice with the five level
 * points, the Sagittal T1 slice holding each side's foraminal points, and each level's axial slice
 * with its subarticular points. A run's points (points.csv) are circles with each row's
 * probabilities beside them; labelled points (train_label_coordinates.csv) are crosses. Each tile
 * shows the slice holding most of its points, and every point is drawn where it falls on that slice
 * through patient space (lib/geometry), its hover text saying how far off the slice it was placed.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CONDITION_INFO,
  LEVELS,
  LEVEL_TITLES,
  SEVERITY_LABELS,
  TARGETS,
  conditionsOf,
  rowId,
  type Condition,
  type Level,
  type SeriesDescription,
  type SeverityIndex,
} from "../data/schema";
import type { LabelCoordinate } from "../data/coordinates";
import type { RunPoint } from "../data/run-points";
import type { SeriesRecord } from "../data/series-descriptions";
import type { Split } from "../data/dataset";
import type { Probs3 } from "../metric";
import { loadSeries, locateInstance, type Series } from "../dicom/series";
import { lpsToPixel, pixelToLps, type ImagePlane } from "../geometry/plane";
import type { Figure } from "./figure";
import { imageGridFigure, type ImagePoint, type ImageTile } from "./images";
import { StudyImageError, levelColor, readInstance } from "./study-images";

export interface StudyPointsInputs {
  /** Competition-layout root: the study is looked up in train_images/, then test_images/. */
  readonly dataDir: string;
  readonly studyId: number;
  /** A run's points (points.csv rows; any superset, filtered to the study). */
  readonly predicted?: readonly RunPoint[];
  /** Each row's probabilities by row id (submission.csv, oof.csv). */
  readonly probabilities?: ReadonlyMap<string, Probs3>;
  /** Labelled points (train_label_coordinates.csv rows; any superset). */
  readonly labelled?: readonly LabelCoordinate[];
  /** Labelled severities by row id (train.csv), shown beside the probabilities. */
  readonly severities?: ReadonlyMap<string, SeverityIndex>;
  /** Series descriptions (any superset), for the tiles' titles. */
  readonly series?: readonly SeriesRecord[];
}

/** One tile: the points of these conditions and levels, on the slice holding most of them. */
interface Panel {
  readonly title: string;
  readonly conditions: readonly Condition[];
  readonly levels: readonly Level[];
}

const PANELS: readonly Panel[] = [
  { title: "levels", conditions: ["spinal_canal_stenosis"], levels: LEVELS },
  { title: "left foramina", conditions: ["left_neural_foraminal_narrowing"], levels: LEVELS },
  { title: "right foramina", conditions: ["right_neural_foraminal_narrowing"], levels: LEVELS },
  ...LEVELS.map((level) => ({
    title: LEVEL_TITLES[level],
    conditions: conditionsOf("subarticular"),
    levels: [level],
  })),
];

/** Points further than this from the shown slice say so in their hover text. */
const ON_SLICE_MM = 0.5;

/** The split whose image folder holds the study. */
export function studySplit(dataDir: string, studyId: number): Split {
  const split = (["train", "test"] as const).find((s) =>
    existsSync(join(dataDir, `${s}_images`, String(studyId))),
  );
  if (!split)
    throw new StudyImageError(
      studyId,
      `no folder train_images/${studyId} or test_images/${studyId} in ${dataDir}`,
    );
  return split;
}

/** The study figure; a StudyImageError when the study has no folder or no point to draw. */
export async function studyPointsFigure(inp: StudyPointsInputs): Promise<Figure> {
  const split = studySplit(inp.dataDir, inp.studyId);
  const predicted = (inp.predicted ?? []).filter((p) => p.studyId === inp.studyId);
  const labelled = (inp.labelled ?? []).filter((p) => p.studyId === inp.studyId);
  if (!predicted.length && !labelled.length)
    throw new StudyImageError(
      inp.studyId,
      "no points to draw: no run's points (points.csv) and no labelled ones",
    );
  const images = new StudyImages(join(inp.dataDir, `${split}_images`, String(inp.studyId)));
  const tiles: ImageTile[] = [];
  for (const panel of PANELS) {
    const tile = await panelTile(inp, panel, images, predicted, labelled);
    if (tile) tiles.push(tile);
  }
  if (!tiles.length) throw new StudyImageError(inp.studyId, "none of its points' slices could be read");
  const rows = TARGETS.map((t) => rowId(inp.studyId, t));
  const parts = [
    predicted.length
      ? `run's points ○${rows.some((r) => inp.probabilities?.has(r)) ? " with P(normal/mild, moderate, severe) in %" : ""}`
      : "",
    labelled.length ? "labelled ×" : "",
    rows.some((r) => inp.severities?.has(r)) ? "[labelled severity]" : "",
  ].filter(Boolean);
  return imageGridFigure(tiles, {
    title: `Study ${inp.studyId} (${split}): ${parts.join(", ")}`,
    columns: 4,
    tilePx: 300,
    maxImagePx: 320,
  });
}

async function panelTile(
  inp: StudyPointsInputs,
  panel: Panel,
  images: StudyImages,
  predicted: readonly RunPoint[],
  labelled: readonly LabelCoordinate[],
): Promise<ImageTile | null> {
  const inPanel = <P extends LabelCoordinate>(ps: readonly P[]) =>
    ps.filter((p) => panel.conditions.includes(p.condition) && panel.levels.includes(p.level));
  const pred = inPanel(predicted);
  const lab = inPanel(labelled);
  const slice = busiestSlice(pred.length ? pred : lab);
  if (!slice) return null;
  const image = await images.read(slice.seriesId, slice.instanceNumber);
  if (!image) return null;
  const tile: TileContext = { inp, panel, images, plane: image.plane, runPoints: pred.length > 0 };
  const points = [...lab.map((p) => marker(tile, p, null)), ...pred.map((p) => marker(tile, p, p))].filter(
    (p): p is ImagePoint => p !== null,
  );
  const description = inp.series?.find((s) => s.seriesId === slice.seriesId)?.description ?? seriesOf(panel);
  return { ...image, title: `${description} #${slice.instanceNumber}: ${panel.title}`, points };
}

/** What a tile's markers share. */
interface TileContext {
  readonly inp: StudyPointsInputs;
  readonly panel: Panel;
  readonly images: StudyImages;
  /** The shown slice. */
  readonly plane: ImagePlane;
  /** Whether the tile has a run's points (its labelled points then go without text). */
  readonly runPoints: boolean;
}

/** A point's marker on the shown slice: a run's (`placed`) or a labelled one; null when its slice is not there. */
function marker(tile: TileContext, p: LabelCoordinate, placed: RunPoint | null): ImagePoint | null {
  const { inp, panel } = tile;
  const at = tile.images.onSlice(p, tile.plane);
  if (!at) return null;
  const row = rowId(inp.studyId, p);
  const probs = placed ? inp.probabilities?.get(row) : undefined;
  const truth = inp.severities?.get(row);
  const side = CONDITION_INFO[p.condition].side;
  const name = panel.levels.length > 1 ? LEVEL_TITLES[p.level] : side === "left" ? "L" : "R";
  const text = [
    name,
    probs ? probs.map((q) => Math.round(100 * q)).join("/") : "",
    truth !== undefined ? `[${SEVERITY_LABELS[truth][0]}]` : "",
  ];
  const off =
    Math.abs(at.distanceMm) > ON_SLICE_MM
      ? `on #${p.instanceNumber}, ${at.distanceMm.toFixed(1)} mm off this slice`
      : "";
  return {
    x: at.x,
    y: at.y,
    // A labelled point beside the run's needs no second text.
    label: placed || !tile.runPoints ? text.filter(Boolean).join(" ") : "",
    color: levelColor(p.level),
    symbol: placed ? "circle-open" : "x-thin-open",
    size: placed ? 12 : 9,
    // Patient-left is on an axial image's right: each side's text goes outward.
    textPosition: side === "right" && panel.levels.length === 1 ? "middle left" : "middle right",
    hover: [
      `${CONDITION_INFO[p.condition].title} ${LEVEL_TITLES[p.level]}`,
      placed ? `placed by ${placed.placedBy}${confidenceText(placed)}` : "labelled",
      probs ? probs.map((q, s) => `${SEVERITY_LABELS[s]} ${(100 * q).toFixed(0)}%`).join(", ") : "",
      truth !== undefined ? `label: ${SEVERITY_LABELS[truth]}` : "",
      off,
    ]
      .filter(Boolean)
      .join("<br>"),
  };
}

function confidenceText(p: RunPoint): string {
  return p.confidence === null ? "" : `, confidence ${p.confidence.toFixed(2)}`;
}

function seriesOf(panel: Panel): SeriesDescription {
  return CONDITION_INFO[panel.conditions[0]].series;
}

/**
 * The (series, instance) holding most of the points; ties go to the instance nearest the points'
 * mean instance (the middle of a spread), then the lower one.
 */
export function busiestSlice(
  points: readonly Pick<LabelCoordinate, "seriesId" | "instanceNumber">[],
): { seriesId: number; instanceNumber: number } | null {
  if (!points.length) return null;
  const counts = new Map<string, { seriesId: number; instanceNumber: number; n: number }>();
  for (const p of points) {
    const key = `${p.seriesId}/${p.instanceNumber}`;
    const c = counts.get(key) ?? { seriesId: p.seriesId, instanceNumber: p.instanceNumber, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  const mean = points.reduce((s, p) => s + p.instanceNumber, 0) / points.length;
  const [best] = [...counts.values()].sort(
    (a, b) =>
      b.n - a.n ||
      Math.abs(a.instanceNumber - mean) - Math.abs(b.instanceNumber - mean) ||
      a.instanceNumber - b.instanceNumber,
  );
  return { seriesId: best.seriesId, instanceNumber: best.instanceNumber };
}

/** A study's series, each read once (headers), and the slices asked for. */
class StudyImages {
  private readonly series = new Map<number, Series | null>();
  constructor(private readonly dir: string) {}

  private load(seriesId: number): Series | null {
    if (!this.series.has(seriesId)) {
      const dir = join(this.dir, String(seriesId));
      this.series.set(seriesId, existsSync(dir) ? loadSeries(dir) : null);
    }
    return this.series.get(seriesId)!;
  }

  read(seriesId: number, instanceNumber: number) {
    const s = this.load(seriesId);
    return s ? readInstance(s, instanceNumber) : Promise.resolve(undefined);
  }

  /** The plane of an instance, or null when its series or file is not there. */
  plane(seriesId: number, instanceNumber: number): ImagePlane | null {
    const s = this.load(seriesId);
    const ref = s && locateInstance(s, instanceNumber);
    return ref ? s.stacks[ref.stack].slices[ref.slice].plane : null;
  }

  /** Where a point placed on its own instance falls on `shown`, and how far off it, in mm. */
  onSlice(p: LabelCoordinate, shown: ImagePlane) {
    const own = this.plane(p.seriesId, p.instanceNumber);
    return own ? lpsToPixel(shown, pixelToLps(own, p.x, p.y)) : null;
  }
}
