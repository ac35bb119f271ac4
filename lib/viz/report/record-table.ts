/**
 * Nested JSON as a table, whatever its shape: the leaves of each object (numbers, strings, booleans,
 * null, arrays of those) are a row named by the object's path, their keys the columns. So
 * `{ stage1b: { foraminal: { on: true, with: 0.4, without: 0.5 } } }` is one row "stage1b / foraminal"
 * with columns on, with, without; an array of records is a row per element, named by its text fields. Parts of report.json whose
 * shape is still moving (the gates, the degradation groups) render this way.
 */
import { tableHtml, type Cell } from "../table";

export interface LeafRow {
  readonly path: string;
  readonly cells: Readonly<Record<string, Cell>>;
}

type Leaf = string | number | boolean | null;
const isLeaf = (v: unknown): v is Leaf => v === null || ["string", "number", "boolean"].includes(typeof v);
const isLeafArray = (v: unknown): v is Leaf[] => Array.isArray(v) && v.every(isLeaf);

function cell(v: Leaf | Leaf[], digits: number): Cell {
  if (Array.isArray(v))
    return v.map((x) => (typeof x === "number" ? Number(x.toFixed(digits)) : x)).join(", ");
  return typeof v === "boolean" ? (v ? "yes" : "no") : v;
}

/** The rows of `value`, depth first, in key order. */
export function leafRows(value: unknown, path = "", digits = 4): LeafRow[] {
  if (value === null || typeof value !== "object") return [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [rowName(v, i), v])
    : Object.entries(value);
  const leaves = entries.filter(([, v]) => isLeaf(v) || isLeafArray(v)) as [string, Leaf | Leaf[]][];
  const own: LeafRow[] = leaves.length
    ? [{ path, cells: Object.fromEntries(leaves.map(([k, v]) => [k, cell(v, digits)])) }]
    : [];
  const nested = entries
    .filter(([, v]) => !isLeaf(v) && !isLeafArray(v))
    .flatMap(([k, v]) => leafRows(v, path ? `${path} / ${k}` : k, digits));
  return [...own, ...nested];
}

/** An array element's name: its text fields joined (e.g. "missing-series / foraminal"), else its index. */
function rowName(v: unknown, i: number): string {
  const texts = Object.values((v ?? {}) as Record<string, unknown>).filter((x) => typeof x === "string");
  return texts.length ? texts.join(" / ") : String(i);
}

/** The rows as one HTML table, first column the row's path, then their keys (missing cells blank). */
export function recordTableHtml(
  value: unknown,
  opts: { caption: string; rowHeader: string; digits?: number },
): string {
  const rows = leafRows(value, "", opts.digits ?? 4);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.cells)))];
  return tableHtml(
    [opts.rowHeader, ...columns],
    rows.map((r) => [r.path || "(all)", ...columns.map((c) => r.cells[c])]),
    { caption: opts.caption, digits: opts.digits ?? 4, maxRows: 200 },
  );
}
