/**
 * Plotly figures as plain JSON: builders in lib/viz return a `Figure`, the renderer turns it into a
 * PNG in headless Chromium, and notebooks store it as `application/vnd.plotly.v1+json` so JupyterLab
 * and VS Code draw it interactively. No plotly.js runs in Node.
 */
import { SEVERITY_LABELS, SeverityIndex } from "../data/schema";

/** One plotly trace, e.g. `{ type: "bar", x: [...], y: [...] }` (see plotly.js reference). */
export type Trace = Record<string, unknown>;
/** A plotly layout object. */
export type Layout = Record<string, unknown>;

export interface Figure {
  readonly data: Trace[];
  readonly layout: Layout;
}

/** Severity colours, index = SeverityIndex: green, amber, red; grey for a missing label. */
export const SEVERITY_COLORS: readonly [string, string, string] = ["#4c9f70", "#f2a541", "#d1495b"];
export const MISSING_COLOR = "#b0b0b0";
/** A qualitative palette for levels / folds / series (plotly's default order). */
export const PALETTE = [
  "#636efa",
  "#ef553b",
  "#00cc96",
  "#ab63fa",
  "#ffa15a",
  "#19d3f3",
  "#ff6692",
  "#b6e880",
];

export function severityColor(s: SeverityIndex): string {
  return SEVERITY_COLORS[s];
}
export function severityName(s: SeverityIndex): string {
  return SEVERITY_LABELS[s];
}

/** Size a figure is drawn at (CSS pixels); the PNG is rendered at `scale` times this. */
export interface FigureSize {
  readonly width: number;
  readonly height: number;
}
export const DEFAULT_SIZE: FigureSize = { width: 900, height: 480 };

/** The house style: white background, light grid, title top-left, legend on top. */
export function baseLayout(title: string, extra: Layout = {}): Layout {
  return {
    title: { text: title, x: 0.01, xanchor: "left", font: { size: 18 } },
    font: { family: "DejaVu Sans, Arial, sans-serif", size: 12, color: "#2a3f5f" },
    paper_bgcolor: "white",
    plot_bgcolor: "#f7f9fc",
    margin: { l: 60, r: 20, t: 70, b: 50 },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
    width: DEFAULT_SIZE.width,
    height: DEFAULT_SIZE.height,
    ...extra,
  };
}

/** Width and height a figure asks for in its layout, else the defaults. */
export function figureSize(fig: Figure): FigureSize {
  const w = fig.layout.width;
  const h = fig.layout.height;
  return {
    width: typeof w === "number" ? w : DEFAULT_SIZE.width,
    height: typeof h === "number" ? h : DEFAULT_SIZE.height,
  };
}

/** The figure's title text, for messages and alt text. */
export function figureTitle(fig: Figure): string {
  const t = fig.layout.title;
  if (typeof t === "string") return t;
  const text = t && typeof t === "object" ? (t as { text?: unknown }).text : undefined;
  return typeof text === "string" ? text : "(untitled)";
}

/** Axis ids of subplot i (0-based) in plotly's naming: x, x2, x3 ... */
export function axisIds(i: number): { x: string; y: string; xLayout: string; yLayout: string } {
  const n = i === 0 ? "" : String(i + 1);
  return { x: `x${n}`, y: `y${n}`, xLayout: `xaxis${n}`, yLayout: `yaxis${n}` };
}

/** Annotation placed as a subplot title above the paper-domain box [x0, x1] at y. */
export function subplotTitle(text: string, x0: number, x1: number, y: number): Record<string, unknown> {
  return {
    text: `<b>${wrapTitle(text, 22)}</b>`,
    x: (x0 + x1) / 2,
    y,
    xref: "paper",
    yref: "paper",
    xanchor: "center",
    yanchor: "bottom",
    showarrow: false,
    font: { size: 12 },
  };
}

/** Break a title at the space nearest its middle when longer than `max` characters. */
export function wrapTitle(text: string, max: number): string {
  if (text.length <= max || !text.includes(" ") || text.includes("<br>")) return text;
  const mid = text.length / 2;
  let best = -1;
  for (let i = 0; i < text.length; i++)
    if (text[i] === " " && (best < 0 || Math.abs(i - mid) < Math.abs(best - mid))) best = i;
  return `${text.slice(0, best)}<br>${text.slice(best + 1)}`;
}

/** A legend in one row above the plot area, clear of subplot titles. */
export const TOP_LEGEND = { orientation: "h", x: 1, xanchor: "right", y: 1.16, yanchor: "bottom" } as const;

/** Domains of `n` equal cells with a gap, over [0, 1]. */
export function domains(n: number, gap: number): [number, number][] {
  const size = (1 - gap * (n - 1)) / n;
  return Array.from({ length: n }, (_, i) => {
    const a = i * (size + gap);
    return [round(a), round(Math.min(1, a + size))];
  });
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
