import { CONDITION_INFO, FAMILIES, LEVELS, rowId, SEVERITY_WEIGHTS, type Family } from "../data/schema";
import {
  GATE_MARGIN,
  INPUT_KINDS,
  SIDE_POINT_FAMILIES,
  beats,
  decideShrink,
  forcedGates,
  shrinkToward,
  shrinkWeight,
  type CropInputKind,
  type GateEvidence,
  type Gates,
  type ShrinkDecision,
  type SidePointFamily,
} from "../gates";
import { weightedLogLoss, type Probs3 } from "../metric";
import { checkCrossFamily, priorFor, type CrossFamily, type CrossFamilyCheck } from "../submit";
import type { ByTta, ClassifierStage, OofRow } from "./classifier-stage";
import type { LevelChainDecision, LocalizerStage } from "./localizer-stage";
import type { LocalizedPass } from "./localized-pass";
import type { PreparedTrain } from "./train-split";
import type { KernelContext } from "./context";
import { oofFolds, oofLabels } from "./cv";

/** Every gate's decision and the out-of-fold evidence it was made on (report.json `gates`, gates.json). */
export interface GatesReport {
  readonly decisions: Gates;
  readonly evidence: GateEvidence & {
    readonly levelChain: LevelChainDecision["evidence"] | null;
    readonly crossFamily: Record<CrossFamily, CrossFamilyCheck> | null;
  };
  /** Per input kind and family: out-of-fold rows, the model's, the prior's and the chosen loss, the weight. */
  readonly degradation: Record<CropInputKind, Record<Family, ShrinkDecision>>;
}

/** What the gates decide after stage 2, and the out-of-fold rows as the decided pipeline predicts them. */
export interface GatedOutOfFold {
  readonly report: GatesReport;
  /** Row id -> out-of-fold probabilities of the gated pipeline (TTA per family, degraded-input shrinkage). */
  readonly oofHonest: Map<string, Probs3>;
}

/**
 * The gates decided after stage 2, out of fold: TTA per family (on where it lowers the family's loss
 * by GATE_MARGIN.score), the weight toward the prior per input kind and family (lib/gates
 * decideShrink, on the natural and the deliberately degraded out-of-fold rows), and the cross-family
 * fallback per family (on where its fold-wise check beats the prior by GATE_MARGIN.score). Stage 1's
 * and pass 2's decisions are carried in.
 */
export function decideGates(
  ctx: KernelContext,
  train: PreparedTrain,
  stage1: LocalizerStage,
  pass: LocalizedPass,
  stage2: ClassifierStage,
): GatedOutOfFold {
  const { config } = ctx;
  const forced = forcedGates(config.gates, config.sidePoints, config.tta);
  const prior = (r: OofRow) => priorFor(train.prior, { condition: r.condition, level: LEVELS[r.levelIndex] });
  const decidedTta = decideTta(stage2.oofRows);
  const tta = forced?.tta ?? decidedTta.tta;
  const ttaEvidence = decidedTta.evidence;
  const chosen = (rows: ByTta<OofRow[]>) =>
    FAMILIES.flatMap((f) => rows[tta[f] ? "tta" : "plain"].filter((r) => familyOfRow(r) === f));
  const rows = chosen(stage2.oofRows);
  const degradation = decideDegradation(train, [...rows, ...chosen(stage2.degradedRows)], prior, forced);

  // The honest out-of-fold rows: each fold's weight for its group (fitted on the other folds).
  const oofHonest = new Map<string, Probs3>();
  for (const r of rows) {
    const w = degradation[r.input][familyOfRow(r)].foldWeights[train.folds.get(r.studyId)!] ?? 1;
    const id = rowId(r.studyId, { condition: r.condition, level: LEVELS[r.levelIndex] });
    oofHonest.set(id, shrinkToward(r.probs, prior(r), w));
  }
  const crossFamilyCheck = train.folds.size
    ? checkCrossFamily(oofHonest, oofLabels(train, stage1), train.prior, oofFolds(train, stage1))
    : null;
  const crossFamily =
    forced?.crossFamily ??
    (Object.fromEntries(
      SIDE_POINT_FAMILIES.map((f) => {
        const c = crossFamilyCheck?.[f];
        return [f, c ? beats(c.crossFamily ?? NaN, c.prior ?? NaN, GATE_MARGIN.score) : false];
      }),
    ) as Record<SidePointFamily, boolean>);
  const shrink = Object.fromEntries(
    Object.entries(degradation).map(([kind, byFamily]) => [
      kind,
      Object.fromEntries(FAMILIES.map((f) => [f, byFamily[f].weight])),
    ]),
  ) as Gates["shrink"];
  const decisions: Gates = {
    levelChain: stage1.levelChain.on,
    refine: pass.placement.refine,
    canalFirst: pass.placement.canalFirst,
    tta,
    crossFamily,
    shrink,
  };
  const evidence = {
    levelChain: train.folds.size ? stage1.levelChain.evidence : null,
    placement: pass.placement.evidence,
    tta: ttaEvidence,
    crossFamily: crossFamilyCheck,
  };
  return { report: { decisions, evidence, degradation }, oofHonest };
}

const familyOfRow = (r: Pick<OofRow, "condition">): Family => CONDITION_INFO[r.condition].family;

/** TTA per family: on where the mirror lowers the family's out-of-fold loss by GATE_MARGIN.score. */
function decideTta(rows: ByTta<OofRow[]>): {
  tta: Record<Family, boolean>;
  evidence: GatesReport["evidence"]["tta"];
} {
  const tta = {} as Record<Family, boolean>;
  const evidence = {} as Record<Family, { with: number | null; without: number | null }>;
  for (const f of FAMILIES) {
    const loss = (all: readonly OofRow[]) => familyLoss(all.filter((r) => familyOfRow(r) === f));
    evidence[f] = { with: loss(rows.tta), without: loss(rows.plain) };
    tta[f] = beats(evidence[f].with ?? NaN, evidence[f].without ?? NaN, GATE_MARGIN.score);
  }
  return { tta, evidence };
}

/**
 * Per input kind and family, the weight toward the prior (lib/gates decideShrink) on the labelled
 * out-of-fold rows of that kind, natural and deliberately degraded. Without CV there is no evidence:
 * the models' own rows stay as they are, degraded ones get the prior. Forced gates impose their
 * weights (the decision's losses stay as evidence).
 */
function decideDegradation(
  train: PreparedTrain,
  rows: readonly OofRow[],
  prior: (r: OofRow) => Probs3,
  forced: Gates | null,
): GatesReport["degradation"] {
  const out = {} as GatesReport["degradation"];
  for (const kind of INPUT_KINDS.filter((k): k is CropInputKind => k !== "missing-series")) {
    out[kind] = {} as Record<Family, ShrinkDecision>;
    for (const f of FAMILIES) {
      const group = rows.filter((r) => r.input === kind && r.label !== null && familyOfRow(r) === f);
      const decided =
        kind === "own" && !train.folds.size
          ? { ...decideShrink([]), weight: 0 }
          : decideShrink(
              group.map((r) => ({
                probs: r.probs,
                prior: prior(r),
                label: r.label!,
                fold: train.folds.get(r.studyId)!,
              })),
            );
      const w = forced ? shrinkWeight(forced, kind, f) : decided.weight;
      const allFolds = Object.fromEntries(Object.keys(decided.foldWeights).map((k) => [k, w]));
      out[kind][f] = forced
        ? { ...decided, weight: w, chosen: w === 0 ? decided.model : decided.prior, foldWeights: allFolds }
        : decided;
    }
  }
  return out;
}

/** The metric's family term (weights 1/2/4 by the true class) over labelled rows; null without any. */
function familyLoss(rows: readonly OofRow[]): number | null {
  const labelled = rows.filter((r) => r.label !== null);
  if (!labelled.length) return null;
  return weightedLogLoss(
    labelled.map((r) => ({ probs: r.probs, label: r.label!, weight: SEVERITY_WEIGHTS[r.label!] })),
  );
}
