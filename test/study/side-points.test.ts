import { describe, expect, it } from "vitest";
import { makePlane, pixelToLps } from "../../lib/geometry";
import { decodePeak } from "../../lib/models";
import { mirrorsWindow, windowToImage } from "../../lib/study";

/** Heatmap peak -> window pixel -> image pixel -> LPS mm, checked against the geometry by hand. */
describe("side-point decoding", () => {
  it("finds the peak cell and refines it by the 3x3 centroid", () => {
    const size = 8;
    const logits = new Float32Array(size * size).fill(-20);
    logits[3 * size + 5] = 4; // cell (x 5, y 3)
    const one = decodePeak(logits, size);
    expect(one.x).toBeCloseTo(5.5, 6);
    expect(one.y).toBeCloseTo(3.5, 6);
    expect(one.peak).toBeCloseTo(1 / (1 + Math.exp(-4)), 6);
    logits[3 * size + 6] = 4; // two equal cells: the centroid sits between them
    expect(decodePeak(logits, size).x).toBeCloseTo(6, 6);
  });

  it("maps window pixels to image pixels and patient mm (a sagittal slice, 0.8 x 0.6 mm pixels)", () => {
    // Window of 64 px over 64 mm centred on image pixel (100, 120); the peak at window (40, 20).
    const stack = { pixels: { colSpacing: 0.6, rowSpacing: 0.8 } } as Parameters<typeof windowToImage>[0];
    const at = windowToImage(stack, { x: 100, y: 120 }, 40, 20, 64, 1, false);
    // 8 mm right of centre = 8 / 0.6 columns; 12 mm above = 12 / 0.8 rows.
    expect(at.x).toBeCloseTo(100 + 8 / 0.6, 9);
    expect(at.y).toBeCloseTo(120 - 12 / 0.8, 9);
    // The window's centre is the projection itself.
    expect(windowToImage(stack, { x: 100, y: 120 }, 32, 32, 64, 1, false)).toEqual({ x: 100, y: 120 });
    // Sagittal plane at x = 12 mm: columns run to patient posterior (+y), rows to inferior (-z).
    const plane = makePlane([12, -50, 80], [0, 1, 0, 0, 0, -1], [0.8, 0.6], 256, 256);
    const lps = pixelToLps(plane, at.x, at.y);
    expect(lps[0]).toBeCloseTo(12, 9);
    expect(lps[1]).toBeCloseTo(-50 + (100 + 8 / 0.6) * 0.6, 9);
    expect(lps[2]).toBeCloseTo(80 - (120 - 12 / 0.8) * 0.8, 9);
  });

  it("mirrors right-side axial windows back: window x u reads image x centre - (u - P/2)", () => {
    const stack = { pixels: { colSpacing: 0.5, rowSpacing: 0.5 } } as Parameters<typeof windowToImage>[0];
    const plain = windowToImage(stack, { x: 200, y: 200 }, 40, 32, 64, 1, false);
    const mirrored = windowToImage(stack, { x: 200, y: 200 }, 24, 32, 64, 1, true);
    expect(mirrored).toEqual(plain);
    expect(mirrorsWindow("right_subarticular_stenosis")).toBe(true);
    expect(mirrorsWindow("left_subarticular_stenosis")).toBe(false);
    expect(mirrorsWindow("right_neural_foraminal_narrowing")).toBe(false);
    expect(mirrorsWindow("spinal_canal_stenosis")).toBe(false);
  });
});
