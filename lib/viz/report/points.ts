/**
 * The report's points section: how far the run's out-of-fold points fell from the labelled ones, per
 * family (points.csv), beside report.json's own summary, and what placed each point.
 */
import { CONDITION_INFO, FAMILIES, type Family } from "../../data/schema";
import type { RunPoint } from "../../data/run-points";
import { PLACED_BY } from "../../data/run-points";
import { errorSummary } from "../../gates/point-loss";
import { baseLayout, PALETTE, type Figure } from "../figure";
import type { PageBlock, PageSection } from "../html-page";
import { tableHtml } from "../table";
import { recordTableHtml } from "./record-table";
import type { RunFiles } from "./run-files";

const familyOf = (p: RunPoint): Family => CONDITION_INFO[p.condition].family;

/** Out-of-fold distances to the labelled points (mm) per family, as overlaid histograms. */
export function pointErrorFigure(points: readonly RunPoint[], title = "Out-of-fold point error"): Figure {
  const data = FAMILIES.map((family, i) => {
    const mm = points
      .filter((p) => familyOf(p) === family && p.distanceMm !== null)
      .map((p) => p.distanceMm!);
    const s = errorSummary(mm);
    return {
      type: "histogram",
      name: `${family} (n ${s.n}, median ${s.medianMm?.toFixed(2) ?? "–"} mm)`,
      x: mm,
      opacity: 0.6,
      marker: { color: PALETTE[i] },
      xbins: { start: 0, size: 0.5 },
    };
  }).filter((t) => t.x.length);
  return {
    data,
    layout: baseLayout(title, {
      barmode: "overlay",
      xaxis: { title: { text: "3D distance to the labelled point (mm)" }, rangemode: "tozero" },
      yaxis: { title: { text: "points" } },
    }),
  };
}

/** Per family: n, median and 90th percentile from points.csv, beside report.json's localization. */
function errorTable(points: readonly RunPoint[], reported: unknown): string {
  const fromReport = (reported ?? {}) as Record<string, { n?: number; medianMm?: number; p90Mm?: number }>;
  const rows = FAMILIES.map((family) => {
    const s = errorSummary(
      points.filter((p) => familyOf(p) === family && p.distanceMm !== null).map((p) => p.distanceMm!),
    );
    const r = fromReport[family];
    return [family, s.n, s.medianMm, s.p90Mm, r?.n, r?.medianMm, r?.p90Mm];
  });
  return tableHtml(
    ["family", "points", "median (mm)", "p90 (mm)", "report.json: points", "median (mm)", "p90 (mm)"],
    rows,
    { caption: "Out-of-fold point error: points.csv and report.json's localization.oofTrain", digits: 2 },
  );
}

/** Points by split, family and what placed them. */
function placedByTable(points: readonly RunPoint[]): string {
  const splits = [...new Set(points.map((p) => p.split))];
  const rows = splits.flatMap((split) =>
    FAMILIES.map((family) => {
      const mine = points.filter((p) => p.split === split && familyOf(p) === family);
      return [
        split,
        family,
        mine.length,
        ...PLACED_BY.map((b) => mine.filter((p) => p.placedBy === b).length),
      ];
    }),
  );
  return tableHtml(["split", "family", "points", ...PLACED_BY], rows, { caption: "What placed the points" });
}

export function pointsSection(run: RunFiles): PageSection | null {
  const { points, report } = run;
  const oofTrain = (report.localization as { oofTrain?: unknown } | undefined)?.oofTrain;
  const blocks: PageBlock[] = [];
  if (points?.some((p) => p.distanceMm !== null)) {
    blocks.push({ figure: pointErrorFigure(points) });
    blocks.push({ html: errorTable(points, oofTrain) });
  }
  if (points?.length) blocks.push({ html: placedByTable(points) });
  if (report.localization)
    blocks.push({
      html: recordTableHtml(report.localization, {
        caption: "report.json: localization",
        rowHeader: "set / family",
      }),
    });
  if (report.sidePoints)
    blocks.push({
      html: recordTableHtml(report.sidePoints, {
        caption: "report.json: stage 1b, points moved by the nets or kept at the projection",
        rowHeader: "set / family",
      }),
    });
  if (!blocks.length) return null;
  return {
    title: "Points",
    intro: points
      ? "Where the run placed each condition's point (points.csv): out of fold against the labelled points, in mm."
      : "This run has no points.csv (written by runs of a later version); report.json's summaries only.",
    blocks,
  };
}
