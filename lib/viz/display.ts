/**
 * Rich output for notebooks on the tslab kernel. A figure is sent as one display_data bundle holding
 * the plotly JSON (drawn interactively by JupyterLab / VS Code) and a static PNG (what nbconvert's HTML
 * export, classic Notebook and GitHub show), so an executed notebook shows every figure without network.
 * JupyterLab's plotly renderer shows a bundle's PNG until the mouse passes over it, so where it draws
 * the figures (`scripts/jupyter.sh lab` sets LUMBAR_FIGURE_PNG=0) the PNG is left out: the plot is
 * interactive as soon as the cell runs, and the renderer stores a PNG of its own in the notebook.
 * Outside a kernel (scripts, tests) bundles go to a replaceable sink.
 */
import { Figure, Layout, figureSize, figureTitle } from "./figure";
import { PngOptions, renderPng } from "./render";
import { readEnv } from "../util/env";

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

/** LUMBAR_FIGURE_PNG: whether figure bundles carry a PNG (default yes). */
export function figurePngWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return readEnv("LUMBAR_FIGURE_PNG", env) !== "0";
}

/**
 * The figure as the notebook draws it: without its fixed width, so the plot takes the output area's
 * width (the PNG keeps the figure's own size).
 */
export function fluidSpec(fig: Figure): Figure {
  const { width: _width, ...layout }: Layout = fig.layout;
  return { data: fig.data, layout: { ...layout, autosize: true } };
}

/** The bundle of a figure: plotly JSON + PNG unless LUMBAR_FIGURE_PNG=0 (+ a text fallback naming it). */
export async function figureBundle(
  fig: Figure,
  opts: PngOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<MimeBundle> {
  const json = { [PLOTLY_MIME]: fluidSpec(fig), "text/plain": `<Figure: ${figureTitle(fig)}>` };
  if (!figurePngWanted(env)) return { data: json, metadata: {} };
  const png = await renderPng(fig, opts);
  const { width, height } = figureSize(fig);
  return {
    data: { ...json, "image/png": png.toString("base64") },
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
