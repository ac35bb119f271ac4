/**
 * Notebook hygiene: committed notebooks carry no outputs and no execution counts, so a day's change
 * is a small, readable diff. `npx tsx scripts/strip-notebooks.ts` strips notebooks/*.ipynb in place;
 * `--check` only lists the dirty ones and exits 1 (used by the test in test/notebooks).
 * Output is written the way Jupyter writes it (1-space JSON indent, trailing newline).
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

interface Cell {
  cell_type: string;
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  [key: string]: unknown;
}
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  [key: string]: unknown;
}

/** Cell metadata that only records a run (timings, scroll state), never authored content. */
const RUN_CELL_METADATA = ["execution", "collapsed", "scrolled", "ExecuteTime"];
/** Notebook metadata written by a run: widget state and the like. */
const RUN_NOTEBOOK_METADATA = ["widgets", "papermill"];

/** Why a notebook is not clean (empty when it is). */
export function hygieneProblems(nb: Notebook): string[] {
  const problems: string[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    if ((c.outputs ?? []).length > 0) problems.push(`cell ${i + 1} has ${c.outputs!.length} output(s)`);
    if (c.execution_count !== null && c.execution_count !== undefined)
      problems.push(`cell ${i + 1} has execution_count ${c.execution_count}`);
    for (const k of RUN_CELL_METADATA)
      if (c.metadata && k in c.metadata) problems.push(`cell ${i + 1} has run metadata "${k}"`);
  });
  for (const k of RUN_NOTEBOOK_METADATA)
    if (k in nb.metadata) problems.push(`notebook has run metadata "${k}"`);
  return problems;
}

/** A copy without outputs, execution counts and run metadata; authored content untouched. */
export function stripNotebook(nb: Notebook): Notebook {
  const cells = nb.cells.map((c) => {
    const metadata = { ...(c.metadata ?? {}) };
    for (const k of RUN_CELL_METADATA) delete metadata[k];
    return c.cell_type === "code"
      ? { ...c, metadata, outputs: [], execution_count: null }
      : { ...c, metadata };
  });
  const metadata = { ...nb.metadata };
  for (const k of RUN_NOTEBOOK_METADATA) delete metadata[k];
  return { ...nb, cells, metadata };
}

/** Jupyter's own file format: JSON with a 1-space indent and a final newline. */
export function formatNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

export function notebookFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".ipynb"))
    .sort()
    .map((n) => join(dir, n));
}

function main(argv: string[]): number {
  const check = argv.includes("--check");
  const files = argv.filter((a) => !a.startsWith("--"));
  const targets = files.length ? files : notebookFiles(resolve(__dirname, "..", "notebooks"));
  let dirty = 0;
  for (const file of targets) {
    const nb = JSON.parse(readFileSync(file, "utf8")) as Notebook;
    const problems = hygieneProblems(nb);
    if (check) {
      if (problems.length) {
        dirty++;
        console.error(`${file}: ${problems.join("; ")}`);
      }
      continue;
    }
    const text = formatNotebook(stripNotebook(nb));
    if (text !== readFileSync(file, "utf8")) {
      writeFileSync(file, text);
      console.log(`stripped ${file}`);
    }
  }
  if (check && dirty) console.error(`${dirty} notebook(s) have outputs: run npm run strip-notebooks`);
  return check && dirty ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
