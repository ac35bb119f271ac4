import type { Rng } from "../util/rng";
import type { CropView } from "../study/view";

/** A random view within the configured augmentation ranges. */
export function randomView(
  rng: Rng,
  a: { shiftMm: number; sliceShift: number; scale: number; rotateDeg: number; intensity: number },
  mirrorKind: "x" | "slices",
): CropView {
  return {
    dxMm: rng.normal(0, a.shiftMm),
    dyMm: rng.normal(0, a.shiftMm),
    rotateRad: (rng.uniform(-a.rotateDeg, a.rotateDeg) * Math.PI) / 180,
    scale: 1 + rng.uniform(-a.scale, a.scale),
    sliceShift: rng.int(-a.sliceShift, a.sliceShift),
    mirror: rng.bool() ? mirrorKind : "none",
    gain: 1 + rng.uniform(-a.intensity, a.intensity),
    bias: rng.uniform(-a.intensity, a.intensity) * 0.5,
  };
}
