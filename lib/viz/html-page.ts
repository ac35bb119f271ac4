/**
 * One self-contained HTML page of figures and tables that opens without a network: plotly.js
 * (node_modules' plotly.js-dist-min) is inlined once, each figure's JSON sits in the page and is drawn
 * on load at the page's width. When every figure is drawn the body gets `data-figures-drawn` (their
 * count), which tests wait for. Tables (lib/viz/table) carry their own style.
 */
import { readFileSync } from "node:fs";
import type { Figure } from "./figure";
import { fluidSpec } from "./display";
import { escapeHtml } from "./table";

/** A block of a page section: a figure, or HTML made by the caller (tables: lib/viz/table tableHtml). */
export type PageBlock = { readonly figure: Figure } | { readonly html: string };

export interface PageSection {
  readonly title: string;
  /** Plain text under the title (escaped). */
  readonly intro?: string;
  readonly blocks: readonly PageBlock[];
}

export interface Page {
  readonly title: string;
  /** Plain-text lines under the page title (escaped). */
  readonly subtitle?: readonly string[];
  readonly sections: readonly PageSection[];
}

let plotlySource: string | null = null;
function plotlyJs(): string {
  plotlySource ??= readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
  return plotlySource;
}

/** JSON that cannot end the <script> element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

const STYLE = `
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #2a3f5f; margin: 0 auto; padding: 0 24px 48px; max-width: 1320px; }
h1 { font-size: 26px; margin: 24px 0 4px; } h2 { font-size: 20px; margin: 36px 0 8px; border-bottom: 1px solid #dde3ee; }
p.sub { margin: 2px 0; color: #5a6b85; } nav a { margin-right: 14px; }
.figure { width: 100%; margin: 12px 0; }
`;

/** The page as one HTML string. */
export function pageHtml(page: Page): string {
  const figures: Figure[] = [];
  const sections = page.sections.map((s, si) => {
    const blocks = s.blocks.map((b) => {
      if ("html" in b) return b.html;
      figures.push(fluidSpec(b.figure));
      return `<div class="figure" id="figure-${figures.length - 1}"></div>`;
    });
    const intro = s.intro ? `<p>${escapeHtml(s.intro)}</p>` : "";
    return `<section id="s${si}"><h2>${escapeHtml(s.title)}</h2>${intro}\n${blocks.join("\n")}</section>`;
  });
  const nav = page.sections.map((s, si) => `<a href="#s${si}">${escapeHtml(s.title)}</a>`).join("");
  const subtitle = (page.subtitle ?? []).map((l) => `<p class="sub">${escapeHtml(l)}</p>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
<script>${plotlyJs()}</script>
</head><body>
<h1>${escapeHtml(page.title)}</h1>${subtitle}<nav>${nav}</nav>
${sections.join("\n")}
<script type="application/json" id="figures">${scriptJson(figures)}</script>
<script>
const figures = JSON.parse(document.getElementById("figures").textContent);
Promise.all(figures.map((f, i) =>
  Plotly.newPlot("figure-" + i, f.data, f.layout, { responsive: true, displaylogo: false })
)).then(() => { document.body.dataset.figuresDrawn = String(figures.length); });
</script>
</body></html>
`;
}
