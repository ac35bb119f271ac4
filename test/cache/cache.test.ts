import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  cacheKey,
  cachedBuild,
  CacheFileError,
  RecordFileReader,
  RecordFileWriter,
  SampleStore,
  type CropSampleRef,
  type LocalizerSampleRef,
} from "../../lib/cache";
import { decodeMeta, encodeMeta } from "../../lib/cache/build";
import { crc32 } from "../../lib/cache/crc32";
import { HEADER_BYTES } from "../../lib/cache/record-file";
import { resolveConfig } from "../../lib/config";
import type { StudyEntry } from "../../lib/data/dataset";
import { CONDITIONS } from "../../lib/data/schema";
import { prepareIdentity } from "../../lib/train/prepare";
import type { CropSample, LocalizerSample } from "../../lib/study";
import { Rng } from "../../lib/util/rng";
import { tempDir } from "../helpers/tmp";

function records(n: number, bytes: number, seed: number): Uint8Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Uint8Array.from({ length: bytes }, () => rng.int(0, 255)));
}

function writeRecords(file: string, key: string, recs: readonly Uint8Array[]): void {
  const w = new RecordFileWriter(file, "test", key, recs[0].length, { n: recs[0].length });
  recs.forEach((r, i) => expect(w.append(r)).toBe(i));
  w.commit();
}

function cropSample(rng: Rng, studyId: number, levelIndex: number): CropSample {
  return {
    studyId,
    condition: CONDITIONS[levelIndex % CONDITIONS.length],
    levelIndex,
    label: levelIndex % 4 === 3 ? null : ((levelIndex % 3) as 0 | 1 | 2),
    crop: {
      data: Uint8Array.from({ length: 5 * 6 * 6 }, () => rng.int(0, 255)),
      depth: 5,
      size: 6,
      mmPerPx: 28 / 24 + rng.next() * 1e-9, // float64 values must survive exactly
      scale: 4.5 / 255,
      offset: -0.5,
    },
    input: "own",
  };
}

function localizerSample(rng: Rng, studyId: number): LocalizerSample {
  return {
    studyId,
    image: Float32Array.from({ length: 8 * 8 }, () => rng.next() * 3 - 1),
    points: [
      [1.25, 2.5],
      [NaN, NaN],
      [3, 4],
      [5, 6],
      [7, 7.5],
    ],
    mmPerPx: [0.7, 0.70000001],
  };
}

describe("record files", () => {
  it("round trip: every record by index, in any order, the header as written", () => {
    const file = join(tempDir("rec-"), "a.rec");
    const recs = records(50, 37, 1);
    writeRecords(file, "k1", recs);
    expect(statSync(file).size).toBe(HEADER_BYTES + 50 * (37 + 4));
    const r = RecordFileReader.open(file, { kind: "test", key: "k1" });
    expect(r.header).toEqual({ kind: "test", key: "k1", recordBytes: 37, count: 50, shape: { n: 37 } });
    for (const i of new Rng(2).shuffle([...recs.keys()])) expect(r.read(i)).toEqual(recs[i]);
    expect(() => r.read(50)).toThrow(CacheFileError);
    r.close();
  });

  it("CRC-32 is the standard one", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("a truncated file is refused on open, naming the file and the length", () => {
    const file = join(tempDir("rec-"), "a.rec");
    writeRecords(file, "k1", records(10, 16, 3));
    truncateSync(file, statSync(file).size - 7);
    expect(() => RecordFileReader.open(file, { kind: "test", key: "k1" })).toThrow(
      /a\.rec: is \d+ bytes, its header says \d+ \(10 records\)/,
    );
  });

  it("a changed byte is a checksum error on read, not silently used", () => {
    const file = join(tempDir("rec-"), "a.rec");
    writeRecords(file, "k1", records(10, 16, 4));
    const bytes = readFileSync(file);
    bytes[HEADER_BYTES + 3 * 20 + 5] ^= 0x40; // record 3, payload byte 5
    writeFileSync(file, bytes);
    const r = RecordFileReader.open(file, { kind: "test", key: "k1" });
    expect(() => r.read(2)).not.toThrow();
    const e = (() => {
      try {
        r.read(3);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(CacheFileError);
    expect(e).toMatchObject({ name: "CacheFileError", record: 3, problem: "checksum mismatch" });
    r.close();
  });

  it("another key, kind or no header at all is refused", () => {
    const dir = tempDir("rec-");
    const file = join(dir, "a.rec");
    writeRecords(file, "k1", records(2, 8, 5));
    expect(() => RecordFileReader.open(file, { kind: "test", key: "k2" })).toThrow(
      /built for key k1, not k2/,
    );
    expect(() => RecordFileReader.open(file, { kind: "crop-u8", key: "k1" })).toThrow(/holds test/);
    writeFileSync(join(dir, "b.rec"), "hello");
    expect(() => RecordFileReader.open(join(dir, "b.rec"), { kind: "test", key: "k1" })).toThrow(
      CacheFileError,
    );
  });

  it("an aborted writer leaves nothing behind", () => {
    const dir = tempDir("rec-");
    const w = new RecordFileWriter(join(dir, "a.rec"), "test", "k", 4, {});
    w.append(new Uint8Array(4));
    w.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("sample store", () => {
  it("crops and localizer images read back exactly: bytes, float32 pixels, float64 scale/offset/mm", async () => {
    const dir = tempDir("samples-");
    const rng = new Rng(7);
    const crops = Array.from({ length: 12 }, (_, i) => cropSample(rng, 100 + (i >> 2), i));
    const images = [localizerSample(rng, 100), localizerSample(rng, 101)];
    const built = await cachedBuild({
      dir,
      stage: "pass1",
      key: cacheKey("x"),
      build: async (w) => ({ crops: crops.map((c) => w.crop(c)), images: images.map((s) => w.localizer(s)) }),
    });
    expect(built.files).toHaveLength(2);
    const store = new SampleStore(dir);
    const refs: (CropSampleRef | CropSample)[] = [...built.meta.crops].reverse();
    refs.push(crops[0]); // an in-memory sample passes through
    expect(store.crops(refs)).toEqual([...[...crops].reverse(), crops[0]]);
    expect(store.localizers(built.meta.images)).toEqual(images);
    store.close();
  });

  it("meta JSON keeps NaN, infinities and -0", () => {
    const value = { a: [NaN, Infinity, -Infinity, -0, 0, 1.5], b: { c: null, d: "NaN" } };
    const back = decodeMeta(encodeMeta(value)) as typeof value;
    expect(back).toEqual(value);
    expect(Object.is(back.a[3], -0)).toBe(true);
    expect(Object.is(back.a[4], 0)).toBe(true);
  });
});

describe("cachedBuild", () => {
  const build = (dir: string, key: string, calls: { n: number }, seed = 9) =>
    cachedBuild<{ crops: CropSampleRef[]; image: LocalizerSampleRef }>({
      dir,
      stage: "pass1",
      key,
      build: async (w) => {
        calls.n++;
        const rng = new Rng(seed);
        return {
          crops: Array.from({ length: 6 }, (_, i) => w.crop(cropSample(rng, 1, i))),
          image: w.localizer(localizerSample(rng, 1)),
        };
      },
    });
  const stamp = (dir: string) =>
    readdirSync(dir)
      .sort()
      .map((f) => [f, statSync(join(dir, f)).ino, statSync(join(dir, f)).mtimeMs]);

  it("a rerun with the same key reuses the build: nothing rebuilt, files untouched", async () => {
    const dir = tempDir("build-");
    const calls = { n: 0 };
    const first = await build(dir, cacheKey({ a: 1 }), calls);
    expect(first).toMatchObject({ reused: false, rebuilt: "no cache yet" });
    const before = stamp(dir);
    const again = await build(dir, cacheKey({ a: 1 }), calls);
    expect(again.reused).toBe(true);
    expect(calls.n).toBe(1);
    expect(again.meta).toEqual(first.meta);
    expect(stamp(dir)).toEqual(before);
  });

  it("a changed key rebuilds and removes the old key's files", async () => {
    const dir = tempDir("build-");
    const calls = { n: 0 };
    const first = await build(dir, cacheKey({ a: 1 }), calls);
    const second = await build(dir, cacheKey({ a: 2 }), calls, 10);
    expect(second.reused).toBe(false);
    expect(second.rebuilt).toMatch(/key changed/);
    expect(calls.n).toBe(2);
    const files = readdirSync(dir).filter((f) => f.endsWith(".rec"));
    expect(files.sort()).toEqual([...second.files].sort());
    expect(files.some((f) => first.files.includes(f))).toBe(false);
    const store = new SampleStore(dir);
    expect(() => store.crops(first.meta.crops)).toThrow(/ENOENT/); // the old build is gone
    expect(store.crops(second.meta.crops)).toHaveLength(6);
    store.close();
  });

  it("a truncated or corrupted record file is found on reuse and rebuilt, never used", async () => {
    for (const damage of ["truncate", "flip"] as const) {
      const dir = tempDir("build-");
      const calls = { n: 0 };
      const first = await build(dir, cacheKey({ a: 1 }), calls);
      const crops = join(
        dir,
        first.files.find((f) => f.includes("crop"))!,
      );
      if (damage === "truncate") truncateSync(crops, statSync(crops).size - 1);
      else {
        const bytes = readFileSync(crops);
        bytes[bytes.length - 10] ^= 1;
        writeFileSync(crops, bytes);
      }
      const again = await build(dir, cacheKey({ a: 1 }), calls);
      expect(again.reused).toBe(false);
      expect(again.rebuilt).toMatch(damage === "truncate" ? /its header says/ : /checksum mismatch/);
      expect(calls.n).toBe(2);
      const store = new SampleStore(dir);
      expect(store.crops(again.meta.crops)).toEqual(store.crops(first.meta.crops));
      store.close();
    }
  });

  it("a build that throws leaves no files and no description behind", async () => {
    const dir = tempDir("build-");
    const failing = cachedBuild({
      dir,
      stage: "pass1",
      key: "abc",
      build: async (w) => {
        w.crop(cropSample(new Rng(1), 1, 0));
        throw new Error("study 1 failed badly");
      },
    });
    await expect(failing).rejects.toThrow("study 1 failed badly");
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("pass 1's cache key", () => {
  it("changes with what shapes crops and images or with a study's files, not with training settings", () => {
    const dir = tempDir("key-");
    const file = join(dir, "1.dcm");
    writeFileSync(file, "dicom bytes");
    const entry: StudyEntry = {
      studyId: 7,
      dir,
      problems: [],
      series: [
        {
          studyId: 7,
          seriesId: 8,
          description: "Sagittal T2/STIR",
          dir,
          files: [{ instanceNumber: 1, path: file }],
          problems: [],
        },
      ],
    };
    const cfg = resolveConfig("quick", {});
    const key = (c: typeof cfg) =>
      cacheKey(
        prepareIdentity({
          studies: [entry],
          labels: new Map(),
          coords: new Map(),
          loc: c.localizer,
          cls: c.classifier,
          pts: c.sidePoints,
        }),
      );
    const base = key(cfg);
    expect(key(resolveConfig("quick", {}))).toBe(base);
    expect(key(resolveConfig("quick", { classifier: { epochs: 3 }, localizer: { epochs: 2 } }))).toBe(base);
    expect(key(resolveConfig("quick", { classifier: { cropPx: 16 } }))).not.toBe(base);
    expect(key(resolveConfig("quick", { localizer: { inputPx: 64 } }))).not.toBe(base);
    expect(key(resolveConfig("quick", { classifier: { augment: { sliceShift: 2 } } }))).not.toBe(base);
    writeFileSync(file, "other dicom bytes");
    expect(key(cfg)).not.toBe(base);
  });
});
