import { FAMILIES, type Family } from "../data/schema";
import { SIDE_POINT_FAMILIES, type Gates, type InputKind, type SidePointFamily } from "./gates";
import { GATE_MARGIN, beats } from "./margins";
import type { PointErrorStats } from "./point-loss";
import type { RefineDecision } from "./refine-gate";

/** Where the foramina and recesses are projected from: the levels, or the refined canal points. */
export type SideVariant = "levels" | "canal";

/** Stage 1b's out-of-fold evidence: the canal's decision, each side family's for both starting points. */
export type PlacementGateEvidence = { readonly spinal: RefineDecision["evidence"] } & Readonly<
  Record<
    SidePointFamily,
    Readonly<Record<SideVariant, RefineDecision["evidence"]>> & { readonly from: SideVariant }
  >
>;

/** The evidence every gate was decided on (report.json `gates.evidence`, gates.json). */
export interface GateEvidence {
  readonly levelChain: {
    readonly clipMm: number;
    readonly chain: PointErrorStats;
    readonly independent: PointErrorStats;
  } | null;
  readonly placement: PlacementGateEvidence | null;
  /** Per family, the family's weighted log loss out of fold with and without the mirror TTA. */
  readonly tta: Readonly<Record<Family, { readonly with: number | null; readonly without: number | null }>>;
  /** Per side family, as if every study lacked its series: the cross-family model against the prior. */
  readonly crossFamily: Readonly<
    Record<
      SidePointFamily,
      { readonly rows: number; readonly prior: number | null; readonly crossFamily: number | null }
    >
  > | null;
}

/** One gate for one family: the out-of-fold figure without and with the part, and the decision. */
export interface GateSummaryRow {
  readonly part: "level chain" | "stage 1b" | "canal-first" | "TTA" | "cross-family";
  readonly family: Family | "all";
  /** Point errors: clipped mean mm; scores: the family's weighted log loss. Lower is better. */
  readonly measure: "clipped mean mm" | "weighted log loss";
  readonly without: number | null;
  readonly with: number | null;
  readonly on: boolean;
}

/**
 * The clipped mean error of the points as stage 1b's gate places them: refined out of fold where that
 * beats the projection by GATE_MARGIN.points (decideRefine's rule), else projected.
 */
export function placedLoss(e: RefineDecision["evidence"]): number | null {
  const [gated, projected] = [e.gatedOutOfFold.clippedMeanMm, e.projection.clippedMeanMm];
  return gated !== null && projected !== null && beats(gated, projected, GATE_MARGIN.points)
    ? gated
    : projected;
}

/** Every gate as one row per family: the with-vs-without table of report.json's evidence. */
export function gateSummary(decisions: Gates, evidence: GateEvidence): GateSummaryRow[] {
  const rows: GateSummaryRow[] = [];
  const mm = "clipped mean mm" as const;
  const loss = "weighted log loss" as const;
  if (evidence.levelChain) {
    const { chain, independent } = evidence.levelChain;
    rows.push({
      part: "level chain",
      family: "all",
      measure: mm,
      without: independent.clippedMeanMm,
      with: chain.clippedMeanMm,
      on: decisions.levelChain,
    });
  }
  const placement = evidence.placement;
  if (placement) {
    for (const f of FAMILIES) {
      const e = f === "spinal" ? placement.spinal : placement[f][placement[f].from];
      const [without, withPart] = [e.projection.clippedMeanMm, e.gatedOutOfFold.clippedMeanMm];
      rows.push({
        part: "stage 1b",
        family: f,
        measure: mm,
        without,
        with: withPart,
        on: decisions.refine[f].on,
      });
    }
    for (const f of SIDE_POINT_FAMILIES)
      rows.push({
        part: "canal-first",
        family: f,
        measure: mm,
        without: placedLoss(placement[f].levels),
        with: placedLoss(placement[f].canal),
        on: decisions.canalFirst[f],
      });
  }
  for (const f of FAMILIES)
    rows.push({ part: "TTA", family: f, measure: loss, ...evidence.tta[f], on: decisions.tta[f] });
  if (evidence.crossFamily)
    for (const f of SIDE_POINT_FAMILIES) {
      const c = evidence.crossFamily[f];
      rows.push({
        part: "cross-family",
        family: f,
        measure: loss,
        without: c.prior,
        with: c.crossFamily,
        on: decisions.crossFamily[f],
      });
    }
  return rows;
}

/** One group of rows: an input kind and a family, out of fold and on test. */
export interface DegradationRow {
  readonly kind: InputKind;
  readonly family: Family;
  /** Labelled out-of-fold rows the decision was made on. */
  readonly oofRows: number;
  /** Out-of-fold family losses: the model as is (for missing series: the cross-family model), the prior, what the group gets. */
  readonly model: number | null;
  readonly prior: number | null;
  readonly chosen: number | null;
  /** Weight toward the prior (0 the model, 1 the prior); for missing series 0 when the cross-family model is used. */
  readonly weight: number;
  readonly testRows: number;
}
