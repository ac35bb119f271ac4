import { pathToFileURL } from "node:url";
import { launchChromium, routedContext } from "../../lib/viz/render";

export interface LoadedPage {
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
  /** Requests for anything but the file itself and data: URIs (aborted: the page must need none). */
  readonly blocked: string[];
  /** The body's data-figures-drawn (lib/viz/html-page sets it once every figure is drawn). */
  readonly drawn: number;
  /** .figure elements, and those holding a drawn plotly SVG. */
  readonly figures: number;
  readonly figuresWithSvg: number;
  /** The page's h2 section titles. */
  readonly sections: string[];
}

/** Open a local HTML page in headless Chromium with no network and wait for its figures. */
export async function loadOffline(file: string, timeoutMs = 60_000): Promise<LoadedPage> {
  const browser = await launchChromium();
  try {
    const blocked: string[] = [];
    const context = await routedContext(
      browser,
      (url) => url.startsWith("file:"),
      { offline: true, viewport: { width: 1280, height: 900 } },
      blocked,
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("body[data-figures-drawn]", { timeout: timeoutMs });
    const seen = await page.evaluate(() => {
      interface El {
        querySelector(s: string): El | null;
        textContent: string | null;
      }
      const doc = (
        globalThis as unknown as {
          document: { body: { dataset: Record<string, string> }; querySelectorAll(s: string): Iterable<El> };
        }
      ).document;
      const figures = [...doc.querySelectorAll(".figure")];
      return {
        drawn: Number(doc.body.dataset.figuresDrawn),
        figures: figures.length,
        figuresWithSvg: figures.filter((f) => f.querySelector(".main-svg")).length,
        sections: [...doc.querySelectorAll("h2")].map((h) => h.textContent ?? ""),
      };
    });
    return { errors, blocked, ...seen };
  } finally {
    await browser.close();
  }
}
