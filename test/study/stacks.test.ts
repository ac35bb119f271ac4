import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { StudyEntry } from "../../lib/data/dataset";
import { encodeDicom } from "../../lib/dicom";
import { pixelToLps } from "../../lib/geometry";
import {
  cropStack,
  decodeProblems,
  findInstance,
  goodSlice,
  loadSeriesStacks,
  loadStudy,
  localizerStack,
  midSlice,
} from "../../lib/study";
import { NORMALIZED_RANGE, quantile } from "../../lib/crop";

const N = 16;
const SPACING = 0.5;
/** Stored value of instance i at column c, row r. */
const value = (i: number, c: number, r: number) => 100 * i + 10 * c + r;

/**
 * Sagittal series of `count` files, 16x16 at 0.5 mm, instance i at x = 2i mm: along the normal
 * (-1, 0, 0) the stack order is instance count..1 (reverse of instance and file-name order).
 */
function writeSeries(count: number, opts: { truncate?: number; monochrome1?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lumbar-volume-"));
  const files: string[] = [];
  for (let i = 1; i <= count; i++) {
    const pixels = new Uint16Array(N * N);
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) pixels[r * N + c] = value(i, c, r);
    const bytes = Buffer.from(
      encodeDicom({
        rows: N,
        columns: N,
        pixels,
        bitsStored: 12,
        instanceNumber: i,
        imagePositionPatient: [2 * i, -20, 30],
        imageOrientationPatient: [0, 1, 0, 0, 0, -1],
        pixelSpacing: [SPACING, SPACING],
      }),
    );
    if (opts.monochrome1) bytes.write("MONOCHROME1", bytes.indexOf("MONOCHROME2"), "latin1");
    const file = path.join(dir, `${i}.dcm`);
    fs.writeFileSync(file, bytes);
    files.push(file);
  }
  // Cut 200 of the 512 pixel-data bytes: the header scan keeps the file, decoding it fails.
  if (opts.truncate)
    fs.truncateSync(files[opts.truncate - 1], fs.statSync(files[opts.truncate - 1]).size - 200);
  return { dir, files };
}

/** Byte a crop value v stores after percentile scaling by [lo, hi] (NORMALIZED_RANGE [-0.5, 1.5] over 255 steps). */
const byteOf = (v: number, lo: number, hi: number) =>
  Math.round((Math.min(Math.max((v - lo) / (hi - lo), -0.5), 1.5) + 0.5) / (2 / 255));

describe("loadSeriesStacks (lib/dicom headers, lazy pixels)", () => {
  it("sorts along the normal, finds instances by number, decodes nothing up front", async () => {
    const { dir, files } = writeSeries(5);
    const s = await loadSeriesStacks(7, dir, files);
    expect(s.stacks.length).toBe(1);
    const st = s.stacks[0];
    expect(st.seriesId).toBe(7);
    expect(st.planes.map((p) => p.position[0])).toEqual([10, 8, 6, 4, 2]);
    expect(findInstance(s, 2)?.slice).toBe(3);
    expect(findInstance(s, 6)).toBeUndefined();
    expect(st.pixels.decoded).toBe(0);
    expect(st.pixels.slice(3)[5 * N + 4]).toBe(value(2, 4, 5));
  });

  it("MONOCHROME1 is inverted (bright = high signal, as for MONOCHROME2 series)", async () => {
    const { dir, files } = writeSeries(2, { monochrome1: true });
    const st = (await loadSeriesStacks(1, dir, files)).stacks[0];
    expect(st.pixels.slice(0)[3 * N + 2]).toBe(4095 - value(2, 2, 3));
  });
});

describe("cropStack: stored crop through lib/crop", () => {
  it("matches hand-computed values: end slice repeated, percentile scaling, bytes; reads only 2 slices", async () => {
    const { dir, files } = writeSeries(9);
    const st = (await loadSeriesStacks(1, dir, files)).stacks[0];
    // Centre on slice 0 (instance 9), pixel (10.5, 5.5); 4 px over 2 mm = 1 source pixel per output
    // pixel, first sample at column 9, row 4. Depth 3 reads slices -1 (-> 0, repeated), 0, 1 (instance 8).
    const crop = cropStack(st, 0, 10.5, 5.5, 2, 4, 3);
    expect(crop).toMatchObject({ depth: 3, size: 4, mmPerPx: 0.5, offset: NORMALIZED_RANGE[0] });
    expect(crop.scale).toBeCloseTo(2 / 255, 12);
    // 48 values: instance 8 gives 800 + 10c + r = 894..927, instance 9 (twice) 994..1027. Percentiles
    // interpolate (numpy): the 1st at rank 0.47 between 894 and 895, the 99th at 46.53 between the
    // max twice, 1027.
    const [lo, hi] = [894.47, 1027];
    const at = (d: number, v: number, u: number) => crop.data[(d * 4 + v) * 4 + u];
    for (const [v, u] of [
      [0, 0],
      [3, 3],
      [1, 2],
    ]) {
      expect(at(0, v, u)).toBe(byteOf(value(9, 9 + u, 4 + v), lo, hi));
      expect(at(1, v, u)).toBe(byteOf(value(9, 9 + u, 4 + v), lo, hi));
      expect(at(2, v, u)).toBe(byteOf(value(8, 9 + u, 4 + v), lo, hi));
    }
    expect(at(2, 0, 0)).toBe(63); // 894 -> -0.0035 -> (-0.0035 + 0.5) * 127.5 = 63.3
    expect(at(1, 3, 3)).toBe(191); // 1027 -> 1 -> 191.25
    expect(st.pixels.decoded).toBe(2);
  });

  it("samples outside the image do not move the percentiles and store normalised 0", async () => {
    const { dir, files } = writeSeries(3);
    const st = (await loadSeriesStacks(1, dir, files)).stacks[0];
    // Centre column 0.5: the first sample column is -1 (outside), then 0, 1, 2.
    const crop = cropStack(st, 1, 0.5, 5.5, 2, 4, 1);
    // 16 samples: 4 of padding and columns 0..2 of rows 4..7; the percentiles come from those 12.
    const inside: number[] = [];
    for (let r = 4; r < 8; r++) for (let c = 0; c < 3; c++) inside.push(value(2, c, r));
    const sorted = Float32Array.from(inside).sort();
    const [lo, hi] = [quantile(sorted, 0.01), quantile(sorted, 0.99)];
    expect(lo).toBeGreaterThan(value(2, 0, 4) - 1e-9);
    expect(crop.data[0]).toBe(64); // padding: normalised 0 -> (0 + 0.5) * 127.5 = 63.75
    expect(crop.data[4]).toBe(64);
    expect(crop.data[1]).toBe(byteOf(value(2, 0, 4), lo, hi));
    expect(crop.data[15]).toBe(byteOf(value(2, 2, 7), lo, hi));
  });
});

describe("one bad file costs one slice, not the study", () => {
  it("a truncated slice reads as its nearest good neighbour in crops; the reason is kept", async () => {
    const { dir, files } = writeSeries(3, { truncate: 2 }); // stack order: instances 3, 2, 1
    const st = (await loadSeriesStacks(4, dir, files)).stacks[0];
    expect(goodSlice(st.pixels, 1)).toBe(2); // i + 1 tried first
    expect(goodSlice(st.pixels, 0)).toBe(0);
    const crop = cropStack(st, 1, 10.5, 5.5, 2, 4, 3);
    // Slices 0, 1 -> 2, 2 hold instances 3, 1, 1: 16 values 394..427 and 32 values 194..227.
    // lo = sorted[0] = 194; hi = sorted[46] = the second largest, 426 (column 12, row 6 of instance 3).
    const [lo, hi] = [value(1, 9, 4), value(3, 12, 6)];
    expect(crop.data[(1 * 4 + 0) * 4 + 0]).toBe(byteOf(value(1, 9, 4), lo, hi));
    expect(crop.data[(1 * 4 + 0) * 4 + 0]).toBe(64);
    expect(crop.data[(0 * 4 + 3) * 4 + 3]).toBe(byteOf(value(3, 12, 7), lo, hi));
    expect(crop.data[(1 * 4 + 3) * 4 + 3]).toBe(crop.data[(2 * 4 + 3) * 4 + 3]);
    expect([...st.pixels.failures.keys()]).toEqual([1]);
    expect(st.pixels.failures.get(1)).toMatch(/2\.dcm: TRUNCATED/);
  });

  it("loadStudy + midSlice: the localizer takes the nearest good slice and its plane; decodeProblems names the file", async () => {
    const { dir, files } = writeSeries(3, { truncate: 2 });
    const entry: StudyEntry = {
      studyId: 11,
      dir: path.dirname(dir),
      problems: [],
      series: [
        {
          studyId: 11,
          seriesId: 4,
          description: "Sagittal T2/STIR",
          dir,
          files: files.map((p, i) => ({ instanceNumber: i + 1, path: p })),
          problems: [],
        },
      ],
    };
    const study = await loadStudy(entry);
    expect(study.problems).toEqual([]);
    const view = localizerStack(study)!;
    const mid = midSlice(view.stack, 8);
    expect(mid.slice).toBe(2); // middle slice 1 (instance 2) is truncated
    expect(mid.plane).toBe(view.stack.planes[2]);
    expect(pixelToLps(mid.plane, 0, 0)[0]).toBe(2); // instance 1 at x = 2 mm
    expect(mid.image.some((v) => v > 0)).toBe(true);
    expect(decodeProblems(study)).toEqual([
      expect.stringMatching(/^series 4: slice 1 unreadable: DicomError: .*2\.dcm: TRUNCATED/),
    ]);
    expect(study.problems).toEqual(decodeProblems(study)); // the study's problems list them once read
  });

  it("localizerStack passes over a sagittal T2 stack none of whose files decodes, to T1", async () => {
    const t2 = writeSeries(1, { truncate: 1 });
    const t1 = writeSeries(3);
    const series = (seriesId: number, description: "Sagittal T2/STIR" | "Sagittal T1", s: typeof t1) => ({
      studyId: 12,
      seriesId,
      description,
      dir: s.dir,
      files: s.files.map((p, i) => ({ instanceNumber: i + 1, path: p })),
      problems: [],
    });
    const study = await loadStudy({
      studyId: 12,
      dir: os.tmpdir(),
      problems: [],
      series: [series(1, "Sagittal T2/STIR", t2), series(2, "Sagittal T1", t1)],
    });
    const view = localizerStack(study)!;
    expect(view.type).toBe("Sagittal T1");
    expect(view.stack.seriesId).toBe(2);
    expect(study.problems).toEqual([expect.stringMatching(/^series 1: slice 0 unreadable: .*TRUNCATED/)]);
  });

  it("a stack where no slice decodes is an error for its crops, not a silent black crop", async () => {
    const { dir, files } = writeSeries(1, { truncate: 1 });
    const st = (await loadSeriesStacks(4, dir, files)).stacks[0];
    expect(() => cropStack(st, 0, 8, 8, 4, 4, 1)).toThrow(/no slice of the stack decodes/);
  });
});
