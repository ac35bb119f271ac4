import { Command, Option } from "commander";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { intOption, withRun } from "../command";
import { LumbarError } from "../../util/errors";
import { screenshotHtmlFiles } from "../../viz/screenshot";
import { readEnv } from "../../util/env";

/**
 * `lumbar notebooks`: the Kaggle-style batch run of notebooks/NN-*.ipynb. Builds lib/ to the `lumbar`
 * package (scripts/build-lib.js), then executes each notebook in order on the project's tslab kernel
 * (.jupyter/kernels/tslab, found through JUPYTER_PATH) with Debian's nbclient, and saves the executed
 * notebook and its HTML export in OUT. Parameters reach the notebooks as LUMBAR_* environment variables.
 */

export const PROFILES = ["smoke", "quick", "full"] as const;
export type Profile = (typeof PROFILES)[number];

export interface NotebooksOptions {
  readonly data?: string;
  readonly out: string;
  readonly profile: Profile;
  readonly seed?: number;
  readonly only?: string;
  /** Seconds per cell; 0 = no limit; default by profile (PROFILE_TIMEOUTS). */
  readonly timeout?: number;
  readonly screenshots?: boolean;
}

/** Debian's Jupyter (nbclient, nbconvert) is missing or unusable. */
export class NotebookSetupError extends LumbarError {
  readonly name = "NotebookSetupError";
  constructor(
    readonly python: string,
    readonly problem: string,
  ) {
    super(
      `${python}: ${problem}. Install Jupyter from Debian: ` +
        "apt-get install --no-install-recommends python3-nbclient jupyter-nbconvert (or set LUMBAR_PYTHON)",
    );
  }
}

/** Per-cell time limits: a smoke run that hangs should fail fast; a full real-data training cell may take hours. */
export const PROFILE_TIMEOUTS: Readonly<Record<Profile, number>> = { smoke: 600, quick: 3600, full: 0 };

export const REPO_ROOT = resolve(__dirname, "../../..");
/** Debian's Python sees the apt Jupyter packages; a pyenv `python3` on PATH may not. */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** Notebooks to run: `NN-name.ipynb` in `dir`, in name order, optionally filtered by substrings. */
export function listNotebooks(dir: string, only?: string): string[] {
  const names = readdirSync(dir)
    .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
    .sort();
  const wanted = only
    ? only
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  return names
    .filter((n) => wanted.length === 0 || wanted.some((w) => n.includes(w)))
    .map((n) => join(dir, n));
}

/** The environment of the Jupyter process (and so of the tslab kernel it starts). */
export function notebookEnv(
  root: string,
  opts: NotebooksOptions,
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    JUPYTER_PATH: [join(root, ".jupyter"), base.JUPYTER_PATH].filter(Boolean).join(delimiter),
    PATH: [join(root, "node_modules", ".bin"), base.PATH].filter(Boolean).join(delimiter),
    LUMBAR_OUT: resolve(opts.out),
    LUMBAR_PROFILE: opts.profile,
    // The HTML export shows figures as their PNGs, whatever the caller's shell set.
    LUMBAR_FIGURE_PNG: "1",
    // Keeps Jupyter from writing runtime files into a home directory that may be read-only.
    JUPYTER_RUNTIME_DIR: join(resolve(opts.out), ".jupyter-runtime"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  if (opts.data) env.LUMBAR_DATA = resolve(opts.data);
  else delete env.LUMBAR_DATA;
  if (opts.seed !== undefined) env.LUMBAR_SEED = String(opts.seed);
  return env;
}

export interface NotebookSummary {
  readonly notebook: string;
  readonly codeCells: number;
  readonly executedCells: number;
  /** display_data / execute_result outputs holding an image/png. */
  readonly pngs: number;
  /** Cells that wrote to stderr (tslab reports errors there; warnings too). */
  readonly stderrCells: number;
  readonly seconds?: number;
}

interface NbOutput {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
}
interface NbCell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: NbOutput[];
}

/** Count what an executed notebook holds. */
export function summarizeNotebook(notebook: string, json: { cells: NbCell[] }): NotebookSummary {
  const code = json.cells.filter((c) => c.cell_type === "code");
  return {
    notebook,
    codeCells: code.length,
    executedCells: code.filter((c) => typeof c.execution_count === "number").length,
    pngs: code.reduce(
      (n, c) => n + (c.outputs ?? []).filter((o) => o.data && "image/png" in o.data).length,
      0,
    ),
    stderrCells: code.filter((c) =>
      (c.outputs ?? []).some((o) => o.output_type === "stream" && o.name === "stderr"),
    ).length,
  };
}

/** Why an executed notebook does not count as a good run, or null. */
export function notebookProblem(s: NotebookSummary): string | null {
  if (s.executedCells < s.codeCells)
    return `${s.notebook}: only ${s.executedCells} of ${s.codeCells} code cells ran`;
  if (s.pngs === 0) return `${s.notebook}: no PNG figure in the executed notebook`;
  return null;
}

function checkJupyter(python: string): void {
  if (!existsSync(python)) throw new NotebookSetupError(python, "not found");
  const r = spawnSync(python, ["-c", "import nbclient, nbconvert, nbformat"], { encoding: "utf8" });
  if (r.status !== 0)
    throw new NotebookSetupError(
      python,
      (r.stderr || "cannot import nbclient/nbconvert").trim().split("\n").pop()!,
    );
}

/** Compile lib/ to dist/ and link it as `lumbar`; type errors elsewhere in lib/ only warn (tsc still emits). */
function buildLib(root: string): void {
  const r = spawnSync(process.execPath, [join(root, "scripts", "build-lib.js")], { encoding: "utf8" });
  if (r.status !== 0) {
    if (!existsSync(join(root, "dist", "viz", "index.js"))) {
      throw new NotebookSetupError(process.execPath, `building lib/ failed:\n${r.stdout}${r.stderr}`);
    }
    console.error(
      `notebooks: warning: lib/ has type errors (dist/ was emitted anyway):\n${r.stdout}${r.stderr}`,
    );
  }
}

function runNotebook(
  python: string,
  notebook: string,
  out: string,
  timeout: number,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const driver = join(REPO_ROOT, "scripts", "run-notebook.py");
  return new Promise((done, fail) => {
    const child = spawn(python, [driver, notebook, out, "--kernel", "tslab", "--timeout", String(timeout)], {
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", fail);
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

export async function runNotebooks(opts: NotebooksOptions): Promise<number> {
  const python = readEnv("LUMBAR_PYTHON") ?? DEFAULT_PYTHON;
  checkJupyter(python);
  const notebooks = listNotebooks(join(REPO_ROOT, "notebooks"), opts.only);
  if (notebooks.length === 0) {
    console.error(`notebooks: no notebook matches "${opts.only ?? "*"}" in ${join(REPO_ROOT, "notebooks")}`);
    return 2;
  }
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  buildLib(REPO_ROOT);
  const env = notebookEnv(REPO_ROOT, opts, process.env);
  mkdirSync(env.JUPYTER_RUNTIME_DIR!, { recursive: true });

  const summaries: NotebookSummary[] = [];
  let status = 0;
  for (const nb of notebooks) {
    const name = nb.slice(nb.lastIndexOf("/") + 1);
    console.error(
      `notebooks: running ${name} (profile ${opts.profile}${opts.data ? `, data ${opts.data}` : ""})`,
    );
    const t0 = Date.now();
    const code = await runNotebook(python, nb, out, opts.timeout ?? PROFILE_TIMEOUTS[opts.profile], env);
    const executed = join(out, name);
    const seconds = (Date.now() - t0) / 1000;
    const summary = existsSync(executed)
      ? { ...summarizeNotebook(name, JSON.parse(readFileSync(executed, "utf8"))), seconds }
      : { notebook: name, codeCells: 0, executedCells: 0, pngs: 0, stderrCells: 0, seconds };
    summaries.push(summary);
    if (code !== 0) {
      console.error(`notebooks: ${name} failed (exit ${code}); later notebooks not run`);
      status = 1;
      break;
    }
    const problem = notebookProblem(summary);
    if (problem) {
      console.error(`notebooks: ${problem}`);
      status = 1;
      break;
    }
    console.error(`notebooks: ${name} ok in ${seconds.toFixed(0)} s, ${summary.pngs} PNG figure(s)`);
  }
  writeFileSync(
    join(out, "notebooks.json"),
    JSON.stringify(
      { profile: opts.profile, data: opts.data ?? null, status, notebooks: summaries },
      null,
      2,
    ) + "\n",
  );
  if (opts.screenshots) {
    const pairs = summaries
      .map((s) => s.notebook.replace(/\.ipynb$/, ""))
      .filter((b) => existsSync(join(out, `${b}.html`)))
      .map((b): [string, string] => [join(out, `${b}.html`), join(out, `${b}.png`)]);
    await screenshotHtmlFiles(pairs);
    console.error(`notebooks: screenshots ${pairs.map((p) => p[1]).join(", ")}`);
  }
  console.log(JSON.stringify({ status, out, notebooks: summaries }));
  return status;
}

export function notebooksCommand(): Command {
  const cmd = new Command("notebooks")
    .description(
      "execute notebooks/NN-*.ipynb in order on the tslab kernel; save executed .ipynb + .html in OUT",
    )
    .option(
      "--data <dir>",
      "competition-layout data folder (default: the notebooks' own default, the demo set)",
    )
    .requiredOption("--out <dir>", "where executed notebooks, HTML exports and run outputs go")
    .addOption(
      new Option("--profile <name>", "pipeline profile the notebooks use").choices(PROFILES).default("quick"),
    )
    .option("--seed <n>", "seed passed to the notebooks as LUMBAR_SEED", intOption("seed"))
    .option("--only <names>", "comma-separated substrings of notebook names to run (e.g. eda)")
    .option(
      "--timeout <seconds>",
      "per-cell time limit, 0 = none (default: smoke 600, quick 3600, full none)",
      intOption("timeout"),
    )
    .option("--screenshots", "also save a full-page PNG of each HTML export (headless Chromium)");
  return withRun<NotebooksOptions>(cmd, (opts) => runNotebooks(opts));
}
