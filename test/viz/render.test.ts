import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { Figure } from "../../lib/viz/figure";
import { imageGridFigure } from "../../lib/viz/images";
import { FigureRenderer, findChromium } from "../../lib/viz/render";
import { ChromiumNotFoundError } from "../../lib/viz/errors";
import { MimeBundle, PLOTLY_MIME, figureBundle, setDisplaySink, show } from "../../lib/viz/display";

function chromiumPresent(): boolean {
  try {
    return existsSync(findChromium());
  } catch {
    return false;
  }
}
const hasChromium = chromiumPresent();
if (!hasChromium)
  console.warn("test/viz/render: no Chromium (apt-get install chromium); skipping render tests");

/** A red bar filling the lower half of a green plot area; no margins, no axes. */
const halfRed: Figure = {
  data: [{ type: "bar", x: ["a"], y: [1], marker: { color: "#ff0000" } }],
  layout: {
    width: 200,
    height: 100,
    margin: { l: 0, r: 0, t: 0, b: 0 },
    bargap: 0,
    showlegend: false,
    paper_bgcolor: "#0000ff",
    plot_bgcolor: "#00ff00",
    xaxis: { visible: false },
    yaxis: { visible: false, range: [0, 2] },
  },
};

function pixel(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}

describe("finding Chromium", () => {
  it("prefers LUMBAR_CHROMIUM and names every path tried when none exists", () => {
    expect(() => findChromium({ LUMBAR_CHROMIUM: "/nope/chromium" }, ["/also/nope"])).toThrow(
      ChromiumNotFoundError,
    );
    try {
      findChromium({ LUMBAR_CHROMIUM: "/nope/chromium" }, ["/also/nope"]);
    } catch (e) {
      expect((e as ChromiumNotFoundError).tried).toEqual(["/nope/chromium", "/also/nope"]);
    }
    expect(findChromium({ LUMBAR_CHROMIUM: process.execPath }, [])).toBe(process.execPath);
  });
});

/** halfRed as notebooks get it: the plot takes the output area's width, the height stays. */
const { width: _width, ...fluidLayout } = halfRed.layout;
const fluid = { data: halfRed.data, layout: { ...fluidLayout, autosize: true } };

describe("figure bundles", () => {
  it("with LUMBAR_FIGURE_PNG=0 hold the plotly JSON, without its width, and no PNG", async () => {
    const b = await figureBundle(halfRed, {}, { LUMBAR_FIGURE_PNG: "0" });
    expect(Object.keys(b.data).sort()).toEqual([PLOTLY_MIME, "text/plain"]);
    expect(b.data[PLOTLY_MIME]).toEqual(fluid);
    expect(b.data["text/plain"]).toBe("<Figure: (untitled)>");
    expect(halfRed.layout.width).toBe(200); // the caller's figure is left as it was
  });
});

describe.skipIf(!hasChromium)("figure rendering in headless Chromium", () => {
  const renderer = new FigureRenderer(60_000);
  afterAll(() => renderer.close());

  it("draws the figure at the requested size and scale", async () => {
    const png = PNG.sync.read(await renderer.png(halfRed, { scale: 2 }));
    expect([png.width, png.height]).toEqual([400, 200]);
    expect(pixel(png, 200, 150)).toEqual([255, 0, 0]); // lower half: the bar
    expect(pixel(png, 200, 50)).toEqual([0, 255, 0]); // upper half: plot background
  }, 120_000);

  it("draws an image tile across its subplot in native pixels, with no trace on it", async () => {
    // 100 x 50 pixels, the left half black, the right half white, in a 200 px tile (2 px per pixel).
    const pixels = new Float32Array(100 * 50).map((_, i) => (i % 100 < 50 ? 0 : 1000));
    const fig = imageGridFigure([{ pixels, width: 100, height: 50 }], { title: "", tilePx: 200 });
    const png = PNG.sync.read(await renderer.png(fig, { scale: 1 }));
    // The plot area starts 20 px from the left (margin); 50 px of height are centred in the subplot.
    const row = [30, 110, 130, 210].map((x) => pixel(png, x, 200)[0]);
    expect(row).toEqual([0, 0, 255, 255]);
    expect(pixel(png, 110, 120)).toEqual([255, 255, 255]); // above the image: background
  }, 120_000);

  it("show() sends plotly JSON and a PNG at the figure's own size in one bundle", async () => {
    const bundles: MimeBundle[] = [];
    setDisplaySink((b) => bundles.push(b));
    const saved = process.env.LUMBAR_FIGURE_PNG;
    delete process.env.LUMBAR_FIGURE_PNG;
    try {
      await show(halfRed, { scale: 1 });
    } finally {
      setDisplaySink(null);
      if (saved !== undefined) process.env.LUMBAR_FIGURE_PNG = saved;
    }
    expect(bundles).toHaveLength(1);
    expect(bundles[0].data[PLOTLY_MIME]).toEqual(fluid);
    const png = PNG.sync.read(Buffer.from(bundles[0].data["image/png"] as string, "base64"));
    expect([png.width, png.height]).toEqual([200, 100]);
    expect(bundles[0].metadata).toEqual({ "image/png": { width: 200, height: 100 } });
  }, 120_000);
});
