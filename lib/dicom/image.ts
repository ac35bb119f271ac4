import * as fs from "node:fs";
import type { DataSet } from "dicom-parser";
import { CODECS } from "./codecs";
import type { StoredArray } from "./codecs/types";
import { DicomError } from "./errors";
import type { DicomHeader } from "./header";
import { parseDicomBytes } from "./parse";
import { DicomFileReader } from "./reader";
import {
  checkPixelHeader,
  invertMonochrome1,
  normaliseStoredBits,
  rawFrame,
  rescaleToFloat32,
} from "./pixels";

export interface FrameOptions {
  /** Also turn MONOCHROME1 into MONOCHROME2 (default false: modality values as stored). */
  invertMonochrome1?: boolean;
  /** Write into this array (length rows*columns*samples) instead of allocating. */
  out?: Float32Array;
}

/** One parsed DICOM file with synchronous per-frame pixel access (codec already initialised). */
export class DicomImage {
  constructor(
    readonly file: string,
    readonly header: DicomHeader,
    readonly dataSet: DataSet,
  ) {}

  get rows(): number {
    return this.header.rows;
  }
  get columns(): number {
    return this.header.columns;
  }
  get frames(): number {
    return this.header.frames;
  }

  /**
   * Stored values of frame f, shape [rows, columns(, samples)] row-major, sign-extended from
   * BitsStored for signed data and with unused high bits masked; before rescale/inversion.
   */
  storedFrame(f = 0): StoredArray {
    return normaliseStoredBits(rawFrame(this.dataSet, this.header, this.file, f), this.header);
  }

  /** Frame f as float32 modality values (stored * slope + intercept), shape [rows, columns]. */
  frame(f = 0, opts: FrameOptions = {}): Float32Array {
    const out = rescaleToFloat32(rawFrame(this.dataSet, this.header, this.file, f), this.header, opts.out);
    if (opts.invertMonochrome1 && this.header.photometric === "MONOCHROME1")
      invertMonochrome1(out, this.header);
    return out;
  }
}

/** Read bytes of a file as a typed DicomError on failure. */
export function readFileBytes(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new DicomError("READ_FAILED", file, e instanceof Error ? e.message : String(e));
  }
}

/** Parse bytes into a DicomImage (sync). Compressed syntaxes need `initCodecs()` first. */
export function decodeDicom(bytes: Uint8Array, file = "<memory>"): DicomImage {
  const p = parseDicomBytes(bytes, file);
  return new DicomImage(file, p.header, p.dataSet);
}

/**
 * Read and parse a file synchronously (compressed syntaxes need `initCodecs()` first). With a
 * `reader`, the bytes live in its reused buffer: the image is valid only until its next read.
 */
export function readDicomSync(file: string, reader?: DicomFileReader): DicomImage {
  return decodeDicom(reader ? reader.read(file) : readFileBytes(file), file);
}

/** Read and parse a file; loads the wasm codec its transfer syntax needs. Pixel checks included. */
export async function readDicom(file: string): Promise<DicomImage> {
  const img = readDicomSync(file);
  checkPixelHeader(img.header, file);
  const codec = CODECS.get(img.header.transferSyntaxUid);
  if (codec && !codec.ready) await codec.init();
  return img;
}

const HEADER_PROBE_BYTES = 64 * 1024;
/** Shared by every header read: only the parsed header (copied values) leaves readDicomHeader. */
const probe = Buffer.allocUnsafe(HEADER_PROBE_BYTES);

/**
 * The header only, from the first 64 KiB when the pixel data starts there (the whole file
 * otherwise). For series scans: memory stays proportional to one header.
 */
export function readDicomHeader(file: string): DicomHeader {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new DicomError("READ_FAILED", file, e instanceof Error ? e.message : String(e));
  }
  let n: number;
  try {
    n = fs.readSync(fd, probe, 0, HEADER_PROBE_BYTES, 0);
  } catch (e) {
    throw new DicomError("READ_FAILED", file, e instanceof Error ? e.message : String(e));
  } finally {
    fs.closeSync(fd);
  }
  // A short read is the whole file: its parse is final, errors included.
  if (n < HEADER_PROBE_BYTES) return parseDicomBytes(probe.subarray(0, n), file, { headerOnly: true }).header;
  try {
    const p = parseDicomBytes(probe, file, { headerOnly: true });
    if (p.header.hasPixelData) return p.header;
  } catch {
    // an element crossed the probe boundary (or a deflated body): read everything below
  }
  return parseDicomBytes(fallbackReader.read(file), file, { headerOnly: true }).header;
}
/** For headers past 64 KiB (Siemens CSA headers reach 130 KiB): whole file, reused buffer. */
const fallbackReader = new DicomFileReader();

export interface StoredStats {
  min: number;
  max: number;
  sum: number;
}

/** min, max and sum of the stored values over all frames and samples (sign-extended, unrescaled). */
export function storedStats(img: DicomImage): StoredStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let f = 0; f < img.frames; f++) {
    const a = img.storedFrame(f);
    let s = 0;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v < min) min = v;
      if (v > max) max = v;
      s += v;
    }
    sum += s;
  }
  return { min, max, sum };
}
