/**
 * HTML tables for notebooks (nbconvert and JupyterLab render text/html as is). Takes plain rows or
 * anything DataFrame-shaped (danfojs: `columns` + `values`), so lib/viz does not depend on danfojs.
 */
import { showHtml } from "./display";

export type Cell = string | number | boolean | null | undefined;

/** The shape of a danfojs DataFrame that a table needs. */
export interface TableLike {
  readonly columns: readonly string[];
  /** Rows (2-D) or, for a one-column frame, plain values (1-D). */
  readonly values: readonly unknown[];
}

export interface TableOptions {
  readonly caption?: string;
  /** Digits after the point for non-integer numbers (default 3). */
  readonly digits?: number;
  /** At most this many rows; a "... N more rows" line follows (default 30). */
  readonly maxRows?: number;
}

const STYLE =
  "border-collapse:collapse;font-family:DejaVu Sans,Arial,sans-serif;font-size:12px;margin:4px 0 12px 0";
const TH = "border-bottom:2px solid #2a3f5f;padding:4px 10px;background:#f7f9fc";
const TD = "border-bottom:1px solid #e5e9f0;padding:3px 10px";

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function formatCell(v: Cell, digits = 3): string {
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return "–";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(digits);
  return String(v);
}

export function tableHtml(
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  opts: TableOptions = {},
): string {
  const max = opts.maxRows ?? 30;
  // Numbers right-aligned, text left-aligned, decided per column.
  const align = columns.map((_, i) =>
    rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === "number") ? "right" : "left",
  );
  const head = columns
    .map((c, i) => `<th style="${TH};text-align:${align[i]}">${escapeHtml(c)}</th>`)
    .join("");
  const cell = (v: Cell, i: number) =>
    `<td style="${TD};text-align:${align[i]}">${escapeHtml(formatCell(v, opts.digits))}</td>`;
  const body = rows
    .slice(0, max)
    .map((r) => `<tr>${r.map(cell).join("")}</tr>`)
    .join("");
  const more =
    rows.length > max
      ? `<tr><td colspan="${columns.length}" style="${TD};text-align:left">… ${rows.length - max} more rows</td></tr>`
      : "";
  const caption = opts.caption
    ? `<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0;white-space:nowrap">${escapeHtml(opts.caption)}</caption>`
    : "";
  return `<table style="${STYLE}">${caption}<thead><tr>${head}</tr></thead><tbody>${body}${more}</tbody></table>`;
}

/** Plain-text rendering (the bundle's text/plain). */
export function tableText(
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  opts: TableOptions = {},
): string {
  const cells = [
    columns.map(String),
    ...rows.slice(0, opts.maxRows ?? 30).map((r) => r.map((v) => formatCell(v, opts.digits))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => c.padStart(widths[i])).join("  ")).join("\n");
}

/** Show rows as a table in the notebook. */
export function showTable(
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  opts: TableOptions = {},
): void {
  showHtml(tableHtml(columns, rows, opts), tableText(columns, rows, opts));
}

/** Show a danfojs DataFrame (or anything with `columns` and `values`). */
export function showFrame(df: TableLike, opts: TableOptions = {}): void {
  const rows = df.values.map((r) => (Array.isArray(r) ? (r as Cell[]) : [r as Cell]));
  showTable(df.columns, rows, opts);
}
