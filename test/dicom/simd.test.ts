import { afterAll, describe, expect, it } from "vitest";
import { rescaleToFloat32, type DicomHeader } from "../../lib/dicom";
import { convert16Simd, setSimdEnabled } from "../../lib/dicom/simd";
import { Rng } from "../../lib/util/rng";

function header(bitsStored: number, signed: boolean, slope: number, intercept: number): DicomHeader {
  return {
    bitsAllocated: 16,
    bitsStored,
    pixelRepresentation: signed ? 1 : 0,
    rescaleSlope: slope,
    rescaleIntercept: intercept,
  } as DicomHeader;
}

/** Reference: the plain formula in double precision, rounded once to float32. */
function reference(
  src: Uint16Array | Int16Array,
  bits: number,
  slope: number,
  intercept: number,
): Float32Array {
  const shift = 32 - bits;
  const mask = bits >= 16 ? 0xffff : (1 << bits) - 1;
  return Float32Array.from(
    src,
    (v) => (src instanceof Int16Array ? (v << shift) >> shift : v & mask) * slope + intercept,
  );
}

describe("SIMD 16-bit -> float32 kernels equal the formula", () => {
  afterAll(() => setSimdEnabled(true));
  const rng = new Rng(11);
  // Lengths around the 8-lane blocks and the 64-sample threshold; junk in the unused high bits.
  for (const n of [64, 71, 1000, 512 * 3 + 5]) {
    for (const [bits, signed] of [
      [12, false],
      [16, false],
      [12, true],
      [16, true],
      [10, true],
    ] as const) {
      for (const [slope, intercept] of [
        [1, 0],
        [2, -1024],
        [3, 7],
      ] as const) {
        it(`n=${n} bits=${bits} ${signed ? "signed" : "unsigned"} slope=${slope} intercept=${intercept}`, () => {
          const src = signed
            ? Int16Array.from({ length: n }, () => rng.int(-32768, 32767))
            : Uint16Array.from({ length: n }, () => rng.int(0, 65535));
          const out = new Float32Array(n);
          expect(convert16Simd(src, out, bits, slope, intercept)).toBe(true);
          expect(out).toEqual(reference(src, bits, slope, intercept));
          setSimdEnabled(false);
          const js = rescaleToFloat32(src, header(bits, signed, slope, intercept));
          setSimdEnabled(true);
          expect(js).toEqual(out);
        });
      }
    }
  }
  it("a fractional slope stays within one float32 rounding of the double formula", () => {
    const src = Uint16Array.from({ length: 256 }, (_, i) => i * 97);
    const out = new Float32Array(256);
    convert16Simd(src, out, 16, 0.3333, -12.5);
    src.forEach((v, i) =>
      expect(Math.abs(out[i] - (v * 0.3333 - 12.5))).toBeLessThanOrEqual(
        Math.abs(v * 0.3333) * 2 ** -22 + 1e-6,
      ),
    );
  });
  it("short arrays are left to the JS loop", () => {
    expect(convert16Simd(new Uint16Array(8), new Float32Array(8), 12, 1, 0)).toBe(false);
  });
});
