/**
 * EDA figures over the competition CSVs (train.csv, train_label_coordinates.csv, series descriptions).
 * Inputs are the typed records of lib/data; a missing label (null) is always its own category, never a
 * class and never a zero.
 */
import {
  CONDITIONS,
  CONDITION_INFO,
  Condition,
  LEVELS,
  LEVEL_TITLES,
  SERIES_DESCRIPTIONS,
  SEVERITY_LABELS,
  SeverityIndex,
  TARGETS,
  FAMILIES,
  conditionsOf,
} from "../data/schema";
import type { TrainLabels } from "../data/train-labels";
import type { LabelCoordinate } from "../data/coordinates";
import type { SeriesRecord } from "../data/series-descriptions";
import {
  Figure,
  MISSING_COLOR,
  PALETTE,
  SEVERITY_COLORS,
  TOP_LEGEND,
  Trace,
  axisIds,
  baseLayout,
  domains,
  subplotTitle,
} from "./figure";

/** "Left Neural Foraminal Narrowing" -> "LNFN": initials of the title in lib/data/schema. */
export function conditionAbbrev(c: Condition): string {
  return CONDITION_INFO[c].title
    .split(" ")
    .map((w) => w[0])
    .join("");
}

/** Counts per target (TARGETS order) of each severity and of missing cells. */
export function severityCounts(labels: TrainLabels): { counts: number[][]; missing: number[] } {
  const counts = TARGETS.map(() => [0, 0, 0]);
  const missing = TARGETS.map(() => 0);
  for (const s of labels.studies) {
    s.labels.forEach((sev, t) => {
      if (sev === null) missing[t]++;
      else counts[t][sev]++;
    });
  }
  return { counts, missing };
}

/** One stacked part of a condition x level panel figure: a value per target (TARGETS order). */
export interface StackPart {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/**
 * Stacked bars per level, one panel per condition, each bar normalised to 100%. `parts` hold raw
 * amounts per target (counts, or summed probabilities); hover shows the amount and the share.
 */
export function conditionLevelPanels(
  title: string,
  parts: readonly StackPart[],
  yTitle: string,
  amountFormat = "%{customdata}",
): Figure {
  const cols = domains(CONDITIONS.length, 0.025);
  const data: Trace[] = [];
  const layout = baseLayout(title, {
    barmode: "stack",
    height: 460,
    width: 1000,
    margin: { l: 60, r: 20, t: 120, b: 50 },
    legend: TOP_LEGEND,
    annotations: CONDITIONS.map((c, i) => subplotTitle(CONDITION_INFO[c].title, cols[i][0], cols[i][1], 1.0)),
  });
  CONDITIONS.forEach((condition, ci) => {
    const ax = axisIds(ci);
    const idx = LEVELS.map((level) =>
      TARGETS.findIndex((t) => t.condition === condition && t.level === level),
    );
    const x = LEVELS.map((l) => LEVEL_TITLES[l]);
    const totals = idx.map((t) => parts.reduce((s, p) => s + p.values[t], 0));
    for (const part of parts) {
      const values = idx.map((t) => part.values[t]);
      data.push({
        type: "bar",
        name: part.name,
        x,
        y: values.map((v, i) => (totals[i] ? (100 * v) / totals[i] : 0)),
        customdata: values,
        hovertemplate: `%{x} ${part.name}: ${amountFormat} (%{y:.1f}%)<extra>${CONDITION_INFO[condition].title}</extra>`,
        marker: { color: part.color },
        xaxis: ax.x,
        yaxis: ax.y,
        legendgroup: part.name,
        showlegend: ci === 0,
      });
    }
    layout[ax.xLayout] = { domain: cols[ci], anchor: ax.y, tickangle: -45 };
    layout[ax.yLayout] = {
      anchor: ax.x,
      range: [0, 100],
      ...(ci === 0 ? { title: { text: yTitle } } : { showticklabels: false, matches: "y" }),
    };
  });
  return { data, layout };
}

/** Stacked severity shares per level, one panel per condition; missing labels shown in grey. */
export function severityDistributionFigure(labels: TrainLabels): Figure {
  const { counts, missing } = severityCounts(labels);
  const parts: StackPart[] = [
    ...SEVERITY_LABELS.map((name, s) => ({
      name,
      color: SEVERITY_COLORS[s],
      values: counts.map((c) => c[s]),
    })),
    { name: "missing", color: MISSING_COLOR, values: missing },
  ];
  return conditionLevelPanels(
    `Severity per condition and level (${labels.studies.length} studies)`,
    parts,
    "% of studies",
  );
}

/**
 * Co-occurrence of moderate-or-worse labels across the 25 targets: the phi correlation of the
 * "moderate or severe" indicators over the studies where both are labelled.
 */
export function severityCooccurrenceFigure(labels: TrainLabels): Figure {
  const n = TARGETS.length;
  const names = TARGETS.map((t) => `${conditionAbbrev(t.condition)} ${LEVEL_TITLES[t.level]}`);
  const z = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => phi(labels, i, j)));
  return {
    data: [
      {
        type: "heatmap",
        x: names,
        y: names,
        z,
        zmin: -1,
        zmax: 1,
        colorscale: "RdBu",
        colorbar: { title: { text: "phi" } },
        hovertemplate: "%{y} vs %{x}: %{z:.2f}<extra></extra>",
      },
    ],
    layout: baseLayout("Co-occurrence of moderate-or-worse labels (phi correlation)", {
      width: 820,
      height: 760,
      margin: { l: 110, r: 20, t: 60, b: 110 },
      yaxis: { autorange: "reversed", tickfont: { size: 10 } },
      xaxis: { tickangle: -60, tickfont: { size: 10 } },
      plot_bgcolor: "white",
    }),
  };
}

/** Phi correlation of "severity >= moderate" between targets i and j; null when undefined. */
export function phi(labels: TrainLabels, i: number, j: number): number | null {
  let n11 = 0;
  let n10 = 0;
  let n01 = 0;
  let n00 = 0;
  for (const s of labels.studies) {
    const a = s.labels[i];
    const b = s.labels[j];
    if (a === null || b === null) continue;
    const x = a >= 1;
    const y = b >= 1;
    if (x && y) n11++;
    else if (x) n10++;
    else if (y) n01++;
    else n00++;
  }
  const den = Math.sqrt((n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00));
  return den === 0 ? null : (n11 * n00 - n10 * n01) / den;
}

/** Missing labels per condition and level (a heatmap with the counts written in). */
export function missingLabelsFigure(labels: TrainLabels): Figure {
  const { missing } = severityCounts(labels);
  const z = CONDITIONS.map((c) =>
    LEVELS.map((l) => missing[TARGETS.findIndex((t) => t.condition === c && t.level === l)]),
  );
  const incomplete = labels.studies.filter((s) => s.labels.some((v) => v === null)).length;
  return {
    data: [
      {
        type: "heatmap",
        x: LEVELS.map((l) => LEVEL_TITLES[l]),
        y: CONDITIONS.map((c) => CONDITION_INFO[c].title),
        z,
        text: z.map((row) => row.map(String)),
        texttemplate: "%{text}",
        colorscale: [
          [0, "#ffffff"],
          [1, "#7a8699"],
        ],
        showscale: false,
        hovertemplate: "%{y} %{x}: %{z} missing<extra></extra>",
      },
    ],
    layout: baseLayout(
      `Missing labels: ${labels.missingCells} cells in ${incomplete} of ${labels.studies.length} studies`,
      { height: 360, margin: { l: 230, r: 20, t: 60, b: 40 }, yaxis: { autorange: "reversed" } },
    ),
  };
}

/**
 * How many series of each type a study has (0, 1, 2, 3+). `studyIds` lists every study so that a
 * study lacking a type counts as 0; default: the studies present in `series`.
 */
export function seriesPerStudyFigure(series: readonly SeriesRecord[], studyIds?: readonly number[]): Figure {
  const studies = studyIds ?? [...new Set(series.map((s) => s.studyId))];
  const buckets = ["0", "1", "2", "3+"];
  const data: Trace[] = SERIES_DESCRIPTIONS.map((desc, i) => {
    const per = new Map<number, number>(studies.map((id) => [id, 0]));
    for (const s of series)
      if (s.description === desc && per.has(s.studyId)) per.set(s.studyId, per.get(s.studyId)! + 1);
    const y = [0, 0, 0, 0];
    for (const n of per.values()) y[Math.min(n, 3)]++;
    return {
      type: "bar",
      name: desc,
      x: buckets,
      y,
      text: y.map(String),
      textposition: "outside",
      marker: { color: PALETTE[i] },
    };
  });
  return {
    data,
    layout: baseLayout(`Series per study, by type (${studies.length} studies)`, {
      barmode: "group",
      height: 400,
      xaxis: { title: { text: "series of this type in the study" }, type: "category" },
      yaxis: { title: { text: "studies" } },
    }),
  };
}

/** At most `max` items, evenly strided (deterministic), so SVG scatters stay light. */
export function strideSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]);
}

/**
 * Labelled point positions per level in native pixels, one panel per condition family (the series
 * type it is annotated on). Image sizes differ between studies, so this shows spread and order of
 * the levels, not anatomy.
 */
export function coordinatePositionsFigure(
  coords: readonly LabelCoordinate[],
  maxPointsPerPanel = 2500,
): Figure {
  const cols = domains(FAMILIES.length, 0.06);
  const data: Trace[] = [];
  const layout = baseLayout(`Label coordinates per level (${coords.length} points)`, {
    width: 1000,
    height: 460,
    margin: { l: 50, r: 20, t: 120, b: 50 },
    legend: TOP_LEGEND,
    annotations: FAMILIES.map((f, i) =>
      subplotTitle(
        `${f[0].toUpperCase()}${f.slice(1)} (${CONDITION_INFO[conditionsOf(f)[0]].series})`,
        cols[i][0],
        cols[i][1],
        1.0,
      ),
    ),
  });
  FAMILIES.forEach((family, fi) => {
    const ax = axisIds(fi);
    const inFamily = new Set<Condition>(conditionsOf(family));
    LEVELS.forEach((level, li) => {
      const pts = strideSample(
        coords.filter((c) => inFamily.has(c.condition) && c.level === level),
        Math.ceil(maxPointsPerPanel / LEVELS.length),
      );
      data.push({
        type: "scatter",
        mode: "markers",
        name: LEVEL_TITLES[level],
        x: pts.map((p) => p.x),
        y: pts.map((p) => p.y),
        marker: { size: coords.length < 2000 ? 6 : 3, opacity: 0.5, color: PALETTE[li] },
        xaxis: ax.x,
        yaxis: ax.y,
        legendgroup: level,
        showlegend: fi === 0,
      });
    });
    layout[ax.xLayout] = { domain: cols[fi], anchor: ax.y, title: { text: "x (px)" } };
    layout[ax.yLayout] = {
      anchor: ax.x,
      autorange: "reversed",
      ...(fi === 0 ? { title: { text: "y (px)" } } : {}),
    };
  });
  return { data, layout };
}

/** Share of each severity among labelled cells, per condition (for a quick text summary). */
export function severityShares(labels: TrainLabels): Record<Condition, [number, number, number]> {
  const { counts } = severityCounts(labels);
  const out = {} as Record<Condition, [number, number, number]>;
  for (const c of CONDITIONS) {
    const sum: [number, number, number] = [0, 0, 0];
    TARGETS.forEach((t, i) => {
      if (t.condition !== c) return;
      for (const s of [0, 1, 2] as SeverityIndex[]) sum[s] += counts[i][s];
    });
    const total = sum[0] + sum[1] + sum[2];
    out[c] = total ? [sum[0] / total, sum[1] / total, sum[2] / total] : [0, 0, 0];
  }
  return out;
}
