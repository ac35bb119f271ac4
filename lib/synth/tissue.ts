/** Tissue classes of the phantom and their relative signal on each sequence. */

export enum Tissue {
  Air = 0,
  Fat,
  Muscle,
  Marrow,
  Cortex,
  Annulus,
  Csf,
  Nerve,
  EpiduralFat,
  Ligament,
  /** Disc, osteophyte and facet tissue that fills a narrowed foramen. */
  Stenosis,
  Vessel,
  Bowel,
  JointFluid,
  VenousPlexus,
  /** Nucleus pulposus of disc k (k = 0 for T11/T12 ... 6 for L5/S1): signal depends on degeneration. */
  Nucleus0,
}

export type Sequence = "T1" | "T2" | "STIR";

/** Relative signal per tissue (index = Tissue), before texture, coil bias and noise. */
const BASE: Record<Sequence, readonly number[]> = {
  //      air  fat   mus   marr  cort  ann   csf   nerve epif  lig   sten  vess  bowel jfl   venous
  T2: [0.0, 0.7, 0.22, 0.42, 0.05, 0.12, 1.0, 0.36, 0.66, 0.07, 0.14, 0.04, 0.45, 0.8, 0.5],
  T1: [0.0, 0.95, 0.36, 0.7, 0.05, 0.3, 0.16, 0.4, 0.9, 0.1, 0.22, 0.08, 0.45, 0.2, 0.42],
  STIR: [0.0, 0.1, 0.25, 0.18, 0.04, 0.14, 1.0, 0.4, 0.12, 0.07, 0.16, 0.04, 0.5, 0.85, 0.55],
};

/** Lookup table for one sequence; nucleus signal falls with each disc's degeneration in [0, 1]. */
export function signalTable(seq: Sequence, degeneration: readonly number[]): Float32Array {
  const base = BASE[seq];
  const lut = new Float32Array(Tissue.Nucleus0 + degeneration.length);
  lut.set(base);
  degeneration.forEach((d, k) => {
    lut[Tissue.Nucleus0 + k] = seq === "T1" ? 0.34 : 0.9 - 0.65 * d;
  });
  return lut;
}

/** Tissues that get the slow texture (marrow heterogeneity, bowel content, muscle striation). */
export const TEXTURE_AMPLITUDE: Readonly<Partial<Record<Tissue, number>>> = {
  [Tissue.Marrow]: 0.18,
  [Tissue.Bowel]: 0.8,
  [Tissue.Muscle]: 0.12,
  [Tissue.Fat]: 0.05,
};
