import type { Rng } from "../util/rng";
import { add, scale, type Vec3 } from "./vec";

/**
 * The acquisition ranges a study's series are drawn from. `small` and `full` are the phantom's
 * fixed protocols (the demo set and its larger twin); `random` widens them towards what real exams
 * have: matrices 320-640 at real spacings, 3-6 mm slices, the spine off-centre and rotated in the
 * image, lordosis from flat to strong.
 */
export interface Protocol {
  readonly sagittal: SeriesRanges & {
    /** Slices drawn from this range, then raised until they cover this many mm left to right. */
    readonly count: readonly [number, number];
    readonly minCoverage: number;
  };
  readonly axial: SeriesRanges;
  /** Lordosis: curvature κ of the lumbar centre line (1/mm). */
  readonly kappa: readonly [number, number];
  /** Largest in-plane rotation (degrees) and off-centre shift (fraction of the FOV); 0: none drawn. */
  readonly rotationDeg: number;
  readonly offCentre: number;
}

interface SeriesRanges {
  readonly matrix: readonly number[];
  readonly fov: readonly [number, number];
  /** Spacing between slices (mm). */
  readonly between: readonly [number, number];
}

const FIXED_SAGITTAL = { fov: [250, 320], between: [3.3, 4.5], count: [15, 20], minCoverage: 0 } as const;
const FIXED_AXIAL = { fov: [160, 210], between: [3.3, 4.5] } as const;
const FIXED_KAPPA = [0.0007, 0.0013] as const;

export const PROTOCOLS = {
  small: {
    sagittal: { ...FIXED_SAGITTAL, matrix: [192, 208, 224, 240] },
    axial: { ...FIXED_AXIAL, matrix: [160, 192, 224] },
    kappa: FIXED_KAPPA,
    rotationDeg: 0,
    offCentre: 0,
  },
  full: {
    sagittal: { ...FIXED_SAGITTAL, matrix: [384, 448, 512] },
    axial: { ...FIXED_AXIAL, matrix: [320, 384, 448, 512] },
    kappa: FIXED_KAPPA,
    rotationDeg: 0,
    offCentre: 0,
  },
  random: {
    // Sagittal in-plane 0.3-1.1 mm; about 50 mm or more left to right, as real exams cover.
    sagittal: {
      matrix: [320, 384, 448, 512, 576, 640],
      fov: [200, 340],
      between: [3, 6],
      count: [11, 20],
      minCoverage: 50,
    },
    // Axial 0.3-0.8 mm; smaller matrices keep a straight stack of thin slices within disk budget.
    axial: { matrix: [320, 384, 448, 512], fov: [150, 260], between: [3, 5.5] },
    kappa: [0.0001, 0.003],
    rotationDeg: 15,
    offCentre: 0.25,
  },
} as const satisfies Record<string, Protocol>;
export type ProtocolName = keyof typeof PROTOCOLS;

/** An in-plane placement: rotation about the slice normal and a shift of the field of view (mm). */
export interface Placement {
  readonly angle: number;
  /** Shift of the image centre along its row and column directions. */
  readonly alongRow: number;
  readonly alongCol: number;
}

export const NO_PLACEMENT: Placement = { angle: 0, alongRow: 0, alongCol: 0 };

/**
 * Draw where the anatomy sits in the field of view: real exams centre the field anterior of the
 * spine, so the spine lies posterior of centre. `posteriorAlongRow`: posterior is the row direction
 * (sagittal) rather than the column direction (axial). Draws nothing for the fixed protocols.
 */
export function drawPlacement(rng: Rng, p: Protocol, fov: number, posteriorAlongRow: boolean): Placement {
  if (p.rotationDeg === 0 && p.offCentre === 0) return NO_PLACEMENT;
  const angle = (rng.uniform(-p.rotationDeg, p.rotationDeg) * Math.PI) / 180;
  // Anterior of the spine by up to offCentre, a little posterior at most; either way across.
  const ap = -rng.uniform(-0.2 * p.offCentre, p.offCentre) * fov;
  const across = rng.uniform(-0.6 * p.offCentre, 0.6 * p.offCentre) * fov;
  return posteriorAlongRow
    ? { angle, alongRow: ap, alongCol: across }
    : { angle, alongRow: across, alongCol: ap };
}

/** Scale a placement's shift (to pull landmarks back into view); the rotation stays. */
export const shrink = (pl: Placement, f: number): Placement => ({
  angle: pl.angle,
  alongRow: pl.alongRow * f,
  alongCol: pl.alongCol * f,
});

/** The slice frame after a placement: row/column directions turned in their plane, centre shifted. */
export function place(
  pl: Placement,
  centre: Vec3,
  rowDir: Vec3,
  colDir: Vec3,
): { centre: Vec3; rowDir: Vec3; colDir: Vec3 } {
  const c = Math.cos(pl.angle);
  const s = Math.sin(pl.angle);
  return {
    centre: add(centre, add(scale(rowDir, pl.alongRow), scale(colDir, pl.alongCol))),
    rowDir: add(scale(rowDir, c), scale(colDir, s)),
    colDir: add(scale(colDir, c), scale(rowDir, -s)),
  };
}
