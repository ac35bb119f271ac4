/**
 * Full-page PNG screenshots of local HTML files (the notebooks' nbconvert export), to check by eye
 * what a reader of the executed notebook sees. Offline: every non-file request is aborted.
 */
import { pathToFileURL } from "node:url";
import { launchChromium, routedContext } from "./render";

export interface ScreenshotOptions {
  /** Viewport width in CSS pixels (default 1100, a laptop browser window). */
  readonly width?: number;
  /** Cut the page at this height in CSS pixels (default: the whole page). */
  readonly maxHeight?: number;
}

/** Screenshot each `[htmlFile, pngFile]` pair with one Chromium. */
export async function screenshotHtmlFiles(
  pairs: readonly [string, string][],
  opts: ScreenshotOptions = {},
): Promise<void> {
  const browser = await launchChromium();
  try {
    const context = await routedContext(browser, (url) => url.startsWith("file:"), {
      viewport: { width: opts.width ?? 1100, height: 900 },
    });
    const page = await context.newPage();
    for (const [html, png] of pairs) {
      await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
      const height = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
            .documentElement.scrollHeight,
      );
      const clipHeight = Math.min(height, opts.maxHeight ?? height);
      await page.screenshot({
        path: png,
        clip: { x: 0, y: 0, width: opts.width ?? 1100, height: clipHeight },
        fullPage: true,
      });
    }
  } finally {
    await browser.close();
  }
}
