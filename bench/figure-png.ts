import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { Command } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { ensureDemoDataset } from "../lib/synth";
import type { Figure, Trace } from "../lib/viz/figure";
import { renderPng, sharedRenderer } from "../lib/viz/render";
import { readDataLabels, readRunPoints, studyPointsInputs } from "../lib/viz/run-folder";
import { exampleStudies } from "../lib/viz/study-images";
import { studyPointsFigure } from "../lib/viz/study-points";
import { UsageError } from "../lib/util/errors";

/** How a side draws the image tiles. */
const SIDES = ["layout-images", "image-traces"] as const;
type Side = (typeof SIDES)[number];

interface Opts {
  data?: string;
  study?: number;
  run?: string;
  repeats: number;
  warm: number;
  side?: string;
}

interface SideRow {
  side: Side;
  /** Building the figure: series headers read, 8 slices decoded. */
  figureS: number;
  /** The first PNG: Chromium started, plotly.js loaded, the figure drawn. */
  coldS: number;
  /** Median of the next PNGs of the same figure in the same page. */
  warmS: number;
  /** CPU seconds of this process (Chromium's own processes not counted). */
  cpuS: number;
}

/**
 * The peer: the same figure with each layout image as an image trace on its tile's axes, as
 * lib/viz/images drew tiles before (x0/dx and y0/dy from the image's native extent and pixel size).
 */
export function asImageTraces(fig: Figure): Figure {
  const images = (fig.layout.images ?? []) as Record<string, number | string>[];
  const traces: Trace[] = images.map((im) => ({
    type: "image",
    source: im.source,
    xaxis: im.xref,
    yaxis: im.yref,
    hoverinfo: "skip",
    ...extent(im),
  }));
  const { images: _images, ...layout } = fig.layout;
  return { data: [...traces, ...fig.data], layout };
}

/** An image trace's first pixel centre and step, from a layout image's native extent and its PNG's width. */
function extent(im: Record<string, number | string>): Record<string, number> {
  const png = Buffer.from(String(im.source).split(",")[1], "base64");
  const width = png.readUInt32BE(16); // IHDR
  const step = Number(im.sizex) / width;
  return { x0: -0.5 + step / 2, y0: -0.5 + step / 2, dx: step, dy: step };
}

async function oneSide(side: Side, opts: Opts): Promise<SideRow> {
  const cpu0 = process.cpuUsage();
  const seconds = async (work: () => Promise<unknown>) => {
    const t = performance.now();
    await work();
    return (performance.now() - t) / 1000;
  };
  const data = opts.data ?? (await ensureDemoDataset());
  const labels = readDataLabels(data);
  const study =
    opts.study ?? exampleStudies({ dataDir: data, coords: labels.labelled, series: labels.series }, 1)[0];
  if (study === undefined) throw new UsageError(`no study with labelled points in ${data}: pass --study`);
  const run = opts.run ? readRunPoints(opts.run) : undefined;
  let fig: Figure | undefined;
  const figureS = await seconds(async () => {
    fig = await studyPointsFigure(studyPointsInputs(data, study, labels, run));
  });
  const drawn = side === "layout-images" ? fig! : asImageTraces(fig!);
  const coldS = await seconds(() => renderPng(drawn, { scale: 1.5 }));
  const warm: number[] = [];
  for (let i = 0; i < opts.warm; i++) warm.push(await seconds(() => renderPng(drawn, { scale: 1.5 })));
  await sharedRenderer().close();
  const cpu = process.cpuUsage(cpu0);
  return { side, figureS, coldS, warmS: median(warm), cpuS: (cpu.user + cpu.system) / 1e6 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
}

const fmt = (xs: number[]) =>
  `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;

/**
 * `lumbar bench figure-png`: the PNG of `lumbar show`'s study figure (8 image tiles and their points)
 * with its tiles as layout images (ours) against image traces (the peer, how tiles were drawn before),
 * each repeat one fresh process per side, the sides alternating: first PNG (Chromium and plotly.js
 * start) and warm PNGs of the same figure, median and range over the repeats, with the load.
 */
export function figurePngBench(): Command {
  const cmd = new Command("figure-png")
    .description("show's study figure to PNG: tiles as layout images vs image traces")
    .option("--data <dir>", "competition-layout folder (default: the cached demo set)")
    .option("--study <id>", "study (default: the data's first with every labelled point)", intOption("study"))
    .option("--run <dir>", "a run folder whose points.csv to draw")
    .option("--repeats <n>", "fresh processes per side", intOption("repeats"), 3)
    .option("--warm <n>", "warm PNGs per process", intOption("warm"), 3)
    .option("--side <name>", "(internal) run one side in this process and print its JSON row");
  return withRun<Opts>(cmd, async (opts) => {
    if (opts.side !== undefined) {
      if (!(SIDES as readonly string[]).includes(opts.side))
        throw new UsageError(`--side must be one of ${SIDES.join(", ")}`);
      console.log(JSON.stringify(await oneSide(opts.side as Side, opts)));
      return 0;
    }
    const load0 = os.loadavg()[0];
    const rows: SideRow[] = [];
    const args = process.argv.slice(1);
    for (let r = 0; r < opts.repeats; r++)
      for (const side of SIDES) {
        const p = spawnSync(process.execPath, [...args, "--side", side], { encoding: "utf8" });
        if (p.status !== 0) {
          console.error(p.stderr);
          return p.status ?? 1;
        }
        rows.push(JSON.parse(p.stdout.trim().split("\n").pop()!) as SideRow);
      }
    const load1 = os.loadavg()[0];
    console.log(
      `figure-png: ${opts.repeats} processes per side, load ${load0.toFixed(1)} -> ${load1.toFixed(1)}, ${os.cpus().length} cores`,
    );
    console.log("side            figure s            first PNG s         warm PNG s          CPU s (node)");
    for (const side of SIDES) {
      const mine = rows.filter((x) => x.side === side);
      const col = (k: keyof Omit<SideRow, "side">) => fmt(mine.map((x) => x[k])).padEnd(20);
      console.log(`${side.padEnd(16)}${col("figureS")}${col("coldS")}${col("warmS")}${col("cpuS")}`);
    }
    const warm = (side: Side) => median(rows.filter((x) => x.side === side).map((x) => x.warmS));
    console.log(
      `warm PNG, layout images / image traces: ${(warm("layout-images") / warm("image-traces")).toFixed(2)}x`,
    );
    return 0;
  });
}
