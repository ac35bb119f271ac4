import { FAMILIES, type Family } from "../data/schema";
import type { RefineGate, RefineThresholds } from "./refine-gate";

/** The families whose point can also be placed from the refined canal point instead of the level. */
export const SIDE_POINT_FAMILIES = ["foraminal", "subarticular"] as const;
export type SidePointFamily = (typeof SIDE_POINT_FAMILIES)[number];

/**
 * What a row was made from, worst first where several apply: its series is missing (the row comes
 * from the cross-family model or the prior); the slice its crop needs could not be read (its
 * neighbour's pixels were used, or the point lies off every slice); the localizer read a substituted
 * slice or the Sagittal T1 series; or its own series, slice and levels.
 */
export const INPUT_KINDS = [
  "own",
  "substituted-levels",
  "levels-from-sagittal-t1",
  "substituted-slice",
  "missing-series",
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** The input kinds whose rows come from a crop (the others have none to predict from). */
export type CropInputKind = Exclude<InputKind, "missing-series">;

/** The worse of two input kinds (INPUT_KINDS order). */
export function worseInput(a: InputKind, b: InputKind): InputKind {
  return INPUT_KINDS.indexOf(a) >= INPUT_KINDS.indexOf(b) ? a : b;
}

/**
 * Which optional parts run, decided out of fold on the data a kernel was given (lib/kernel), saved in
 * the weights folder so `lumbar predict` does the same.
 */
export interface Gates {
  /** Level decoding with the chain prior (else each level's own peak). */
  readonly levelChain: boolean;
  /** Stage 1b per family (spinal: the canal net), with the thresholds its answers must meet. */
  readonly refine: Readonly<Record<Family, RefineGate>>;
  /** Foramina and recesses placed from the refined canal points (else from the levels). */
  readonly canalFirst: Readonly<Record<SidePointFamily, boolean>>;
  /** Mirror test-time augmentation per family. */
  readonly tta: Readonly<Record<Family, boolean>>;
  /** Rows a missing series leaves come from the study's other families (else the prior). */
  readonly crossFamily: Readonly<Record<SidePointFamily, boolean>>;
  /**
   * Per input kind and family, how far a crop row's probabilities move toward the prior (0: not at
   * all, 1: the prior). A kind without an entry has had no out-of-fold evidence: its rows get the prior.
   */
  readonly shrink: Readonly<Partial<Record<CropInputKind, Readonly<Record<Family, number>>>>>;
}

/**
 * How a kernel run decides its gates: "auto" (each part where it beats the simple baseline out of
 * fold), "all-on" (every part, as before the gates: for ablations) or "baseline" (no optional part).
 */
export const GATE_MODES = ["auto", "all-on", "baseline"] as const;
export type GateMode = (typeof GATE_MODES)[number];

const perFamily = <T>(v: T) => Object.fromEntries(FAMILIES.map((f) => [f, v])) as Record<Family, T>;

/**
 * What a weights folder from before the gates did: every part on, stage 1b with the config's
 * thresholds, rows from degraded inputs used as they are.
 */
export function legacyGates(refine: RefineThresholds, tta: boolean): Gates {
  return {
    levelChain: true,
    refine: perFamily({ on: true, ...refine }),
    canalFirst: { foraminal: true, subarticular: true },
    tta: perFamily(tta),
    crossFamily: { foraminal: true, subarticular: true },
    shrink: Object.fromEntries(
      INPUT_KINDS.filter((k): k is CropInputKind => k !== "missing-series").map((k) => [k, perFamily(0)]),
    ),
  };
}

/** No optional part: levels from each channel's peak, points at their projection, no TTA or cross-family model, rows as they are. */
export function baselineGates(): Gates {
  const legacy = legacyGates({ minPeak: 1, maxShiftMm: 0 }, false);
  return {
    ...legacy,
    levelChain: false,
    refine: perFamily({ on: false, minPeak: 1, maxShiftMm: 0 }),
    canalFirst: { foraminal: false, subarticular: false },
    crossFamily: { foraminal: false, subarticular: false },
  };
}

/** The gates a mode imposes whatever the evidence; null for "auto". */
export function forcedGates(mode: GateMode, refine: RefineThresholds, tta: boolean): Gates | null {
  if (mode === "all-on") return legacyGates(refine, tta);
  if (mode === "baseline") return baselineGates();
  return null;
}

/** The weight a crop row of this kind and family moves toward the prior (1 without evidence). */
export function shrinkWeight(gates: Gates, kind: CropInputKind, family: Family): number {
  return gates.shrink[kind]?.[family] ?? 1;
}

/** One line for a run's summary: which parts are on. */
export function describeGates(g: Gates): string {
  const onOff = (v: boolean) => (v ? "on" : "off");
  const fams = (r: Readonly<Record<string, boolean>>) =>
    Object.entries(r)
      .map(([f, v]) => `${f} ${onOff(v)}`)
      .join(", ");
  const refine = FAMILIES.map((f) =>
    g.refine[f].on
      ? `${f} on (peak >= ${g.refine[f].minPeak}, move <= ${g.refine[f].maxShiftMm} mm)`
      : `${f} off`,
  ).join(", ");
  const shrunk = Object.entries(g.shrink)
    .flatMap(([k, w]) =>
      Object.entries(w ?? {})
        .filter(([, v]) => v > 0)
        .map(([f, v]) => `${k} ${f} ${v}`),
    )
    .join(", ");
  return (
    `level chain ${onOff(g.levelChain)}; stage 1b ${refine}; canal-first ${fams(g.canalFirst)}; ` +
    `tta ${fams(g.tta)}; cross-family ${fams(g.crossFamily)}; toward the prior: ${shrunk || "none"}`
  );
}
