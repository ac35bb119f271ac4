import type { Rng } from "../util/rng";
import type { Anatomy } from "./anatomy";

/**
 * The anatomy real exams vary in and the fixed phantom does not draw (issue 19 item 2): concave
 * endplates, the sacrum's slope and taper, marrow heterogeneity with fat islands and Modic bands,
 * disc signal loose from degeneration, posterior bulges and vacuum clefts, the cauda equina's roots
 * and the psoas' size. Drawn per study for the random appearance only, from a fork of its own, so
 * the fixed phantom draws nothing new and keeps its bytes. Nothing here moves a label's narrowing.
 */
export interface AnatomyVariation {
  /**
   * Depth (mm) of the concave endplates facing each disc (index = disc; both endplates the same,
   * so the disc stays centred on its arc position): the bodies are this much shorter at their
   * centre than at their rim, the discs this much taller (biconvex).
   */
  readonly concavity: readonly number[];
  /**
   * Sacral tilt (radians, −3° to 18°) about the posterior wall of the S1 body (a = ra, s = 0):
   * everything below the plane s cos θ = (a − ra) sin θ turns with the sacrum. Positive: the S1
   * endplate faces more anteriorly, the L5/S1 disc becomes a lordotic wedge (taller in front, its
   * back as high as before) and the sacral slope grows.
   */
  readonly sacralTilt: number;
  /** Length (mm) over which the sacral body's depth would fall to nothing (it stops at 35%). */
  readonly sacralTaper: number;
  /** Arc positions (mm, negative) of the vestigial sacral discs below S1. */
  readonly sacralDiscs: readonly number[];
  /** Per disc in [0, 1]: how dark its nucleus is drawn (what the signal tables read), not its label. */
  readonly nucleusDarkening: readonly number[];
  /** Per disc: the annulus' extra posterior bulge (mm) at mid-height on the midline. */
  readonly posteriorBulge: readonly number[];
  /** Per disc: a vacuum cleft (gas, no signal) at this arc offset from the disc centre, or null. */
  readonly cleft: readonly (number | null)[];
  /** Marrow heterogeneity: relative amplitude, spatial frequency (1/mm), and one level per body. */
  readonly marrow: {
    readonly amplitude: number;
    readonly frequency: number;
    readonly level: readonly number[];
  };
  readonly lesions: readonly MarrowLesion[];
  /** Cauda equina roots below the conus: sac-normalised position (x / half width, (a − centre) / half depth), radius mm. */
  readonly roots: readonly { readonly u: number; readonly v: number; readonly r: number }[];
  /** Psoas cross-section scale. */
  readonly psoas: number;
}

/**
 * A focal marrow lesion in a vertebral body: a fat island (ellipsoid) or a Modic band along an
 * endplate. `fat`: fat signal (Modic 2, islands); otherwise oedema, fluid-like (Modic 1).
 */
export type MarrowLesion =
  | {
      readonly kind: "island";
      readonly vertebra: number;
      readonly centre: readonly [number, number, number];
      readonly radius: number;
    }
  | {
      readonly kind: "band";
      readonly vertebra: number;
      /** Which endplate: the inferior (facing disc `vertebra`) or the superior one. */
      readonly endplate: "inferior" | "superior";
      readonly depth: number;
      readonly fat: boolean;
    };

const rad = (deg: number) => (deg * Math.PI) / 180;
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** Draw a study's variation of `an` (see AnatomyVariation for what each part means). */
export function drawVariation(rng: Rng, an: Anatomy): AnatomyVariation {
  const discs = an.discs;
  const concavity = discs.map(() => rng.uniform(1, 3));
  // Real sacral slopes are 30-50° to the horizontal, the L5/S1 segment carrying 10-25° of lordosis;
  // the lordosis gives the S1 endplate atan(190 κ) already (the curve's slope there,
  // lib/synth/curve.ts), the tilt a wedge of its own, now and then a slightly kyphotic one.
  const sacralTilt = rad(rng.uniform(-3, 18));
  const s1 = rng.uniform(24, 32);
  const sacralDiscs = [-s1, -s1 - rng.uniform(18, 24)];
  const nucleusDarkening = discs.map((d) =>
    // Mostly the degeneration, blurred; now and then a dark disc that is not narrowed, or the reverse.
    rng.bool(0.12) ? rng.uniform(0.6, 1) : clamp(d.degeneration + rng.normal(0, 0.2), 0, 1),
  );
  const bulgeGain = rng.uniform(0.5, 2);
  const posteriorBulge = discs.map((d) => bulgeGain * d.degeneration * rng.uniform(0.6, 1.2));
  const cleft = discs.map((d) =>
    d.degeneration > 0.45 && rng.bool(0.35) ? rng.normal(0, 0.12) * d.height : null,
  );
  const marrow = {
    amplitude: rng.uniform(0.05, 0.35),
    frequency: rng.uniform(0.12, 0.5),
    level: an.vertebrae.map(() => Math.exp(rng.normal(0, 0.08))),
  };
  return {
    concavity,
    sacralTilt,
    sacralTaper: rng.uniform(120, 220),
    sacralDiscs,
    nucleusDarkening,
    posteriorBulge,
    cleft,
    marrow,
    lesions: drawLesions(rng, an),
    roots: drawRoots(rng),
    psoas: rng.uniform(0.7, 1.3),
  };
}

/** A few fat islands anywhere in the bodies; Modic bands by the degenerate discs. */
function drawLesions(rng: Rng, an: Anatomy): MarrowLesion[] {
  const lesions: MarrowLesion[] = [];
  const islands = rng.int(0, 4);
  for (let k = 0; k < islands; k++) {
    const vertebra = rng.int(0, an.vertebrae.length - 1);
    const [s0, s1] = an.vertebrae[vertebra];
    lesions.push({
      kind: "island",
      vertebra,
      centre: [rng.uniform(-0.5, 0.5) * an.rx, rng.uniform(-0.5, 0.5) * an.ra, rng.uniform(s0 + 5, s1 - 5)],
      radius: rng.uniform(1.5, 5),
    });
  }
  // A band on either endplate of a degenerate disc: disc k faces body k's inferior endplate and body k-1's superior one.
  an.discs.forEach((d, k) => {
    if (!rng.bool(0.5 * d.degeneration ** 2)) return;
    const fat = rng.bool(0.7);
    const depth = rng.uniform(2, 7);
    if (k < an.vertebrae.length)
      lesions.push({ kind: "band", vertebra: k, endplate: "inferior", depth, fat });
    if (k > 0 && rng.bool(0.7))
      lesions.push({ kind: "band", vertebra: k - 1, endplate: "superior", depth, fat });
  });
  return lesions;
}

/** Cauda equina: 6-14 roots, most of them layered dorsally in the sac (supine), some spread. */
function drawRoots(rng: Rng): AnatomyVariation["roots"] {
  const n = rng.int(6, 14);
  const dorsal = rng.uniform(0.5, 0.9);
  return Array.from({ length: n }, () =>
    rng.bool(dorsal)
      ? { u: rng.uniform(-0.6, 0.6), v: rng.uniform(0.2, 0.7), r: rng.uniform(0.45, 0.8) }
      : { u: rng.uniform(-0.7, 0.7), v: rng.uniform(-0.6, 0.6), r: rng.uniform(0.4, 0.7) },
  );
}
