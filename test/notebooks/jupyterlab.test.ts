/* eslint-disable @typescript-eslint/no-explicit-any -- functions run in the page read JupyterLab's untyped objects */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { PLOTLY_MIME } from "../../lib/viz/display";
import { CHROMIUM_FLAGS, findChromium } from "../../lib/viz/render";

/**
 * JupyterLab as a user opens it: `scripts/jupyter.sh lab` (the cached JupyterLab environment, the
 * project's tslab kernel spec, --allow-root as root) serves a copy of notebooks/01-eda.ipynb, headless
 * Chromium opens it, runs all cells, and the test reads the notebook's model and the page: every code
 * cell ran without an error output, and every figure is a drawn plotly plot (its SVG present, the
 * PNG stand-in hidden) without the mouse ever touching it, as wide as the output area at most, its
 * legend inside the plot. Needs the environment from `scripts/jupyter.sh setup` (.ci/run makes it):
 * without it the test skips, unless LUMBAR_JUPYTERLAB_TEST=1 (CI), which makes that a failure.
 * About 60-90 s on 2 cores (server start, tslab's start, the notebook on the smoke data).
 */
const ROOT = resolve(__dirname, "../..");
const SCRIPT = join(ROOT, "scripts/jupyter.sh");
const wanted = process.env.LUMBAR_JUPYTERLAB_TEST;
const where = spawnSync("bash", [SCRIPT, "where"], { encoding: "utf8" });
const why = where.status === 0 ? undefined : where.stderr.trim() || "scripts/jupyter.sh where failed";
const skip = wanted === "0" || (wanted !== "1" && why !== undefined);
if (skip)
  console.warn(`SKIP: the JupyterLab test is skipped: ${wanted === "0" ? "LUMBAR_JUPYTERLAB_TEST=0" : why}`);

const TOKEN = "lumbar-test-token";

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

/** Start `scripts/jupyter.sh lab` in its own process group; resolves once the server answers. */
async function startLab(dir: string, port: number): Promise<{ proc: ChildProcess; log: () => string }> {
  const args = [
    SCRIPT,
    "lab",
    "--no-browser",
    `--port=${port}`,
    "--ServerApp.ip=127.0.0.1",
    "--ServerApp.port_retries=0",
    `--IdentityProvider.token=${TOKEN}`,
    `--ServerApp.root_dir=${dir}`,
    // window.jupyterapp: the test reads the notebook's model and runs commands through it.
    "--LabApp.expose_app_in_browser=True",
    "--LabApp.news_url=None",
    `--LabApp.workspaces_dir=${join(dir, ".workspaces")}`,
    `--LabApp.user_settings_dir=${join(dir, ".settings")}`,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LUMBAR_PROFILE: "smoke",
    LUMBAR_OUT: join(dir, "out"),
    JUPYTER_CONFIG_DIR: join(dir, ".config"),
    JUPYTER_RUNTIME_DIR: join(dir, ".runtime"),
  };
  delete env.LUMBAR_FIGURE_PNG; // what jupyter.sh lab sets is under test
  const proc = spawn("bash", args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter.sh lab exited (${proc.exitCode}):\n${log}`);
    if (Date.now() > deadline) throw new Error(`JupyterLab did not answer in 180 s:\n${log}`);
    const up = await fetch(`http://127.0.0.1:${port}/api/status?token=${TOKEN}`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { proc, log: () => log };
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface NotebookState {
  codeCells: number;
  executed: number;
  errors: string[];
  plotlyOutputs: number;
  plots: { drawn: boolean; pngShown: boolean; width: number; areaWidth: number; legendInside: boolean }[];
}

/** What the open notebook's model holds and how its plotly outputs are drawn. */
function notebookState(page: Page): Promise<NotebookState> {
  return page.evaluate((plotlyMime) => {
    const w = globalThis as any;
    const doc = w.document;
    const json = w.jupyterapp.shell.currentWidget.context.model.toJSON();
    const code = json.cells.filter((c: any) => c.cell_type === "code");
    const outputs = code.flatMap((c: any) => c.outputs);
    const plots = [...doc.querySelectorAll(".jp-RenderedPlotly")].map((el: any) => {
      const svg = el.querySelector(".main-svg");
      const img = el.querySelector("img.plot-img");
      const box = svg?.getBoundingClientRect();
      const legend = el.querySelector(".legend")?.getBoundingClientRect();
      const area = el.closest(".jp-OutputArea-output") ?? el;
      return {
        drawn: !!svg && !!el.querySelector(".plot-container"),
        pngShown: !!img && w.getComputedStyle(img).display !== "none",
        width: box ? box.width : 0,
        areaWidth: area.clientWidth,
        legendInside:
          !legend ||
          (legend.left >= box.left - 1 &&
            legend.right <= box.right + 1 &&
            legend.top >= box.top - 1 &&
            legend.bottom <= box.bottom + 1),
      };
    });
    return {
      codeCells: code.length,
      executed: code.filter((c: any) => typeof c.execution_count === "number").length,
      errors: outputs
        .filter((o: any) => o.output_type === "error")
        .map((o: any) => `${o.ename}: ${o.evalue}`),
      plotlyOutputs: outputs.filter((o: any) => o.data && plotlyMime in o.data).length,
      plots,
    };
  }, PLOTLY_MIME);
}

let dir: string;
let port: number;
let lab: { proc: ChildProcess; log: () => string } | undefined;
let browser: Browser | undefined;

describe.skipIf(skip)("JupyterLab runs 01-eda on the tslab kernel with interactive figures", () => {
  beforeAll(async () => {
    if (why !== undefined) throw new Error(`LUMBAR_JUPYTERLAB_TEST=1 but ${why}`);
    // Inside the checkout, so the notebook's `lumbar/...` imports resolve through node_modules; a
    // copy, so nothing JupyterLab saves touches notebooks/.
    mkdirSync(join(ROOT, "out"), { recursive: true });
    dir = mkdtempSync(join(ROOT, "out", "jupyterlab-test-"));
    copyFileSync(join(ROOT, "notebooks/01-eda.ipynb"), join(dir, "01-eda.ipynb"));
    port = await freePort();
    lab = await startLab(dir, port);
  });
  afterAll(async () => {
    await browser?.close();
    // The server and the kernel it started share the process group started above.
    if (lab?.proc.pid && lab.proc.exitCode === null) process.kill(-lab.proc.pid, "SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs every cell without an error and draws every figure at once, fitting the notebook", async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: [...CHROMIUM_FLAGS] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Offline: only the local server and inline data.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      return url.startsWith(`http://127.0.0.1:${port}/`) || url.startsWith("data:")
        ? route.continue()
        : route.abort();
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/lab/tree/01-eda.ipynb?token=${TOKEN}`);
    const kernelIdle = () => {
      const nb = (globalThis as any).jupyterapp?.shell?.currentWidget;
      return nb?.sessionContext?.session?.kernel?.status === "idle";
    };
    await page.waitForFunction(kernelIdle, null, { timeout: 120_000, polling: 250 });
    await page.evaluate(() => (globalThis as any).jupyterapp.commands.execute("notebook:run-all-cells"));
    // Finished: the kernel idle and no cell waiting ([*]) or queued.
    await page.waitForFunction(
      () => {
        const w = globalThis as any;
        const nb = w.jupyterapp.shell.currentWidget;
        const prompts = [...w.document.querySelectorAll(".jp-InputPrompt")].map((e: any) => e.textContent);
        return nb.sessionContext.session.kernel.status === "idle" && !prompts.some((p) => p.includes("*"));
      },
      null,
      { timeout: 240_000, polling: 500 },
    );
    const state = await notebookState(page);
    expect(state.errors, lab!.log()).toEqual([]);
    expect(state.executed).toBe(state.codeCells);
    expect(state.plotlyOutputs).toBeGreaterThanOrEqual(6);
    expect(state.plots).toHaveLength(state.plotlyOutputs);
    for (const p of state.plots) {
      expect(p).toMatchObject({ drawn: true, pngShown: false, legendInside: true });
      expect(p.width).toBeGreaterThan(300);
      expect(p.width).toBeLessThanOrEqual(p.areaWidth + 1);
    }
    expect(consoleErrors).toEqual([]);
  }, 420_000);
});
