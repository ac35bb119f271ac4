import type { DegradationRow, GateSummaryRow } from "../gates";
import { baseLayout, type Figure } from "./figure";
import { showTable, tableHtml, type Cell, type TableOptions } from "./table";

const ON = "#4c9f70";
const OFF = "#b0b0b0";

const label = (r: GateSummaryRow) => `${r.part} · ${r.family}`;

/**
 * The gates' evidence as one picture: per part and family, its out-of-fold figure with the part over
 * the figure without it (point errors in mm, or the family's log loss); below 1 the part helps. Green:
 * the part runs, grey: the baseline runs.
 */
export function gatesFigure(
  rows: readonly GateSummaryRow[],
  title = "Which parts earn their place (out of fold)",
): Figure {
  const shown = rows.filter((r) => r.with !== null && r.without !== null && r.without > 0);
  const ratio = shown.map((r) => r.with! / r.without!);
  return {
    data: [
      {
        type: "bar",
        orientation: "h",
        y: shown.map(label),
        x: ratio,
        marker: { color: shown.map((r) => (r.on ? ON : OFF)) },
        text: shown.map((r, i) => `${ratio[i].toFixed(3)} (${r.on ? "on" : "off"})`),
        textposition: "outside",
        hovertext: shown.map(
          (r) => `${r.measure}: ${r.without!.toFixed(3)} without, ${r.with!.toFixed(3)} with`,
        ),
        hoverinfo: "text",
        showlegend: false,
      },
    ],
    layout: baseLayout(title, {
      height: 140 + 26 * shown.length,
      margin: { l: 200, r: 40, t: 70, b: 50 },
      xaxis: { title: { text: "with / without (below 1: the part helps)" }, rangemode: "tozero" },
      yaxis: { autorange: "reversed" },
      shapes: [
        { type: "line", x0: 1, x1: 1, yref: "paper", y0: 0, y1: 1, line: { dash: "dash", color: "#2a3f5f" } },
      ],
    }),
  };
}

type Table = [columns: string[], rows: Cell[][], opts: TableOptions];

/** The gates as a table: the figure without and with each part, and whether it runs. */
function gatesTable(rows: readonly GateSummaryRow[]): Table {
  return [
    ["part", "family", "measure (lower is better)", "without", "with", "runs"],
    rows.map((r) => [r.part, r.family, r.measure, r.without, r.with, r.on ? "on" : "off"]),
    { caption: "Gates: each optional part, out of fold, with and without it", digits: 3 },
  ];
}

/** Rows by input kind: out of fold the model's, the prior's and the chosen loss, the weight; test rows. */
function degradationTable(groups: readonly DegradationRow[]): Table {
  return [
    ["input", "family", "out-of-fold rows", "model", "prior", "chosen", "toward the prior", "test rows"],
    groups
      .filter((g) => g.oofRows > 0 || g.testRows > 0)
      .map((g) => [g.kind, g.family, g.oofRows, g.model, g.prior, g.chosen, g.weight, g.testRows]),
    { caption: "Rows by what they were made from (weighted log loss, lower is better)", digits: 3 },
  ];
}

/** In a notebook, and as HTML for the run's report page. */
export const showGates = (rows: readonly GateSummaryRow[]): void => showTable(...gatesTable(rows));
export const gatesTableHtml = (rows: readonly GateSummaryRow[]): string => tableHtml(...gatesTable(rows));
export const showDegradation = (groups: readonly DegradationRow[]): void =>
  showTable(...degradationTable(groups));
export const degradationTableHtml = (groups: readonly DegradationRow[]): string =>
  tableHtml(...degradationTable(groups));
