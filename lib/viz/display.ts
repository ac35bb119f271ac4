/**
 * Rich output for notebooks on the tslab kernel. A figure is sent as one display_data bundle holding
 * the plotly JSON (drawn interactively by JupyterLab / VS Code) and a static PNG (what nbconvert's HTML
 * export and GitHub show), so an executed notebook shows every figure without network.
 * Outside a kernel (scripts, tests) bundles go to a replaceable sink.
 */
import { Figure, figureSize, figureTitle } from "./figure";
import { PngOptions, renderPng } from "./render";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** A Jupyter mime bundle: mime type -> data (base64 for binary types, an object for JSON types). */
export interface MimeBundle {
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

export type DisplaySink = (bundle: MimeBundle) => void;

let sink: DisplaySink | null = null;

/** Route displays somewhere else (tests, scripts); null restores the default. */
export function setDisplaySink(next: DisplaySink | null): void {
  sink = next;
}

/** tslab keeps the writer of the executing cell's display_data in its jupyter module. */
function tslabWriter(): ((content: unknown, update: boolean) => void) | null {
  try {
    // Resolved from here, this is the same tslab module instance the kernel runs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as {
      lastWriteDisplayData?: (c: unknown, u: boolean) => void;
    };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** Send a bundle to the notebook (or the sink); without either, print its text/plain. */
export function displayBundle(bundle: MimeBundle): void {
  if (sink) return sink(bundle);
  const write = tslabWriter();
  if (write) {
    write({ data: bundle.data, metadata: bundle.metadata, transient: {} }, false);
    return;
  }
  const text = bundle.data["text/plain"];
  if (typeof text === "string") console.log(text);
}

/** The bundle of a figure: plotly JSON + PNG (+ a text fallback naming it). */
export async function figureBundle(fig: Figure, opts: PngOptions = {}): Promise<MimeBundle> {
  const png = await renderPng(fig, opts);
  const { width, height } = figureSize(fig);
  return {
    data: {
      [PLOTLY_MIME]: { data: fig.data, layout: fig.layout },
      "image/png": png.toString("base64"),
      "text/plain": `<Figure: ${figureTitle(fig)}>`,
    },
    // Shown at CSS size although rendered at `scale`x, so text stays crisp.
    metadata: { "image/png": { width: opts.width ?? width, height: opts.height ?? height } },
  };
}

/** Show a plotly figure in the notebook (interactive JSON + static PNG). */
export async function show(fig: Figure, opts: PngOptions = {}): Promise<void> {
  displayBundle(await figureBundle(fig, opts));
}

/** Show PNG bytes, e.g. an image montage; `width` in CSS pixels. */
export function showPng(png: Uint8Array, alt: string, width?: number): void {
  displayBundle({
    data: { "image/png": Buffer.from(png).toString("base64"), "text/plain": `<Image: ${alt}>` },
    metadata: width ? { "image/png": { width } } : {},
  });
}

export function showMarkdown(md: string): void {
  displayBundle({ data: { "text/markdown": md, "text/plain": md }, metadata: {} });
}

export function showHtml(html: string, text = "<HTML>"): void {
  displayBundle({ data: { "text/html": html, "text/plain": text }, metadata: {} });
}
