/**
 * The report's gates section: for a kernel run, each optional part's out-of-fold figure with and
 * without it (lib/gates gateSummary) as a picture and a table, and what runs against its own evidence;
 * for a predict run, which parts its weights folder's gates.json turned on. Then the rows per kind of
 * input, each group's out-of-fold loss beside the prior's.
 */
import { describeGates, gateSummary, type DegradationRow, type GateEvidence, type Gates } from "../../gates";
import { degradationTableHtml, gatesFigure, gatesTableHtml } from "../gates";
import type { PageBlock, PageSection } from "../html-page";
import { escapeHtml } from "../table";
import type { RunFiles } from "./run-files";

interface KernelGates {
  readonly decisions: Gates;
  readonly evidence: GateEvidence;
  readonly unsupported?: readonly string[];
}

const isKernelGates = (g: unknown): g is KernelGates =>
  typeof g === "object" && g !== null && "decisions" in g && "evidence" in g;
const isGates = (g: unknown): g is Gates => typeof g === "object" && g !== null && "refine" in g;

export function gatesSection(run: RunFiles): PageSection | null {
  const gates = run.report.gates;
  const blocks: PageBlock[] = [];
  if (isKernelGates(gates)) {
    const rows = gateSummary(gates.decisions, gates.evidence);
    blocks.push({ figure: gatesFigure(rows) }, { html: gatesTableHtml(rows) });
    const unsupported = gates.unsupported ?? [];
    blocks.push({
      html: unsupported.length
        ? `<p>Runs against its own out-of-fold evidence (a forced <code>--gates</code> mode):</p><ul>${unsupported.map((u) => `<li>${escapeHtml(u)}</li>`).join("")}</ul>`
        : "<p>Every part that runs is supported by its out-of-fold evidence.</p>",
    });
  } else if (isGates(gates)) {
    blocks.push({
      html: `<p>From the weights folder's gates.json: ${escapeHtml(describeGates(gates))}.</p>`,
    });
  }
  const groups = run.report.degradation as DegradationRow[] | undefined;
  if (Array.isArray(groups) && groups.length) blocks.push({ html: degradationTableHtml(groups) });
  if (!blocks.length) return null;
  return {
    title: "Gates",
    intro:
      "Which optional parts run, decided out of fold on this run's data (with / without each part, below 1 it helps), and the rows per kind of input.",
    blocks,
  };
}
