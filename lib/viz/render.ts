/**
 * Static PNGs of plotly figures through Debian's headless Chromium (playwright-core drives it;
 * plotly.js-dist-min is injected from node_modules, so no network is touched). One browser is shared
 * by every render of the process and closed after a short idle time, so a notebook kernel does not
 * keep a Chromium alive between cells.
 */
import { existsSync } from "node:fs";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { Figure, figureSize, figureTitle } from "./figure";
import { ChromiumNotFoundError, FigureRenderError } from "./errors";
import { readEnv } from "../util/env";

/** The launch flags of a sandbox-less, offline, single-use headless Chromium. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
] as const;

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/snap/bin/chromium",
];

/** LUMBAR_CHROMIUM, else the first Chromium found on the usual Debian/Ubuntu paths. */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = CANDIDATES,
): string {
  const forced = readEnv("LUMBAR_CHROMIUM", env);
  const tried = forced ? [forced, ...candidates] : [...candidates];
  const found = tried.find((p) => existsSync(p));
  if (!found) throw new ChromiumNotFoundError(tried);
  return found;
}

/** Debian's headless Chromium with the offline flags; playwright-core gives each launch a fresh profile. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: findChromium(), headless: true, args: [...CHROMIUM_FLAGS] });
}

/**
 * A context whose requests reach only data: URIs and the URLs `allowed` accepts; the others are
 * aborted and their URLs pushed to `blocked`.
 */
export async function routedContext(
  browser: Browser,
  allowed: (url: string) => boolean,
  options: BrowserContextOptions = {},
  blocked: string[] = [],
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || allowed(url)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return context;
}

export interface PngOptions {
  /** CSS pixels; default from the figure's layout. */
  readonly width?: number;
  readonly height?: number;
  /** Device pixel ratio of the PNG (2 = crisp on high-DPI screens). Default 1.5. */
  readonly scale?: number;
}

const IDLE_CLOSE_MS = 10_000;

export class FigureRenderer {
  private browser: Browser | null = null;
  private page: Page | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly idleCloseMs = IDLE_CLOSE_MS) {}

  /** Render `fig` to PNG bytes. Calls are serialised: one page, one figure at a time. */
  png(fig: Figure, opts: PngOptions = {}): Promise<Buffer> {
    const job = this.queue.then(() => this.renderNow(fig, opts));
    this.queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const b = this.browser;
    this.browser = null;
    this.page = null;
    if (b) await b.close().catch(() => undefined);
  }

  private async renderNow(fig: Figure, opts: PngOptions): Promise<Buffer> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const page = await this.ensurePage();
    const size = figureSize(fig);
    const args = {
      data: fig.data,
      layout: fig.layout,
      width: opts.width ?? size.width,
      height: opts.height ?? size.height,
      scale: opts.scale ?? 1.5,
    };
    let result: { url?: string; error?: string };
    try {
      result = await page.evaluate(async (a) => {
        try {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const plotly = (globalThis as any).Plotly;
          const url: string = await plotly.toImage(
            { data: a.data, layout: { ...a.layout, width: a.width, height: a.height } },
            { format: "png", width: a.width, height: a.height, scale: a.scale },
          );
          return { url };
        } catch (e) {
          return { error: String(e instanceof Error ? e.message : e) };
        }
      }, args);
    } finally {
      this.scheduleIdleClose();
    }
    const title = figureTitle(fig);
    if (result.error || !result.url) throw new FigureRenderError(title, result.error ?? "no image returned");
    const comma = result.url.indexOf(",");
    return Buffer.from(result.url.slice(comma + 1), "base64");
  }

  private async ensurePage(): Promise<Page> {
    if (this.page && this.browser?.isConnected()) return this.page;
    const browser = await launchChromium();
    // Belt and braces: nothing a figure references may reach the network.
    const context = await routedContext(browser, () => false, { offline: true });
    const page = await context.newPage();
    await page.setContent("<!doctype html><html><body><div id='fig'></div></body></html>");
    await page.addScriptTag({ path: require.resolve("plotly.js-dist-min") });
    this.browser = browser;
    this.page = page;
    return page;
  }

  private scheduleIdleClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.idleCloseMs);
    // Never keep a finished script (or a kernel shutting down) alive just to close the browser.
    this.idleTimer.unref();
  }
}

let shared: FigureRenderer | null = null;
/** The process-wide renderer (one Chromium, closed when idle). */
export function sharedRenderer(): FigureRenderer {
  shared ??= new FigureRenderer();
  return shared;
}

/** Render a figure to PNG bytes with the shared renderer. */
export function renderPng(fig: Figure, opts: PngOptions = {}): Promise<Buffer> {
  return sharedRenderer().png(fig, opts);
}
