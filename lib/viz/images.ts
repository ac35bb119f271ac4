/**
 * Image grids as plotly figures: each tile is a grayscale PNG (data URI, downsampled to a light size)
 * in its own subplot, drawn in the image's native pixel coordinates so label points and lines are
 * overlaid at their CSV (x, y) exactly. Rendered like any figure: interactive JSON + static PNG.
 */
import { grayscalePng } from "../util/png";
import { Figure, Layout, Trace, axisIds, baseLayout, domains, subplotTitle } from "./figure";

export interface ImagePoint {
  /** Native pixel column / row (the CSV's x, y). */
  readonly x: number;
  readonly y: number;
  /** Short text drawn beside the marker, e.g. "L4/L5". */
  readonly label?: string;
  readonly color?: string;
  readonly symbol?: string;
  /** Where the label goes relative to the marker (plotly textposition); default "middle right". */
  readonly textPosition?: string;
  /** Hover text (plotly's <br> for lines); default the label and the pixel position. */
  readonly hover?: string;
  /** Marker size in CSS pixels; default 10. */
  readonly size?: number;
}

export interface ImageLine {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  readonly color?: string;
  readonly dash?: string;
  readonly label?: string;
}

export interface ImageTile {
  /** Row-major grayscale pixels [height * width] (any numeric scale; windowed to percentiles). */
  readonly pixels: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
  readonly title?: string;
  readonly points?: readonly ImagePoint[];
  readonly lines?: readonly ImageLine[];
}

export interface ImageGridOptions {
  readonly title: string;
  /** Tiles per row (default: up to 4). */
  readonly columns?: number;
  /** Drawn size of one tile in CSS pixels (default 240). */
  readonly tilePx?: number;
  /** Longest side of the embedded PNG; larger images are downsampled (default 256). */
  readonly maxImagePx?: number;
}

/** Nearest-neighbour downsample by an integer factor (keeps the grey levels of the source). */
export function downsample(pixels: ArrayLike<number>, width: number, height: number, factor: number) {
  if (factor <= 1) return { pixels, width, height };
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[y * w + x] = pixels[y * factor * width + x * factor];
  return { pixels: out, width: w, height: h };
}

/**
 * The tile as a PNG data URI, at most `maxPx` on its longest side; `factor` maps back to native
 * pixels, `width` x `height` is its size in native pixels (a multiple of `factor`).
 */
export function tileDataUri(
  tile: ImageTile,
  maxPx: number,
): { uri: string; factor: number; width: number; height: number } {
  const factor = Math.max(1, Math.ceil(Math.max(tile.width, tile.height) / maxPx));
  const small = downsample(tile.pixels, tile.width, tile.height, factor);
  const png = grayscalePng(small.pixels, small.width, small.height);
  return {
    uri: `data:image/png;base64,${png.toString("base64")}`,
    factor,
    width: small.width * factor,
    height: small.height * factor,
  };
}

export function imageGridFigure(tiles: readonly ImageTile[], opts: ImageGridOptions): Figure {
  const columns = Math.max(1, Math.min(opts.columns ?? 4, tiles.length));
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const tilePx = opts.tilePx ?? 240;
  const titleBand = 34;
  const xDomains = domains(columns, 0.02);
  const rowH = 1 / rows;
  const data: Trace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const images: Record<string, unknown>[] = [];
  const layout: Layout = baseLayout(opts.title, {
    width: columns * tilePx + 40,
    height: rows * (tilePx + titleBand) + 70,
    margin: { l: 20, r: 20, t: 60, b: 10 },
    showlegend: false,
    plot_bgcolor: "white",
  });
  tiles.forEach((tile, i) => {
    const ax = axisIds(i);
    const r = Math.floor(i / columns);
    const c = i % columns;
    const yTop = 1 - r * rowH;
    const yDomain: [number, number] = [
      yTop - rowH + 0.005,
      yTop - (titleBand / (rows * (tilePx + titleBand))) * 1.0,
    ];
    const image = tileDataUri(tile, opts.maxImagePx ?? 256);
    // A layout image, not an image trace: drawn as one SVG <image> (an image trace costs Chromium
    // ~0.4 s per tile to render). Small pixel k covers native pixels [k f - 0.5, (k + 1) f - 0.5].
    images.push({
      source: image.uri,
      xref: ax.x,
      yref: ax.y,
      x: -0.5,
      y: -0.5,
      sizex: image.width,
      sizey: image.height,
      xanchor: "left",
      yanchor: "top",
      sizing: "stretch",
      layer: "below",
    });
    data.push(...overlayTraces(tile, ax));
    layout[ax.xLayout] = {
      domain: xDomains[c],
      anchor: ax.y,
      visible: false,
      range: [-0.5, tile.width - 0.5],
    };
    layout[ax.yLayout] = {
      domain: yDomain,
      anchor: ax.x,
      visible: false,
      range: [tile.height - 0.5, -0.5],
      scaleanchor: ax.x,
      constrain: "domain",
    };
    if (tile.title)
      annotations.push(subplotTitle(tile.title, xDomains[c][0], xDomains[c][1], yDomain[1] + 0.003));
  });
  layout.annotations = annotations;
  layout.images = images;
  return { data, layout };
}

const TEXT_HALO = "1px 1px 1px #000, -1px -1px 1px #000, 1px -1px 1px #000, -1px 1px 1px #000";

/** A tile's lines and labelled points as scatter traces on its subplot's axes. */
function overlayTraces(tile: ImageTile, ax: { x: string; y: string }): Trace[] {
  const traces: Trace[] = [];
  for (const line of tile.lines ?? []) {
    traces.push({
      type: "scatter",
      mode: "lines",
      x: [...line.x],
      y: [...line.y],
      line: { color: line.color ?? "#19d3f3", width: 2, dash: line.dash ?? "dash" },
      name: line.label ?? "",
      xaxis: ax.x,
      yaxis: ax.y,
    });
  }
  const pts = tile.points ?? [];
  if (pts.length) {
    traces.push({
      type: "scatter",
      mode: "markers+text",
      x: pts.map((p) => p.x),
      y: pts.map((p) => p.y),
      text: pts.map((p) => p.label ?? ""),
      textposition: pts.map((p) => p.textPosition ?? "middle right"),
      // A dark halo keeps the text legible on bright anatomy.
      textfont: { color: pts.map((p) => p.color ?? "#ff3b3b"), size: 11, shadow: TEXT_HALO },
      // Open symbols are stroked with marker.color.
      marker: {
        size: pts.map((p) => p.size ?? 10),
        color: pts.map((p) => p.color ?? "#ff3b3b"),
        symbol: pts.map((p) => p.symbol ?? "circle-open"),
        line: { width: 2 },
      },
      xaxis: ax.x,
      yaxis: ax.y,
      hovertext: pts.map((p) => p.hover ?? `${p.label ?? ""} (${Math.round(p.x)}, ${Math.round(p.y)})`),
      hovertemplate: "%{hovertext}<extra></extra>",
    });
  }
  return traces;
}
