import { describe, expect, it } from "vitest";
import {
  lpsToPixel,
  makePlane,
  pixelToLps,
  planeKind,
  projectToStack,
  sliceNormal,
} from "../../lib/geometry";

// Different row and column spacings so that swapping PixelSpacing's order fails the tests.
const axial = makePlane([10, 20, 30], [1, 0, 0, 0, 1, 0], [0.5, 0.8], 256, 320);
const sagittal = makePlane([-5, -100, 80], [0, 1, 0, 0, 0, -1], [0.7, 0.9], 384, 384);

describe("pixel <-> LPS on hand-computed planes", () => {
  it("axial: x moves along +L by column spacing, y along +P by row spacing", () => {
    expect(pixelToLps(axial, 10, 4)).toEqual([10 + 10 * 0.8, 20 + 4 * 0.5, 30]);
  });
  it("sagittal [0,1,0,0,0,-1]: x moves posterior, y moves inferior", () => {
    const p = pixelToLps(sagittal, 100, 50);
    expect(p[0]).toBeCloseTo(-5, 12);
    expect(p[1]).toBeCloseTo(-100 + 100 * 0.9, 12);
    expect(p[2]).toBeCloseTo(80 - 50 * 0.7, 12);
    expect(sliceNormal([0, 1, 0, 0, 0, -1])).toEqual([-1, 0, 0]);
    expect(planeKind([0, 1, 0, 0, 0, -1])).toBe("sagittal");
  });
  it("inverse recovers (x, y) and the signed distance along the normal", () => {
    const p = pixelToLps(axial, 17.25, 3.5);
    const q = lpsToPixel(axial, [p[0], p[1], p[2] + 4]);
    expect(q.x).toBeCloseTo(17.25, 10);
    expect(q.y).toBeCloseTo(3.5, 10);
    expect(q.distanceMm).toBeCloseTo(4, 10);
  });
  it("laterality: on an axial image patient left (+x LPS) is toward larger column index (image right)", () => {
    const leftPoint = lpsToPixel(axial, [10 + 200, 20, 30]);
    const rightPoint = lpsToPixel(axial, [10 + 20, 20, 30]);
    expect(leftPoint.x).toBeGreaterThan(rightPoint.x);
  });
  it("projectToStack picks the nearest slice and reports the signed distance", () => {
    const planes = [0, 4, 8, 12].map((z) => makePlane([0, 0, z], [1, 0, 0, 0, 1, 0], [1, 1], 10, 10));
    const r = projectToStack({ planes }, [3, 2, 9.5]);
    expect(r).toMatchObject({ slice: 2, x: 3, y: 2, inside: true });
    expect(r.distanceMm).toBeCloseTo(1.5, 12);
    expect(projectToStack({ planes }, [30, 2, 0]).inside).toBe(false);
  });
});
