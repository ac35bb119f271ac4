import type { SidePointConfig } from "../config";
import { CONDITIONS, conditionsOf, type Family } from "../data/schema";
import {
  GATE_MARGIN,
  SIDE_POINT_FAMILIES,
  beats,
  decideRefine,
  placedLoss,
  type RefineDecision,
  type RefineEvidencePoint,
  type PlacementGateEvidence,
  type RefineGate,
  type SideVariant,
  type SidePointFamily,
} from "../gates";
import { applyRefinement, type CandidateResult } from "../infer";
import {
  familyOf,
  placePoints,
  type Levels,
  type LpsPoint,
  type OffsetModel,
  type PlacedPoint,
  type StudyImages,
} from "../study";

/** Out-of-fold evidence for stage 1b: the canal's points, and each side family's from both starting points. */
export interface PlacementEvidence {
  readonly spinal: RefineEvidencePoint[];
  readonly sides: Record<SidePointFamily, Record<SideVariant, RefineEvidencePoint[]>>;
}

export function emptyPlacementEvidence(): PlacementEvidence {
  return {
    spinal: [],
    sides: { foraminal: { levels: [], canal: [] }, subarticular: { levels: [], canal: [] } },
  };
}

/** Add one study's evidence (gathered on its own) to the rest, in study order. */
export function mergeEvidence(into: PlacementEvidence, piece: PlacementEvidence): void {
  into.spinal.push(...piece.spinal);
  for (const family of SIDE_POINT_FAMILIES)
    for (const variant of ["levels", "canal"] as const)
      into.sides[family][variant].push(...piece.sides[family][variant]);
}

/** Stage 1b's gates per family, canal-first per side family, and what they were decided on. */
export interface PlacementDecision {
  readonly refine: Record<Family, RefineGate>;
  readonly canalFirst: Record<SidePointFamily, boolean>;
  readonly evidence: {
    readonly spinal: RefineDecision["evidence"];
  } & Record<
    SidePointFamily,
    Record<SideVariant, RefineDecision["evidence"]> & { readonly from: SideVariant }
  >;
}

/**
 * One train study's evidence, with its own fold's nets (`candidates`: out of fold): the canal points at the levels
 * and where the canal net would move them; then the foramina and recesses projected from the levels
 * and from the canal points as stage 1b's config thresholds would move them, with where their nets
 * would move them. Errors are against the study's labelled points.
 */
export function addStudyEvidence(
  into: PlacementEvidence,
  study: StudyImages,
  levels: Levels,
  offsets: OffsetModel,
  candidates: (points: readonly PlacedPoint[]) => CandidateResult[],
  cfg: SidePointConfig,
  truth: readonly LpsPoint[],
  fold: number,
): void {
  const canal = placePoints(study, levels, offsets, conditionsOf("spinal")).points;
  const canalCands = candidates(canal);
  into.spinal.push(...evidencePoints(canal, canalCands, truth, fold));
  const provisional = applyRefinement(canal, canalCands, {
    spinal: { on: true, minPeak: cfg.minPeak, maxShiftMm: cfg.maxShiftMm },
    foraminal: { on: false, minPeak: 1, maxShiftMm: 0 },
    subarticular: { on: false, minPeak: 1, maxShiftMm: 0 },
  }).points;
  const fromCanal: Levels = {
    ...levels,
    lps: levels.lps.map((l, i) => provisional.find((p) => p.levelIndex === i)?.lps ?? l),
  };
  const sideConditions = CONDITIONS.filter((c) => familyOf({ condition: c }) !== "spinal");
  for (const [variant, from] of [
    ["levels", levels],
    ["canal", fromCanal],
  ] as const) {
    const sides = placePoints(study, from, offsets, sideConditions).points;
    const cands = candidates(sides);
    sides.forEach((p, i) => {
      const [point] = evidencePoints([p], [cands[i]], truth, fold);
      if (point) into.sides[familyOf(p) as SidePointFamily][variant].push(point);
    });
  }
}

/** Evidence points of the placed points that have a labelled point. */
function evidencePoints(
  points: readonly PlacedPoint[],
  cands: readonly CandidateResult[],
  truth: readonly LpsPoint[],
  fold: number,
): RefineEvidencePoint[] {
  const dist = (a: readonly number[], b: readonly number[]) =>
    Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  return points.flatMap((p, i) => {
    const t = truth.find((q) => q.condition === p.condition && q.levelIndex === p.levelIndex);
    if (!t) return [];
    const c = cands[i];
    const moved = typeof c === "string" ? null : c;
    return [
      {
        fold,
        projectedMm: dist(p.lps, t.lps),
        refinedMm: moved ? dist(moved.lps, t.lps) : null,
        peak: moved?.peak ?? 0,
        shiftMm: moved?.shiftMm ?? 0,
      },
    ];
  });
}

/**
 * Stage 1b per family, on where it beats the projection out of fold (lib/gates decideRefine); the
 * foramina and recesses start from the refined canal only where the canal net is on and that start
 * (with its own best gate) beats the levels' by GATE_MARGIN.points. `clipMm`: per family, half the
 * classifier crop's width.
 */
export function decidePlacement(ev: PlacementEvidence, clipMm: Record<Family, number>): PlacementDecision {
  const spinal = decideRefine(ev.spinal, clipMm.spinal);
  const refine = { spinal: spinal.gate } as Record<Family, RefineGate>;
  const canalFirst = {} as Record<SidePointFamily, boolean>;
  const evidence = { spinal: spinal.evidence } as Record<string, unknown>;
  for (const f of SIDE_POINT_FAMILIES) {
    const levels = decideRefine(ev.sides[f].levels, clipMm[f]);
    const canal = decideRefine(ev.sides[f].canal, clipMm[f]);
    const loss = (d: RefineDecision) => placedLoss(d.evidence) ?? NaN;
    canalFirst[f] = spinal.gate.on && beats(loss(canal), loss(levels), GATE_MARGIN.points);
    const from: SideVariant = canalFirst[f] ? "canal" : "levels";
    refine[f] = (from === "canal" ? canal : levels).gate;
    evidence[f] = { levels: levels.evidence, canal: canal.evidence, from };
  }
  return { refine, canalFirst, evidence: evidence as PlacementGateEvidence };
}
