import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeDicom, encodeDicom, invertMonochrome1, loadSeries, readDicomSync } from "../../lib/dicom";

describe("dcmjs-written files (the synthetic generator's format) read back exactly", () => {
  it("signed 16-bit with rescale: stored values and float32 modality values", () => {
    const pixels = Int16Array.from({ length: 12 }, (_, i) => i * 100 - 500);
    const img = decodeDicom(
      encodeDicom({
        rows: 4,
        columns: 3,
        pixels,
        rescaleSlope: 2,
        rescaleIntercept: -10,
        pixelSpacing: [0.5, 0.75],
      }),
    );
    expect(Array.from(img.storedFrame())).toEqual(Array.from(pixels));
    expect(Array.from(img.frame())).toEqual(Array.from(pixels, (v) => v * 2 - 10));
    expect(img.header.pixelSpacing).toEqual([0.5, 0.75]);
    expect(img.header.pixelRepresentation).toBe(1);
  });

  it("unsigned BitsStored 12: junk in the unused high bits is masked", () => {
    const pixels = Uint16Array.from([0x0fff, 0xf001, 0x1234, 0x0000]);
    const img = decodeDicom(encodeDicom({ rows: 2, columns: 2, pixels, bitsStored: 12 }));
    expect(Array.from(img.storedFrame())).toEqual([0x0fff, 0x0001, 0x0234, 0]);
    expect(Array.from(img.frame())).toEqual([4095, 1, 0x234, 0]);
  });

  it("signed BitsStored 12: sign-extended from bit 11", () => {
    const pixels = Int16Array.from([0x0fff, 0x0800, 0x07ff, 0x0001]);
    const img = decodeDicom(encodeDicom({ rows: 2, columns: 2, pixels, bitsStored: 12 }));
    expect(Array.from(img.storedFrame())).toEqual([-1, -2048, 2047, 1]);
    expect(Array.from(img.frame())).toEqual([-1, -2048, 2047, 1]);
  });

  it("pixel data at an odd byte offset is copied, not misread", () => {
    const bytes = encodeDicom({ rows: 2, columns: 2, pixels: Uint16Array.from([1, 2, 300, 40000]) });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(Array.from(decodeDicom(shifted.subarray(1)).frame())).toEqual([1, 2, 300, 40000]);
  });

  it("MONOCHROME1 inversion is a separate step over the stored range", () => {
    const img = decodeDicom(
      encodeDicom({ rows: 1, columns: 2, pixels: Uint16Array.from([0, 4095]), bitsStored: 12 }),
    );
    expect(Array.from(invertMonochrome1(img.frame(), img.header))).toEqual([4095, 0]);
  });
});

describe("series quirks on written folders", () => {
  function writeSeries(specs: Parameters<typeof encodeDicom>[0][]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lumbar-series-"));
    specs.forEach((s, i) => fs.writeFileSync(path.join(dir, `f${String(9 - i)}.dcm`), encodeDicom(s)));
    fs.writeFileSync(path.join(dir, "notes.txt"), "not dicom");
    return dir;
  }
  const sag = [0, 1, 0, 0, 0, -1] as [number, number, number, number, number, number];

  it("sorts by position along the normal (not file name or InstanceNumber), resamples odd sizes, skips non-DICOM", () => {
    const xs = [10, -10, 0, 5];
    const dir = writeSeries(
      xs.map((x, i) => ({
        rows: i === 3 ? 8 : 4,
        columns: i === 3 ? 8 : 4,
        pixels: new Uint16Array(i === 3 ? 64 : 16).fill(100 + i),
        imagePositionPatient: [x, 0, 0],
        imageOrientationPatient: sag,
        pixelSpacing: i === 3 ? [0.5, 0.5] : [1, 1],
        instanceNumber: i + 1,
      })),
    );
    const s = loadSeries(dir);
    expect(s.stacks).toHaveLength(1);
    const st = s.stacks[0];
    // normal of [0,1,0,0,0,-1] is -x: ascending position = descending x.
    expect(st.slices.map((x) => x.instanceNumber)).toEqual([1, 4, 3, 2]);
    expect([st.rows, st.columns]).toEqual([4, 4]);
    expect(s.warnings.some((w) => w.includes("mixed sizes"))).toBe(true);
    expect(s.warnings.some((w) => w.includes("notes.txt"))).toBe(true);
    expect(s.instances.get(4)).toEqual({ stack: 0, slice: 1 });
    const resampled = readDicomSync(st.slices[1].file);
    expect(resampled.rows).toBe(8);
    expect(st.readSliceSync(1)).toEqual(new Float32Array(16).fill(103));
  });

  it("without geometry tags falls back to InstanceNumber order and says so", () => {
    const dir = writeSeries(
      [3, 1, 2].map((n) => ({ rows: 2, columns: 2, pixels: new Uint16Array(4).fill(n), instanceNumber: n })),
    );
    const s = loadSeries(dir);
    expect(s.stacks[0].slices.map((x) => x.instanceNumber)).toEqual([1, 2, 3]);
    expect(s.warnings.some((w) => w.includes("without ImageOrientation"))).toBe(true);
  });

  it("a folder with no DICOM image is a typed error", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lumbar-empty-"));
    fs.writeFileSync(path.join(dir, "x.txt"), "hello");
    expect(() => loadSeries(dir)).toThrow(
      expect.objectContaining({ name: "DicomError", code: "NO_PIXEL_DATA" }),
    );
  });
});
