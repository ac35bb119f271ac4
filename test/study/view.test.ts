import { describe, expect, it } from "vitest";
import {
  IDENTITY_VIEW,
  quantizeCrop,
  renderCrop,
  squareFrame,
  toFrame,
  fromFrame,
  sampleFrame,
  type StoredCrop,
} from "../../lib/study";

/** A stored crop with one bright pixel at (x, y) of slice z, everything else 0. */
function marker(size: number, depth: number, x: number, y: number, z: number): StoredCrop {
  const data = new Float32Array(depth * size * size);
  data[(z * size + y) * size + x] = 1;
  return { data, depth, size, mmPerPx: 1 };
}

function argmax(a: Float32Array, stride: number, channel: number): number {
  let best = -1;
  let at = -1;
  for (let i = channel; i < a.length; i += stride)
    if (a[i] > best) [best, at] = [a[i], (i - channel) / stride];
  return at;
}

describe("renderCrop", () => {
  it("keeps a marker at the stored crop's centre at the output centre", () => {
    // size 10, pixel 5 has centre at +0.5 mm from the crop centre: output 4x4 over 8 mm (2 mm/px) puts it in pixel 2.
    const crop = marker(10, 3, 5, 5, 1);
    const out = new Float32Array(4 * 4 * 1);
    renderCrop(crop, IDENTITY_VIEW, 4, 1, 8, out, 0);
    const i = argmax(out, 1, 0);
    expect([i % 4, Math.floor(i / 4)]).toEqual([2, 2]);
  });
  it("shifts by dx in mm, mirrors columns and reverses slices", () => {
    const crop = marker(20, 3, 14, 10, 0); // 4.5 mm right of centre, slice 0
    const out = new Float32Array(20 * 20 * 3);
    renderCrop(crop, IDENTITY_VIEW, 20, 3, 20, out, 0);
    let i = argmax(out, 3, 0);
    expect([i % 20, Math.floor(i / 20)]).toEqual([14, 10]);
    renderCrop(crop, { ...IDENTITY_VIEW, dxMm: 4 }, 20, 3, 20, out, 0); // view moves right: marker appears 4 px left
    i = argmax(out, 3, 0);
    expect(i % 20).toBe(10);
    renderCrop(crop, { ...IDENTITY_VIEW, mirror: "x" }, 20, 3, 20, out, 0);
    i = argmax(out, 3, 0);
    expect(i % 20).toBe(5); // 14 mirrored about 9.5
    renderCrop(crop, { ...IDENTITY_VIEW, mirror: "slices" }, 20, 3, 20, out, 0);
    expect(Math.max(...Array.from(out).filter((_, k) => k % 3 === 0))).toBe(0);
    expect(Math.max(...Array.from(out).filter((_, k) => k % 3 === 2))).toBeCloseTo(1, 5);
  });
  it("slice shift selects the neighbouring stored slice", () => {
    const crop = marker(10, 5, 5, 5, 3);
    const out = new Float32Array(10 * 10 * 1);
    renderCrop(crop, IDENTITY_VIEW, 10, 1, 10, out, 0);
    expect(Math.max(...out)).toBe(0); // centre slice is 2
    renderCrop(crop, { ...IDENTITY_VIEW, sliceShift: 1 }, 10, 1, 10, out, 0);
    expect(Math.max(...out)).toBeCloseTo(1, 5);
  });
});

describe("quantizeCrop", () => {
  it("stores bytes and renders the same values within half a step", () => {
    const data = new Float32Array(3 * 8 * 8).map((_, i) => Math.sin(i) * 0.9 + 0.4);
    const crop: StoredCrop = { data, depth: 3, size: 8, mmPerPx: 1 };
    const q = quantizeCrop(crop, -0.5, 1.5);
    expect(q.data).toBeInstanceOf(Uint8Array);
    const a = new Float32Array(6 * 6 * 3);
    const b = new Float32Array(6 * 6 * 3);
    const view = { ...IDENTITY_VIEW, rotateRad: 0.3, gain: 1.2, bias: 0.1 };
    renderCrop(crop, view, 6, 3, 6, a, 0);
    renderCrop(q, view, 6, 3, 6, b, 0);
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan((1.2 * 2) / 255 / 2 + 1e-6));
  });
});

describe("square frame", () => {
  it("letterboxes a wide image and maps points both ways", () => {
    const f = squareFrame(100, 200, 50); // 4 source px per output px
    expect(toFrame(f, 100, 50)).toEqual([25, 25]);
    expect(fromFrame(f, ...toFrame(f, 37, 81))).toEqual([37, 81]);
    const src = new Float32Array(100 * 200);
    // a bright 9x9 block centred on pixel (100, 50) = continuous (100.5, 50.5) -> output (25.1, 25.1)
    for (let y = 46; y <= 54; y++) for (let x = 96; x <= 104; x++) src[y * 200 + x] = 1;
    const out = new Float32Array(50 * 50);
    sampleFrame(src, 100, 200, f, out);
    expect(out[25 * 50 + 25]).toBeCloseTo(1, 5);
    expect(out[25 * 50 + 27]).toBe(0);
    expect(out[10 * 50 + 25]).toBe(0); // letterbox band above the image
  });
});
