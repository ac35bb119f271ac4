/**
 * Figures of a training run and its predictions: per-epoch curves from the run's JSONL log, CV
 * scores (the metric's four terms) next to the prior, mean predicted severity per target, and crops
 * with their labels and predictions.
 */
import { readFileSync } from "node:fs";
import { LEVELS, LEVEL_TITLES, SEVERITY_LABELS, SeverityIndex, TARGETS, rowId } from "../data/schema";
import {
  Figure,
  PALETTE,
  SEVERITY_COLORS,
  Trace,
  axisIds,
  baseLayout,
  domains,
  subplotTitle,
} from "./figure";
import { conditionLevelPanels } from "./eda";
import { ImageTile, imageGridFigure } from "./images";
import { conditionAbbrev } from "./eda";
import type { Condition } from "../data/schema";

/** One line of the run's JSONL log (lib/train writes one per unit and epoch). */
export interface TrainLogRecord {
  /** "localizer f0", "spinal f1", ... */
  readonly unit: string;
  readonly epoch: number;
  readonly trainLoss?: number;
  /** Validation score of the epoch (lower is better). */
  readonly score?: number;
  readonly [key: string]: unknown;
}

/** Parse a JSONL log; lines without `unit` and `epoch` (other events) are skipped. */
export function parseTrainLog(text: string): TrainLogRecord[] {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r): r is TrainLogRecord => typeof r.unit === "string" && typeof r.epoch === "number");
}

export function readTrainLog(file: string): TrainLogRecord[] {
  return parseTrainLog(readFileSync(file, "utf8"));
}

/** The model kind of a unit: its name without the fold ("spinal f1" -> "spinal", "spinal points f0" -> "spinal points"). */
export function unitKind(unit: string): string {
  return unit.replace(/ f\d+$/, "");
}

/** The stages the curves are split into: their losses and validation scores are on different scales. */
const CURVE_STAGES = [
  { name: "Localizer", validation: "validation (lower is better)", match: (k: string) => k === "localizer" },
  {
    name: "Point nets",
    validation: "validation point error (mm)",
    match: (k: string) => k.endsWith(" points"),
  },
  {
    name: "Classifiers",
    validation: "validation (lower is better)",
    match: (k: string) => k !== "localizer" && !k.endsWith(" points"),
  },
];

/**
 * Train loss (left) and validation score (right) per epoch, one line per unit; one row of panels per
 * stage (localizer, point nets, classifiers). Folds of one model kind share a colour and a legend entry,
 * with different dashes. A resumed run's records for the same unit and epoch replace earlier ones.
 */
export function trainingCurvesFigure(records: readonly TrainLogRecord[], title = "Training curves"): Figure {
  const byUnit = new Map<string, Map<number, TrainLogRecord>>();
  for (const r of records) {
    const m = byUnit.get(r.unit) ?? new Map<number, TrainLogRecord>();
    m.set(r.epoch, r);
    byUnit.set(r.unit, m);
  }
  const kinds = [...new Set([...byUnit.keys()].map(unitKind))];
  const stages = CURVE_STAGES.filter((s) => kinds.some(s.match));
  const dashes = ["solid", "dash", "dot", "dashdot", "longdash"];
  const maxEpoch = Math.max(0, ...records.map((r) => r.epoch + 1));
  // One tick per epoch while that stays readable, else plotly's own ticks.
  const dtick = maxEpoch <= 15 ? { dtick: 1 } : {};
  const cols = domains(2, 0.08);
  const rows = domains(Math.max(stages.length, 1), 0.24).reverse();
  const data: Trace[] = [];
  const layout = baseLayout(title, {
    width: 1000,
    height: 140 + 320 * Math.max(stages.length, 1),
    margin: { l: 60, r: 20, t: 90, b: 40 },
    legend: { orientation: "v", x: 1.02, y: 1, font: { size: 10 } },
    annotations: [] as Record<string, unknown>[],
  });
  layout.width = 1120;
  const shown = new Set<string>();
  stages.forEach((stage, si) => {
    const [ax1, ax2] = [axisIds(2 * si), axisIds(2 * si + 1)];
    for (const [unit, epochs] of byUnit) {
      const kind = unitKind(unit);
      if (!stage.match(kind)) continue;
      const recs = [...epochs.values()].sort((a, b) => a.epoch - b.epoch);
      const color = PALETTE[kinds.indexOf(kind) % PALETTE.length];
      const fold = Number(/f(\d+)/.exec(unit)?.[1] ?? 0);
      // One legend entry per model kind (its folds toggle together); the hover names the fold.
      const common = {
        mode: "lines+markers",
        name: kind,
        legendgroup: kind,
        line: { color, dash: dashes[fold % dashes.length] },
        hovertemplate: `${unit}, epoch %{x}: %{y:.4g}<extra></extra>`,
      };
      const x = recs.map((r) => r.epoch + 1);
      data.push({
        type: "scatter",
        ...common,
        x,
        y: recs.map((r) => r.trainLoss ?? null),
        xaxis: ax1.x,
        yaxis: ax1.y,
        showlegend: !shown.has(kind),
      });
      shown.add(kind);
      data.push({
        type: "scatter",
        ...common,
        x,
        y: recs.map((r) => r.score ?? null),
        xaxis: ax2.x,
        yaxis: ax2.y,
        showlegend: false,
      });
    }
    const y = rows[si];
    layout[ax1.xLayout] = { domain: cols[0], anchor: ax1.y, title: { text: "epoch" }, ...dtick };
    layout[ax1.yLayout] = { domain: y, anchor: ax1.x, title: { text: "train loss" } };
    layout[ax2.xLayout] = { domain: cols[1], anchor: ax2.y, title: { text: "epoch" }, ...dtick };
    layout[ax2.yLayout] = { domain: y, anchor: ax2.x, title: { text: "validation score" } };
    (layout.annotations as Record<string, unknown>[]).push(
      subplotTitle(`${stage.name}: train loss`, cols[0][0], cols[0][1], y[1] + 0.01),
      subplotTitle(`${stage.name}: ${stage.validation}`, cols[1][0], cols[1][1], y[1] + 0.01),
    );
  });
  return { data, layout };
}

/** The metric's terms as lib/metric returns them. */
export interface ScoreTerms {
  readonly score: number;
  readonly spinal: number;
  readonly foraminal: number;
  readonly subarticular: number;
  readonly any_severe_spinal: number;
}
export const SCORE_TERMS = ["score", "spinal", "foraminal", "subarticular", "any_severe_spinal"] as const;

/** Grouped bars: each named result's score and four terms (lower is better); null results are left out. */
export function scoreTermsFigure(
  results: Readonly<Record<string, ScoreTerms | null | undefined>>,
  title: string,
): Figure {
  const named = Object.entries(results).filter((e): e is [string, ScoreTerms] => !!e[1]);
  return {
    data: named.map(([name, r], i) => ({
      type: "bar",
      name,
      x: [...SCORE_TERMS],
      y: SCORE_TERMS.map((t) => r[t]),
      text: SCORE_TERMS.map((t) => r[t].toFixed(3)),
      textposition: "outside",
      marker: { color: PALETTE[i % PALETTE.length] },
    })),
    layout: baseLayout(title, {
      barmode: "group",
      height: 420,
      yaxis: { title: { text: "weighted log loss (lower is better)" }, rangemode: "tozero" },
    }),
  };
}

export type Probs3 = readonly [number, number, number];

/** Mean predicted probability of each severity per condition and level, over `studyIds`. */
export function meanPredictionFigure(
  predictions: ReadonlyMap<string, Probs3>,
  studyIds: readonly number[],
  title: string,
): Figure {
  const sums = TARGETS.map(() => [0, 0, 0]);
  for (const id of studyIds) {
    TARGETS.forEach((t, i) => {
      const p = predictions.get(rowId(id, t));
      if (p) for (let s = 0; s < 3; s++) sums[i][s] += p[s];
    });
  }
  const n = Math.max(studyIds.length, 1);
  const parts = SEVERITY_LABELS.map((name, s) => ({
    name,
    color: SEVERITY_COLORS[s],
    values: sums.map((v) => v[s] / n),
  }));
  return conditionLevelPanels(title, parts, "mean predicted probability (%)", "%{customdata:.3f}");
}

/** A crop to show: its [depth][size][size] pixels, and what is known about it. */
export interface CropExample {
  readonly crop: { readonly data: ArrayLike<number>; readonly depth: number; readonly size: number };
  readonly studyId: number;
  readonly condition: Condition;
  readonly levelIndex: number;
  readonly label: SeverityIndex | null;
  readonly prediction?: Probs3;
}

/** The middle slice of each crop, titled with the target, the true class and the predicted probabilities. */
export function cropExamplesFigure(examples: readonly CropExample[], title: string, columns = 5): Figure {
  const tiles: ImageTile[] = examples.map((e) => {
    const { data, depth, size } = e.crop;
    const mid = Math.floor(depth / 2);
    const pixels = Array.prototype.slice.call(data, mid * size * size, (mid + 1) * size * size) as number[];
    const truth = e.label === null ? "unlabelled" : SEVERITY_LABELS[e.label];
    const pred = e.prediction ? ` | ${e.prediction.map((p) => Math.round(100 * p)).join("/")}%` : "";
    return {
      pixels,
      width: size,
      height: size,
      title: `${conditionAbbrev(e.condition)} ${LEVEL_TITLES[LEVELS[e.levelIndex]]}: ${truth}${pred ? `<br>pred${pred.slice(2)}` : ""}`,
      points: [
        {
          x: (size - 1) / 2,
          y: (size - 1) / 2,
          color: e.label === null ? "#b0b0b0" : SEVERITY_COLORS[e.label],
          symbol: "cross-thin-open",
        },
      ],
    };
  });
  return imageGridFigure(tiles, { title, columns, tilePx: 190 });
}
