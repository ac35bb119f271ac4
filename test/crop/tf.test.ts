import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { cropBatchTf, cropVolume, type CropCentre, type CropSpec } from "../../lib/crop";
import type { Volume } from "../../lib/dicom";
import { initBackend } from "../../lib/engine";
import { Rng } from "../../lib/util/rng";

function randomVolume(rng: Rng): Volume {
  const [slices, rows, columns] = [6, 40, 50];
  const data = Float32Array.from({ length: slices * rows * columns }, () => rng.uniform(0, 1000));
  return { data, slices, rows, columns, rowSpacing: 0.7, colSpacing: 0.9 };
}

describe("cropBatchTf (tf.image.cropAndResize) matches cropVolume", () => {
  beforeAll(async () => {
    await initBackend({ backend: "wasm", log: false });
  });
  const centres: CropCentre[] = [
    { slice: 2, x: 25, y: 20 },
    { slice: 0, x: 1.5, y: 3.25 }, // near the corner: in-plane padding and a missing slice
    { slice: 5, x: 48, y: 38 },
  ];
  for (const normalize of [null, { lowPercentile: 2, highPercentile: 98 }]) {
    it(`same values, zero padding, normalize=${normalize ? "on" : "off"}`, () => {
      const vol = randomVolume(new Rng(3));
      const spec: CropSpec = {
        sizeMm: [14, 18],
        outPixels: [12, 16],
        slicesEachSide: 1,
        sliceStep: 1,
        padding: "zero",
        normalize,
      };
      const before = tf.memory().numTensors;
      const t = cropBatchTf(vol, centres, spec);
      expect(t.shape).toEqual([3, 3, 12, 16]);
      const got = t.dataSync();
      t.dispose();
      expect(tf.memory().numTensors).toBe(before); // no leaked intermediates
      centres.forEach((c, i) => {
        const want = cropVolume(vol, c, spec);
        const per = want.length;
        let max = 0;
        for (let k = 0; k < per; k++) max = Math.max(max, Math.abs(got[i * per + k] - want[k]));
        expect(max).toBeLessThan(normalize ? 1e-4 : 0.05);
      });
    });
  }
  it('slicePadding "edge": clamped slices give the same values as cropVolume', () => {
    const vol = randomVolume(new Rng(5));
    const spec: CropSpec = {
      sizeMm: [14, 18],
      outPixels: [12, 16],
      slicesEachSide: 2,
      sliceStep: 1,
      padding: "zero",
      slicePadding: "edge",
      normalize: { lowPercentile: 1, highPercentile: 99 },
    };
    const t = cropBatchTf(vol, centres, spec);
    const got = t.dataSync();
    t.dispose();
    centres.forEach((c, i) => {
      const want = cropVolume(vol, c, spec);
      let max = 0;
      for (let k = 0; k < want.length; k++) max = Math.max(max, Math.abs(got[i * want.length + k] - want[k]));
      expect(max).toBeLessThan(1e-4);
    });
    // centre slice 0 with 2 each side: the first two output slices repeat slice 0 (not zero)
    const first = cropVolume(vol, centres[1], spec);
    const plane = 12 * 16;
    expect(first.subarray(0, plane)).toEqual(first.subarray(2 * plane, 3 * plane));
    expect(first.subarray(0, plane).some((x) => x !== 0)).toBe(true);
  });

  it("refuses edge padding", () => {
    const vol = randomVolume(new Rng(4));
    expect(() =>
      cropBatchTf(vol, centres, {
        sizeMm: 5,
        outPixels: 5,
        slicesEachSide: 0,
        sliceStep: 1,
        padding: "edge",
        normalize: null,
      }),
    ).toThrow(RangeError);
  });
});
