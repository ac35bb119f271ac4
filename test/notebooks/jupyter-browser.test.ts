/* eslint-disable @typescript-eslint/no-explicit-any -- functions run in the page read Jupyter's untyped objects */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { PLOTLY_MIME } from "../../lib/viz/display";
import { launchChromium, routedContext } from "../../lib/viz/render";

/**
 * notebooks/01-eda.ipynb as a user opens it, through scripts/jupyter.sh (the project's tslab kernel
 * spec, --allow-root as root), in headless Chromium with no network: a copy of the notebook is
 * opened, all cells are run, and the test reads the notebook's model and the page.
 * - JupyterLab (`scripts/jupyter.sh lab`, the cached environment of `scripts/jupyter.sh setup`): no cell
 *   errs, and every figure is a drawn plotly plot (its SVG there, the PNG stand-in hidden) without the
 *   mouse ever touching it, no wider than its output area, its legend inside it. Without the
 *   environment it skips, unless LUMBAR_JUPYTERLAB_TEST=1 (CI), which makes that a failure.
 * - Classic Notebook (`scripts/jupyter.sh notebook`, Debian's jupyter-notebook, where installed): no
 *   cell errs and every figure shows as its PNG.
 * About 60-90 s each on 2 cores (server and tslab start, the notebook on the smoke data).
 */
const ROOT = resolve(__dirname, "../..");
const SCRIPT = join(ROOT, "scripts/jupyter.sh");
const TOKEN = "lumbar-test-token";

const wanted = process.env.LUMBAR_JUPYTERLAB_TEST;
const where = spawnSync("bash", [SCRIPT, "where"], { encoding: "utf8" });
const labWhy = where.status === 0 ? undefined : where.stderr.trim() || "scripts/jupyter.sh where failed";
const skipLab = wanted === "0" || (wanted !== "1" && labWhy !== undefined);
if (skipLab)
  console.warn(`SKIP: the JupyterLab test is skipped: ${wanted === "0" ? "LUMBAR_JUPYTERLAB_TEST=0" : labWhy}`);
const haveClassic = existsSync("/usr/bin/jupyter-notebook");
if (!haveClassic)
  console.warn("SKIP: the classic Notebook test is skipped: no /usr/bin/jupyter-notebook (apt-get install jupyter-notebook)");

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

type Ui = "lab" | "notebook";

/** Server options beyond the port: token, folder, no browser; Lab exposes its app to the page. */
function serverArgs(ui: Ui, dir: string): string[] {
  if (ui === "notebook")
    return [
      `--NotebookApp.token=${TOKEN}`,
      "--NotebookApp.ip=127.0.0.1",
      "--NotebookApp.port_retries=0",
      `--NotebookApp.notebook_dir=${dir}`,
    ];
  return [
    `--IdentityProvider.token=${TOKEN}`,
    "--ServerApp.ip=127.0.0.1",
    "--ServerApp.port_retries=0",
    `--ServerApp.root_dir=${dir}`,
    // window.jupyterapp: the test reads the notebook's model and runs commands through it.
    "--LabApp.expose_app_in_browser=True",
    "--LabApp.news_url=None",
    `--LabApp.workspaces_dir=${join(dir, ".workspaces")}`,
    `--LabApp.user_settings_dir=${join(dir, ".settings")}`,
  ];
}

interface Server {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly dir: string;
  log(): string;
}

/**
 * A copy of 01-eda inside the checkout (its `lumbar/...` imports resolve through node_modules, and
 * nothing the server saves touches notebooks/), served by `scripts/jupyter.sh UI` in its own process
 * group; resolves once the server answers.
 */
async function startServer(ui: Ui): Promise<Server> {
  mkdirSync(join(ROOT, "out"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, "out", `jupyter-${ui}-test-`));
  copyFileSync(join(ROOT, "notebooks/01-eda.ipynb"), join(dir, "01-eda.ipynb"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LUMBAR_PROFILE: "smoke",
    LUMBAR_OUT: join(dir, "out"),
    JUPYTER_CONFIG_DIR: join(dir, ".config"),
    JUPYTER_RUNTIME_DIR: join(dir, ".runtime"),
  };
  delete env.LUMBAR_FIGURE_PNG; // what jupyter.sh sets is under test
  const args = [SCRIPT, ui, "--no-browser", `--port=${port}`, ...serverArgs(ui, dir)];
  const proc = spawn("bash", args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter.sh ${ui} exited (${proc.exitCode}):\n${log}`);
    if (Date.now() > deadline) throw new Error(`jupyter.sh ${ui} did not answer in 180 s:\n${log}`);
    const up = await fetch(`http://127.0.0.1:${port}/api/status?token=${TOKEN}`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { proc, port, dir, log: () => log };
    await new Promise((r) => setTimeout(r, 500));
  }
}

function stopServer(server: Server | undefined): void {
  if (!server) return;
  // The server and the kernel it started share the process group started above.
  if (server.proc.pid && server.proc.exitCode === null) process.kill(-server.proc.pid, "SIGTERM");
  rmSync(server.dir, { recursive: true, force: true });
}

/** A page that reaches only the local server and inline data; page errors collected. */
async function openPage(browser: Browser, server: Server, path: string): Promise<{ page: Page; errors: string[] }> {
  const context = await routedContext(browser, (url) => url.startsWith(`http://127.0.0.1:${server.port}/`), {
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${server.port}${path}?token=${TOKEN}`);
  return { page, errors };
}

/** The notebook's code cells as saved: execution counts, error outputs, figure outputs. */
function cellSummary(json: any) {
  const code = json.cells.filter((c: any) => c.cell_type === "code");
  const outputs = code.flatMap((c: any) => c.outputs);
  return {
    codeCells: code.length as number,
    executed: code.filter((c: any) => typeof c.execution_count === "number").length as number,
    errors: outputs.filter((o: any) => o.output_type === "error").map((o: any) => `${o.ename}: ${o.evalue}`),
    figures: outputs.filter((o: any) => o.data && PLOTLY_MIME in o.data) as any[],
  };
}

/** Run all cells (`runAll`, in the page), then wait until `done` (in the page) holds. */
async function runAll(page: Page, runAllCells: () => unknown, done: () => boolean): Promise<void> {
  await page.evaluate(runAllCells);
  await page.waitForTimeout(1000);
  await page.waitForFunction(done, null, { timeout: 240_000, polling: 500 });
}

let browser: Browser | undefined;
const launch = async () => (browser ??= await launchChromium());
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(skipLab)("JupyterLab runs 01-eda on the tslab kernel with interactive figures", () => {
  let server: Server | undefined;
  beforeAll(async () => {
    if (labWhy !== undefined) throw new Error(`LUMBAR_JUPYTERLAB_TEST=1 but ${labWhy}`);
    server = await startServer("lab");
  });
  afterAll(() => stopServer(server));

  it("runs every cell without an error and draws every figure at once, fitting the notebook", async () => {
    const { page, errors } = await openPage(await launch(), server!, "/lab/tree/01-eda.ipynb");
    const labIdle = () =>
      (globalThis as any).jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status === "idle";
    await page.waitForFunction(labIdle, null, { timeout: 120_000, polling: 250 });
    // Finished: the kernel idle and no cell running or queued ([*]).
    await runAll(
      page,
      () => (globalThis as any).jupyterapp.commands.execute("notebook:run-all-cells"),
      () => {
        const w = globalThis as any;
        const prompts = [...w.document.querySelectorAll(".jp-InputPrompt")].map((e: any) => e.textContent);
        const kernel = w.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        return kernel.status === "idle" && !prompts.some((p: string) => p.includes("*"));
      },
    );
    const cells = cellSummary(
      await page.evaluate(() => (globalThis as any).jupyterapp.shell.currentWidget.context.model.toJSON()),
    );
    const plots = await page.evaluate(() =>
      [...(globalThis as any).document.querySelectorAll(".jp-RenderedPlotly")].map((el: any) => {
        const w = globalThis as any;
        const box = el.querySelector(".main-svg")?.getBoundingClientRect();
        const legend = el.querySelector(".legend")?.getBoundingClientRect();
        const img = el.querySelector("img.plot-img");
        return {
          drawn: !!box && !!el.querySelector(".plot-container"),
          pngShown: !!img && w.getComputedStyle(img).display !== "none",
          width: box ? box.width : 0,
          areaWidth: (el.closest(".jp-OutputArea-output") ?? el).clientWidth,
          legendInside:
            !legend ||
            (legend.left >= box.left - 1 &&
              legend.right <= box.right + 1 &&
              legend.top >= box.top - 1 &&
              legend.bottom <= box.bottom + 1),
        };
      }),
    );
    expect(cells.errors, server!.log()).toEqual([]);
    expect(cells.executed).toBe(cells.codeCells);
    expect(cells.figures.length).toBeGreaterThanOrEqual(6);
    expect(plots).toHaveLength(cells.figures.length);
    for (const p of plots) {
      expect(p).toMatchObject({ drawn: true, pngShown: false, legendInside: true });
      expect(p.width).toBeGreaterThan(300);
      expect(p.width).toBeLessThanOrEqual(p.areaWidth + 1);
    }
    expect(errors).toEqual([]);
  }, 420_000);
});

describe.skipIf(!haveClassic)("classic Notebook runs 01-eda on the tslab kernel with PNG figures", () => {
  let server: Server | undefined;
  beforeAll(async () => {
    server = await startServer("notebook");
  });
  afterAll(() => stopServer(server));

  it("runs every cell without an error and shows every figure as its PNG", async () => {
    const { page, errors } = await openPage(await launch(), server!, "/notebooks/01-eda.ipynb");
    const classicIdle = () => {
      const nb = (globalThis as any).Jupyter?.notebook;
      return !!nb?.kernel?.is_connected() && !!(globalThis as any).document.querySelector(".kernel_idle_icon");
    };
    await page.waitForFunction(classicIdle, null, { timeout: 120_000, polling: 250 });
    await runAll(
      page,
      () => (globalThis as any).Jupyter.notebook.execute_all_cells(),
      () => {
        const w = globalThis as any;
        const prompts = [...w.document.querySelectorAll(".input_prompt")].map((e: any) => e.textContent);
        return !!w.document.querySelector(".kernel_idle_icon") && !prompts.some((p: string) => p.includes("*"));
      },
    );
    const cells = cellSummary(await page.evaluate(() => (globalThis as any).Jupyter.notebook.toJSON()));
    const images = await page.evaluate(
      () =>
        [...(globalThis as any).document.querySelectorAll(".output_png img")].filter(
          (img: any) => img.naturalWidth > 0,
        ).length,
    );
    expect(cells.errors, server!.log()).toEqual([]);
    expect(cells.executed).toBe(cells.codeCells);
    expect(cells.figures.length).toBeGreaterThanOrEqual(6);
    expect(cells.figures.every((o) => "image/png" in o.data)).toBe(true);
    expect(images).toBe(cells.figures.length);
    expect(errors).toEqual([]);
  }, 420_000);
});
