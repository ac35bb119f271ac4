import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cropShape, cropTargets, FAMILY_CROP_SPECS, type CropSpec } from "../../lib/crop";
import { encodeDicom, loadSeries } from "../../lib/dicom";
import { pixelToLps, projectToStack } from "../../lib/geometry";

const SIZE = 64;

/** A sagittal series of 9 slices (x = -8..8 mm) with one bright voxel, files named out of order. */
function writeSagittal(marker: { instance: number; x: number; y: number }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lumbar-crop-"));
  for (let i = 1; i <= 9; i++) {
    const pixels = new Uint16Array(SIZE * SIZE).fill(100);
    if (i === marker.instance) pixels[marker.y * SIZE + marker.x] = 4000;
    const bytes = encodeDicom({
      rows: SIZE,
      columns: SIZE,
      pixels,
      instanceNumber: i,
      imagePositionPatient: [10 - 2 * i, -30, 40],
      imageOrientationPatient: [0, 1, 0, 0, 0, -1],
      pixelSpacing: [0.8, 0.8],
    });
    fs.writeFileSync(path.join(dir, `z${(i * 7) % 9}.dcm`), bytes);
  }
  return dir;
}

describe("cropTargets: study folder -> crops", () => {
  it("the labelled point (instance, x, y) is the centre of its crop; only needed slices are decoded", async () => {
    const dir = writeSagittal({ instance: 4, x: 30, y: 21 });
    const spec: CropSpec = {
      sizeMm: 16,
      outPixels: 21,
      slicesEachSide: 1,
      sliceStep: 1,
      padding: "zero",
      normalize: null,
    };
    const r = await cropTargets(
      [{ key: "k", seriesDir: dir, instanceNumber: 4, x: 30, y: 21, family: "spinal" }],
      {
        ...FAMILY_CROP_SPECS,
        spinal: spec,
      },
    );
    const crop = r.crops.get("k")!;
    expect(crop.length).toBe(3 * 21 * 21);
    let best = 0;
    for (let i = 1; i < crop.length; i++) if (crop[i] > crop[best]) best = i;
    expect(best).toBe(21 * 21 + 10 * 21 + 10);
    expect(crop[best]).toBe(4000);
    expect(r.decodedSlices).toBe(3);
  });

  it("unknown instance numbers are skipped with a warning", async () => {
    const dir = writeSagittal({ instance: 2, x: 5, y: 5 });
    const r = await cropTargets([
      { key: "gone", seriesDir: dir, instanceNumber: 99, x: 1, y: 1, family: "foraminal" },
    ]);
    expect(r.crops.size).toBe(0);
    expect(r.warnings.join()).toContain("instance 99");
  });

  it("default family specs give normalised crops of their declared shape", async () => {
    const dir = writeSagittal({ instance: 5, x: 32, y: 32 });
    const r = await cropTargets([
      { key: "f", seriesDir: dir, instanceNumber: 5, x: 32, y: 32, family: "foraminal" },
    ]);
    const c = r.crops.get("f")!;
    expect(c.length).toBe(cropShape(FAMILY_CROP_SPECS.foraminal).reduce((a, b) => a * b, 1));
    expect(Math.max(...c)).toBeLessThanOrEqual(1);
    expect(Math.min(...c)).toBeGreaterThanOrEqual(0);
  });

  it("a point from another plane finds the marker slice by projection", () => {
    const dir = writeSagittal({ instance: 6, x: 10, y: 10 });
    const st = loadSeries(dir).stacks[0];
    const marker = st.slices[st.sliceOfInstance(6)];
    const p = pixelToLps(marker.plane, 10, 10);
    const hit = projectToStack(st, [p[0] + 0.7, p[1], p[2]]);
    expect(st.slices[hit.slice].instanceNumber).toBe(6);
    expect(hit.x).toBeCloseTo(10, 9);
    expect(hit.y).toBeCloseTo(10, 9);
    expect(Math.abs(hit.distanceMm)).toBeCloseTo(0.7, 9);
  });
});
