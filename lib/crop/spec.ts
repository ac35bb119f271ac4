import type { Family } from "../data/schema";

/** How to cut a 2.5D crop. Sizes in mm are physical, so different pixel spacings give the same anatomy. */
export interface CropSpec {
  /** In-plane extent [height, width] in mm (a number: square). */
  sizeMm: number | readonly [number, number];
  /** Output pixels [H, W] (a number: square). */
  outPixels: number | readonly [number, number];
  /** Slices taken on each side of the centre slice: output depth 2*slicesEachSide+1. */
  slicesEachSide: number;
  /** Stack slices between consecutive output slices (1 = adjacent). */
  sliceStep: number;
  /** Outside the image: "zero" writes 0, "edge" repeats the nearest border pixel/slice. */
  padding: "zero" | "edge";
  /**
   * Past the stack's first/last slice, when it should differ from `padding` (default: `padding`):
   * e.g. "edge" repeats the end slice while in-plane samples outside the image stay 0.
   */
  slicePadding?: "zero" | "edge";
  /** Per-crop percentile normalisation (percentileNormalize: these map to 0 and 1, clipped to NORMALIZED_RANGE); null keeps modality values. */
  normalize: { lowPercentile: number; highPercentile: number } | null;
}

/**
 * A family's crop as the training config sets it: a square `sizeMm` and the slices either side
 * (the model's 2.5D channels); the rest of the CropSpec is fixed by lib/study's cropStack.
 */
export type FamilyCrop = Pick<CropSpec, "slicesEachSide"> & { readonly sizeMm: number };

/** Where to centre a crop: stack slice index (rounded to the nearest slice) and pixel (col x, row y), fractional allowed. */
export interface CropCentre {
  slice: number;
  x: number;
  y: number;
}

/** The percentiles every crop and the localizer's slice are normalised by (see percentileNormalize). */
export const NORMALIZE_PERCENTILES = { lowPercentile: 1, highPercentile: 99 } as const;

/**
 * Default crops per condition family (top RSNA 2024 solutions use ~3-5 slices of ~60-80 mm).
 * spinal: Sagittal T2/STIR around the level; foraminal: Sagittal T1 around the left/right
 * foramen slice; subarticular: Axial T2 around the level's slice.
 */
export const FAMILY_CROP_SPECS: Readonly<Record<Family, CropSpec>> = {
  spinal: {
    sizeMm: [64, 80],
    outPixels: [64, 80],
    slicesEachSide: 2,
    sliceStep: 1,
    padding: "zero",
    normalize: NORMALIZE_PERCENTILES,
  },
  foraminal: {
    sizeMm: [64, 64],
    outPixels: [64, 64],
    slicesEachSide: 2,
    sliceStep: 1,
    padding: "zero",
    normalize: NORMALIZE_PERCENTILES,
  },
  subarticular: {
    sizeMm: [80, 80],
    outPixels: [64, 64],
    slicesEachSide: 1,
    sliceStep: 1,
    padding: "zero",
    normalize: NORMALIZE_PERCENTILES,
  },
};

export function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/** Output shape [depth, H, W] of a spec. */
export function cropShape(spec: CropSpec): [number, number, number] {
  const [h, w] = pair(spec.outPixels);
  return [2 * spec.slicesEachSide + 1, h, w];
}
