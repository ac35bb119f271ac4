import { join } from "node:path";
import type { CropSample, LocalizerSample, SidePointSample, StoredCrop } from "../study";
import { CacheFileError, RecordFileReader, RecordFileWriter } from "./record-file";

/** Where a sample's pixels are: record `index` of the record file `file` in a cache folder. */
export interface RecordRef {
  /** File name in the cache folder: `{stage}-{kind}-{geometry}.{key}.rec`. */
  readonly file: string;
  readonly index: number;
}

/** A crop sample whose crop is a record of a cache folder (all the rest as in memory). */
export type CropSampleRef = Omit<CropSample, "crop"> & { readonly rec: RecordRef };
/** A localizer sample whose image is a record of a cache folder. */
export type LocalizerSampleRef = Omit<LocalizerSample, "image"> & { readonly rec: RecordRef };

/** Any sample holding a crop (classifier crops, stage 1b's windows), with its crop as a record. */
export type WithCropRef<S extends { crop: StoredCrop }> = Omit<S, "crop"> & { readonly rec: RecordRef };
/** A side-point sample in memory, or a reference to one in a cache folder. */
export type SidePointSampleLike = SidePointSample | WithCropRef<SidePointSample>;

/** A crop sample in memory, or a reference to one in a cache folder; training takes either. */
export type CropSampleLike = CropSample | CropSampleRef;
export type LocalizerSampleLike = LocalizerSample | LocalizerSampleRef;

export const CROP_KIND = "crop-u8";
export const LOCALIZER_KIND = "localizer-f32";

/** A crop record: scale, offset and mmPerPx as float64 (exact), then the depth x size x size bytes. */
const CROP_META_BYTES = 24;

function cropRecordBytes(depth: number, size: number): number {
  return CROP_META_BYTES + depth * size * size;
}

export function encodeCrop(crop: StoredCrop): Uint8Array {
  if (!(crop.data instanceof Uint8Array) || crop.scale === undefined || crop.offset === undefined)
    throw new TypeError("only quantised crops (bytes with scale and offset) are cached");
  const out = Buffer.alloc(cropRecordBytes(crop.depth, crop.size));
  out.writeDoubleLE(crop.scale, 0);
  out.writeDoubleLE(crop.offset, 8);
  out.writeDoubleLE(crop.mmPerPx, 16);
  out.set(crop.data, CROP_META_BYTES);
  return out;
}

export function decodeCrop(payload: Uint8Array, depth: number, size: number): StoredCrop {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    data: payload.slice(CROP_META_BYTES),
    depth,
    size,
    mmPerPx: view.getFloat64(16, true),
    scale: view.getFloat64(0, true),
    offset: view.getFloat64(8, true),
  };
}

/** The key part of a record file's name (`...{key}.rec`): the reader checks the file's header holds it. */
export function keyOfFile(file: string): string {
  const m = /\.([0-9a-f]+)\.rec$/.exec(file);
  if (!m) throw new CacheFileError(file, "is not named {stage}-{kind}-{geometry}.{key}.rec");
  return m[1];
}

/**
 * Writes one build's records into a cache folder: one record file per kind and geometry, named with
 * the build's stage and key; samples come back as references. `commit` makes the files appear whole.
 */
export class SampleWriter {
  private readonly writers = new Map<string, RecordFileWriter>();

  constructor(
    readonly dir: string,
    readonly stage: string,
    readonly key: string,
  ) {}

  crop<S extends { crop: StoredCrop }>(sample: S): WithCropRef<S> {
    const { crop, ...rest } = sample;
    const { depth, size } = crop;
    const w = this.writer(`${CROP_KIND}-${depth}x${size}x${size}`, CROP_KIND, cropRecordBytes(depth, size), {
      depth,
      size,
    });
    return { ...rest, rec: { file: w.name, index: w.writer.append(encodeCrop(crop)) } };
  }

  localizer(sample: LocalizerSample): LocalizerSampleRef {
    const { image, ...rest } = sample;
    const px = Math.round(Math.sqrt(image.length));
    if (px * px !== image.length)
      throw new RangeError(`localizer image of ${image.length} values is not square`);
    const w = this.writer(`${LOCALIZER_KIND}-${px}`, LOCALIZER_KIND, 4 * px * px, { px });
    const bytes = new Uint8Array(image.buffer, image.byteOffset, image.byteLength);
    return { ...rest, rec: { file: w.name, index: w.writer.append(bytes) } };
  }

  /** Write every file's header, fsync, rename into place; returns the file names. */
  commit(): string[] {
    const names = [...this.writers.keys()];
    for (const w of this.writers.values()) w.commit();
    this.writers.clear();
    return names;
  }

  abort(): void {
    for (const w of this.writers.values()) w.abort();
    this.writers.clear();
  }

  private writer(
    geometry: string,
    kind: string,
    recordBytes: number,
    shape: Record<string, number>,
  ): { name: string; writer: RecordFileWriter } {
    const name = `${this.stage}-${geometry}.${this.key}.rec`;
    let writer = this.writers.get(name);
    if (!writer) {
      writer = new RecordFileWriter(join(this.dir, name), kind, this.key, recordBytes, shape);
      this.writers.set(name, writer);
    }
    return { name, writer };
  }
}

/**
 * Reads referenced samples' pixels from a cache folder, a record at a time (`readSync` at its
 * offset), so a batch costs a batch's memory. Samples already in memory pass through unchanged.
 * Files are opened on first use and checked (kind, key from the name, length); each record's CRC the
 * first time it is read. `close` releases the descriptors.
 */
export class SampleStore {
  private readonly readers = new Map<string, RecordFileReader>();

  constructor(readonly dir: string) {}

  crops<S extends { crop: StoredCrop }>(samples: readonly (S | WithCropRef<S>)[]): S[] {
    return samples.map((s) => {
      if ("crop" in s) return s;
      const { rec, ...rest } = s;
      const r = this.reader(rec.file, CROP_KIND);
      const { depth, size } = r.header.shape;
      return { ...rest, crop: decodeCrop(r.read(rec.index), depth, size) } as unknown as S;
    });
  }

  localizers(samples: readonly LocalizerSampleLike[]): LocalizerSample[] {
    return samples.map((s) => {
      if ("image" in s) return s;
      const { rec, ...rest } = s;
      const bytes = this.reader(rec.file, LOCALIZER_KIND).read(rec.index);
      return { ...rest, image: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
    });
  }

  /** Read every record of `file` once (a full checksum pass); throws CacheFileError on the first bad one. */
  verify(file: string, kind: string): void {
    const r = this.reader(file, kind);
    const buf = new Uint8Array(r.header.recordBytes);
    for (let i = 0; i < r.count; i++) r.read(i, buf);
  }

  close(): void {
    for (const r of this.readers.values()) r.close();
    this.readers.clear();
  }

  private reader(file: string, kind: string): RecordFileReader {
    let r = this.readers.get(file);
    if (!r) {
      r = RecordFileReader.open(join(this.dir, file), { kind, key: keyOfFile(file) });
      this.readers.set(file, r);
    }
    if (r.header.kind !== kind) throw new CacheFileError(file, `holds ${r.header.kind}, not ${kind}`);
    return r;
  }
}

/** Samples that may be references need a store; in-memory ones do not. */
export function loadCrops(samples: readonly CropSampleLike[], store?: SampleStore): CropSample[] {
  return loadCropLikes<CropSample>(samples, store);
}

/** loadCrops for any sample holding a crop (stage 1b's windows too). */
export function loadCropLikes<S extends { crop: StoredCrop; studyId: number }>(
  samples: readonly (S | WithCropRef<S>)[],
  store?: SampleStore,
): S[] {
  if (store) return store.crops(samples);
  return samples.map((s) => {
    if ("crop" in s) return s;
    throw new Error(`crop sample of study ${s.studyId} is in ${s.rec.file}, but no cache folder was given`);
  });
}

export function loadLocalizers(
  samples: readonly LocalizerSampleLike[],
  store?: SampleStore,
): LocalizerSample[] {
  if (store) return store.localizers(samples);
  return samples.map((s) => {
    if ("image" in s) return s;
    throw new Error(
      `localizer sample of study ${s.studyId} is in ${s.rec.file}, but no cache folder was given`,
    );
  });
}

/**
 * `f` over consecutive chunks of `items`, results concatenated: how predictions read a cache a
 * chunk at a time. `chunk` must be a multiple of the predictor's own batch size, so the batches
 * (and so the floats) are the same as in one call.
 */
export function mapChunks<T, R>(items: readonly T[], chunk: number, f: (part: readonly T[]) => R[]): R[] {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += chunk) out.push(...f(items.slice(start, start + chunk)));
  return out;
}

/** Chunk of samples read at a time for predictions: a multiple of predictSamples' 64 and predictLevels' 16. */
export const PREDICT_CHUNK = 1024;
