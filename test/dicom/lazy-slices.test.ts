import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DicomError, encodeDicom, loadSeries } from "../../lib/dicom";

const N = 16;

/** Stored value of pixel p of instance i: 100 * i + p (12-bit unsigned). */
const value = (instance: number, p: number) => 100 * instance + p;

/**
 * A sagittal series of 4 files, 16x16, instance i at x = 2i mm: along the normal (-1, 0, 0) the
 * stack order is instance 4, 3, 2, 1. Options: truncate one file's pixel data, make files
 * MONOCHROME1, drop one file's geometry.
 */
function writeSeries(opts: { truncate?: number; monochrome1?: boolean; noGeometry?: number } = {}): {
  dir: string;
  file: (instance: number) => string;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lumbar-lazy-"));
  const file = (i: number) => path.join(dir, `${i}.dcm`);
  for (let i = 1; i <= 4; i++) {
    const pixels = new Uint16Array(N * N).map((_, p) => value(i, p));
    const geometry =
      opts.noGeometry === i
        ? {}
        : {
            imagePositionPatient: [2 * i, -20, 30] as [number, number, number],
            imageOrientationPatient: [0, 1, 0, 0, 0, -1] as [number, number, number, number, number, number],
            pixelSpacing: [0.5, 0.5] as [number, number],
          };
    const bytes = Buffer.from(
      encodeDicom({ rows: N, columns: N, pixels, bitsStored: 12, instanceNumber: i, ...geometry }),
    );
    if (opts.monochrome1) {
      const at = bytes.indexOf("MONOCHROME2");
      expect(at).toBeGreaterThan(0);
      bytes.write("MONOCHROME1", at, "latin1");
    }
    fs.writeFileSync(file(i), bytes);
  }
  if (opts.truncate) {
    // Cut 200 of the 512 pixel-data bytes: the header still parses, the pixels cannot.
    fs.truncateSync(file(opts.truncate), fs.statSync(file(opts.truncate)).size - 200);
  }
  return { dir, file };
}

describe("LazySlices: a file that fails to decode", () => {
  it("header scan keeps the truncated file; decoding it throws by default, and is retried", async () => {
    const { dir } = writeSeries({ truncate: 2 });
    const series = loadSeries(dir);
    expect(series.warnings).toEqual([]);
    const stack = series.stacks[0];
    expect(stack.slices.map((s) => s.instanceNumber)).toEqual([4, 3, 2, 1]);
    const lazy = await stack.openSlices();
    expect(() => lazy.slice(2)).toThrow(DicomError);
    expect(() => lazy.slice(2)).toThrow(/TRUNCATED/);
    expect(lazy.failures.size).toBe(0);
  });

  it('onError "zero": the slice reads as zeros, its reason is recorded, the others decode exactly', async () => {
    const { dir } = writeSeries({ truncate: 2 });
    const lazy = await loadSeries(dir).stacks[0].openSlices({ onError: "zero" });
    const bad = lazy.slice(2);
    expect(bad.length).toBe(N * N);
    expect(bad.every((v) => v === 0)).toBe(true);
    expect(lazy.hasFailed(2)).toBe(true);
    expect([...lazy.failures.keys()]).toEqual([2]);
    expect(lazy.failures.get(2)).toMatch(/^DicomError: .*2\.dcm: TRUNCATED/);
    expect([...lazy.unusable]).toEqual([
      [2, { file: path.join(dir, "2.dcm"), code: "TRUNCATED", detail: expect.any(String) }],
    ]);
    [4, 3, 1].forEach((instance) => {
      const i = [4, 3, 2, 1].indexOf(instance);
      const px = lazy.slice(i);
      expect(lazy.hasFailed(i)).toBe(false);
      expect(px[0]).toBe(value(instance, 0));
      expect(px[N * N - 1]).toBe(value(instance, N * N - 1));
    });
    expect(lazy.decoded).toBe(3);
    // Asking again neither re-reads nor records twice.
    lazy.slice(2);
    expect(lazy.failures.size).toBe(1);
    expect(() => lazy.slice(4)).toThrow(RangeError);
  });
});

describe('LazySlices storage "slices"', () => {
  it("one buffer per slice read, same values as the volume storage; no volume buffer", async () => {
    const { dir } = writeSeries({ truncate: 3 });
    const stack = loadSeries(dir).stacks[0];
    const vol = await stack.openSlices({ onError: "zero" });
    const per = await stack.openSlices({ onError: "zero", storage: "slices" });
    for (let i = 0; i < 4; i++) expect(per.slice(i)).toEqual(vol.slice(i));
    expect(per.slice(1).every((v) => v === 0)).toBe(true); // instance 3, truncated
    expect(per.failures.get(1)).toMatch(/3\.dcm: TRUNCATED/);
    expect(per.slice(0).buffer).not.toBe(per.slice(2).buffer);
    expect(per.slice(0).length).toBe(N * N);
    expect(per.slice(0)).toBe(per.slice(0)); // cached, not re-decoded
    expect(per.decoded).toBe(3);
    expect(vol.data.length).toBe(4 * N * N);
    expect(() => per.data).toThrow(/storage "volume"/);
  });
});

describe("LazySlices: MONOCHROME1", () => {
  it("values as stored by default; inverted within the stored range with invertMonochrome1", async () => {
    const { dir } = writeSeries({ monochrome1: true });
    const stack = loadSeries(dir).stacks[0];
    const raw = await stack.openSlices();
    const inv = await stack.openSlices({ invertMonochrome1: true });
    // instance 4 is slice 0; 12-bit unsigned: inverted = 0 + 4095 - v.
    expect(raw.slice(0)[7]).toBe(value(4, 7));
    expect(inv.slice(0)[7]).toBe(4095 - value(4, 7));
    expect(inv.slice(3)[N * N - 1]).toBe(4095 - value(1, N * N - 1));
  });

  it("MONOCHROME2 is left alone by invertMonochrome1", async () => {
    const { dir } = writeSeries();
    const inv = await loadSeries(dir).stacks[0].openSlices({ invertMonochrome1: true });
    expect(inv.slice(1)[9]).toBe(value(3, 9));
  });
});

describe("loadSeries options", () => {
  it("files: reads only the listed files", () => {
    const { dir, file } = writeSeries();
    const s = loadSeries(dir, { files: [file(3), file(1)] });
    expect(s.stacks[0].slices.map((x) => x.instanceNumber)).toEqual([3, 1]);
    expect([...s.instances.keys()].sort()).toEqual([1, 3]);
  });

  it("requireGeometry: an image without position/orientation is skipped with a warning, not an identity stack", () => {
    const { dir } = writeSeries({ noGeometry: 3 });
    const loose = loadSeries(dir);
    expect(loose.stacks.length).toBe(2);
    const strict = loadSeries(dir, { requireGeometry: true });
    expect(strict.stacks.length).toBe(1);
    expect(strict.stacks[0].slices.map((x) => x.instanceNumber)).toEqual([4, 2, 1]);
    expect(strict.warnings).toEqual(["3.dcm: no geometry (IPP/IOP/PixelSpacing), skipped"]);
    expect(strict.instances.has(3)).toBe(false);
  });

  it("onSkip is told of every skipped file, with its code, also when none is left and loadSeries throws", () => {
    const { dir, file } = writeSeries({ noGeometry: 3 });
    fs.writeFileSync(file(1), "");
    fs.truncateSync(file(2), 400); // inside the data set, before the pixels
    const skipped: { file: string; code: string }[] = [];
    const onSkip = ({ file, code }: { file: string; code: string }) => skipped.push({ file, code });
    expect(loadSeries(dir, { requireGeometry: true, onSkip }).stacks[0].files).toEqual([file(4)]);
    expect(skipped).toEqual([
      { file: file(1), code: "NOT_DICOM" },
      { file: file(2), code: "TRUNCATED" },
      { file: file(3), code: "BAD_HEADER" },
    ]);
    skipped.length = 0;
    const files = [file(1), file(3)];
    expect(() => loadSeries(dir, { files, requireGeometry: true, onSkip })).toThrow(/NO_PIXEL_DATA/);
    expect(skipped.map((s) => s.file)).toEqual(files);
  });

  it("requireGeometry with no usable file is NO_PIXEL_DATA, naming why", () => {
    const { file } = writeSeries({ noGeometry: 3 });
    expect(() => loadSeries(path.dirname(file(3)), { files: [file(3)], requireGeometry: true })).toThrow(
      /NO_PIXEL_DATA: no usable DICOM image in the folder \(3\.dcm: no geometry/,
    );
  });
});
