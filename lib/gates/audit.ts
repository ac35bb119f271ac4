import { GATE_MARGIN, beats } from "./margins";
import type { DegradationRow, GateSummaryRow } from "./summary";

/** A group of rows by input kind and family: its out-of-fold loss as predicted and the prior's. */
export type ScoredGroup = Pick<DegradationRow, "kind" | "family" | "oofRows" | "prior" | "chosen">;

/**
 * What a run did that its own out-of-fold evidence does not support: a part on that does not beat
 * running without it by the gate's margin, or a group of rows expected to score worse than the prior.
 * Empty for the gates' own decisions (`--gates auto`); forced modes list what they cost (report.json
 * `gates.unsupported`).
 */
export function unsupportedParts(rows: readonly GateSummaryRow[], groups: readonly ScoredGroup[]): string[] {
  const parts = rows
    .filter((r) => r.on)
    .filter((r) => {
      const margin = r.measure === "clipped mean mm" ? GATE_MARGIN.points : GATE_MARGIN.score;
      return r.with === null || r.without === null || !beats(r.with, r.without, margin);
    })
    .map((r) => `${r.part} ${r.family} on: ${fmt(r.with)} with, ${fmt(r.without)} without (${r.measure})`);
  const worse = groups
    .filter((g) => g.chosen !== null && g.prior !== null && g.chosen > g.prior)
    .map(
      (g) =>
        `${g.kind} ${g.family} rows (${g.oofRows}): ${fmt(g.chosen)} against the prior's ${fmt(g.prior)}`,
    );
  return [...parts, ...worse];
}

const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(4));
