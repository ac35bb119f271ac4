import { CONDITION_INFO, type Condition } from "../data/schema";
import type { SidePointConfig } from "../config";
import { cropVolume } from "../crop/crop";
import { NORMALIZED_RANGE } from "../crop/normalize";
import { NORMALIZE_PERCENTILES } from "../crop/spec";
import { dot, sub } from "../geometry";
import { familyOf, quantizeCrop, type StoredCrop } from "./crops";
import type { PointLocation } from "./points";
import { goodSource, type SeriesStack } from "./stacks";

/**
 * The families whose points stage 1b refines: foramina on Sagittal T1, recesses on Axial T2, and the
 * canal on Sagittal T2 (the localizer's 4-px heatmap cells leave it ~4 mm off). Spinal comes last so
 * the other families' units keep their seeds.
 */
export const SIDE_FAMILIES = ["foraminal", "subarticular", "spinal"] as const;
export type SideFamily = (typeof SIDE_FAMILIES)[number];

/**
 * Axial windows of right-side points are mirrored left-right, so the network always looks for the
 * recess on the same side of the canal (a window around a recess also shows the other one).
 * Sagittal windows of the two foramina look alike and are not mirrored.
 */
export function mirrorsWindow(condition: Condition): boolean {
  return CONDITION_INFO[condition].family === "subarticular" && CONDITION_INFO[condition].side === "right";
}

/**
 * One side-point training sample: windows of the labelled slice and its neighbours, centred on the
 * labelled point and `jitterMm` wider each side than the network's input, so that training can draw
 * off-centre windows (the projection is off by a few mm at test time) without the DICOM.
 * crop: [2 * slicesEachSide + 1][size][size], the labelled slice in the middle; amplitudes: the
 * target's height per slice (1 on the labelled one, falling with the distance in mm).
 */
export interface SidePointSample {
  readonly studyId: number;
  readonly family: SideFamily;
  readonly crop: StoredCrop;
  readonly amplitudes: readonly number[];
}

/** Pixels of the stored window side: the input plus the jitter margin both sides. */
export function storedWindowPx(cfg: SidePointConfig): number {
  return cfg.inputPx + 2 * Math.ceil(cfg.jitterMm / (cfg.sizeMm / cfg.inputPx));
}

/**
 * One slice's window centred on pixel (x, y), `px` pixels spanning `px * mmPerPx` mm, percentile
 * normalised like every crop, mirrored left-right when asked. Row-major [px][px].
 */
export function sideWindow(
  stack: SeriesStack,
  slice: number,
  x: number,
  y: number,
  px: number,
  mmPerPx: number,
  mirror: boolean,
): Float32Array {
  const out = cropVolume(
    goodSource(stack.pixels),
    { slice, x, y },
    {
      sizeMm: px * mmPerPx,
      outPixels: px,
      slicesEachSide: 0,
      sliceStep: 1,
      padding: "zero",
      normalize: NORMALIZE_PERCENTILES,
    },
  );
  if (mirror) for (let r = 0; r < px; r++) out.subarray(r * px, (r + 1) * px).reverse();
  return out;
}

/**
 * Window coordinates (u, v: input pixels, centres at +0.5, before mirroring back) of a window
 * centred on image pixel (x, y) -> image pixel. The inverse of lib/crop's sampling grid.
 */
export function windowToImage(
  stack: Pick<SeriesStack, "pixels">,
  centre: { x: number; y: number },
  u: number,
  v: number,
  px: number,
  mmPerPx: number,
  mirror: boolean,
): { x: number; y: number } {
  const uu = mirror ? px - u : u;
  return {
    x: centre.x + ((uu - px / 2) * mmPerPx) / stack.pixels.colSpacing,
    y: centre.y + ((v - px / 2) * mmPerPx) / stack.pixels.rowSpacing,
  };
}

/** Signed distance (mm) of slice j's plane from slice i's along the stack normal. */
export function sliceDistanceMm(stack: SeriesStack, i: number, j: number): number {
  const a = stack.planes[i];
  return dot(sub(stack.planes[j].position, a.position), a.normal);
}

/** Training samples of a study's labelled side points (none for a point whose window cannot be cut). */
export function sidePointSamples(
  studyId: number,
  points: readonly PointLocation[],
  cfg: SidePointConfig,
): SidePointSample[] {
  const out: SidePointSample[] = [];
  const size = storedWindowPx(cfg);
  const mmPerPx = cfg.sizeMm / cfg.inputPx;
  for (const p of points) {
    const family = familyOf(p);
    const depth = 2 * cfg.slicesEachSide + 1;
    const data = new Float32Array(depth * size * size);
    const amplitudes: number[] = [];
    try {
      for (let k = 0; k < depth; k++) {
        const s = Math.min(p.stack.planes.length - 1, Math.max(0, p.slice + k - cfg.slicesEachSide));
        data.set(
          sideWindow(p.stack, s, p.x, p.y, size, mmPerPx, mirrorsWindow(p.condition)),
          k * size * size,
        );
        const d = sliceDistanceMm(p.stack, p.slice, s);
        amplitudes.push(Math.exp(-(d * d) / (2 * cfg.sliceSigmaMm ** 2)));
      }
    } catch {
      continue; // no slice of the stack decodes: the study's failures list it already
    }
    const crop = quantizeCrop({ data, depth, size, mmPerPx }, NORMALIZED_RANGE[0], NORMALIZED_RANGE[1]);
    out.push({ studyId, family, crop, amplitudes });
  }
  return out;
}
