import type { DataSet, Element } from "dicom-parser";
import * as dicomParser from "dicom-parser";
import { CODECS } from "./codecs";
import { storedFromBytes, type FrameInfo, type StoredArray } from "./codecs/types";
import { DicomError } from "./errors";
import { PIXEL_DATA_TAG, type DicomHeader } from "./header";
import { convert16Simd } from "./simd";
import { transferSyntaxInfo } from "./transfer-syntax";

/** Bytes of one uncompressed frame. */
export function frameByteLength(h: DicomHeader): number {
  return (h.rows * h.columns * h.samplesPerPixel * h.bitsAllocated) >> 3;
}

export function frameInfo(h: DicomHeader, file: string): FrameInfo {
  return {
    file,
    rows: h.rows,
    columns: h.columns,
    samplesPerPixel: h.samplesPerPixel,
    bitsAllocated: h.bitsAllocated,
    bitsStored: h.bitsStored,
    pixelRepresentation: h.pixelRepresentation,
  };
}

/** Throw unless the header describes pixels we can decode. */
export function checkPixelHeader(h: DicomHeader, file: string): void {
  if (!h.hasPixelData) throw new DicomError("NO_PIXEL_DATA", file, "no (7FE0,0010) Pixel Data element");
  if (h.rows <= 0 || h.columns <= 0)
    throw new DicomError("BAD_HEADER", file, `image size ${h.columns}x${h.rows}`);
  if (![8, 16, 32].includes(h.bitsAllocated)) {
    throw new DicomError("UNSUPPORTED_PIXEL_FORMAT", file, `BitsAllocated ${h.bitsAllocated}`);
  }
  if (h.bitsStored < 1 || h.bitsStored > h.bitsAllocated) {
    throw new DicomError(
      "BAD_HEADER",
      file,
      `BitsStored ${h.bitsStored} with BitsAllocated ${h.bitsAllocated}`,
    );
  }
  if (h.samplesPerPixel !== 1 && h.samplesPerPixel !== 3) {
    throw new DicomError("UNSUPPORTED_PIXEL_FORMAT", file, `SamplesPerPixel ${h.samplesPerPixel}`);
  }
  if (!transferSyntaxInfo(h.transferSyntaxUid)) {
    throw new DicomError(
      "UNSUPPORTED_TRANSFER_SYNTAX",
      file,
      `no decoder for ${h.transferSyntaxUid}`,
      h.transferSyntaxUid,
    );
  }
}

/**
 * Stored values of frame `f` (rows*columns*samples, colour interleaved), in the stored dtype,
 * before sign extension/masking (see `normaliseStoredBits`). May be a view into the file bytes:
 * do not mutate.
 */
export function rawFrame(ds: DataSet, h: DicomHeader, file: string, f: number): StoredArray {
  checkPixelHeader(h, file);
  if (f < 0 || f >= h.frames || !Number.isInteger(f))
    throw new RangeError(`${file}: frame ${f} of ${h.frames}`);
  const ts = transferSyntaxInfo(h.transferSyntaxUid)!;
  const el = ds.elements[PIXEL_DATA_TAG];
  if (ts.encapsulated) return encapsulatedFrame(ds, el, h, file, f);
  const native = nativeFrame(ds, el, h, file, f, ts.bigEndian);
  return h.samplesPerPixel > 1 && h.planarConfiguration === 1
    ? interleave(native, h.samplesPerPixel)
    : native;
}

/** Planar (RRR..GGG..BBB..) to interleaved (RGBRGB..), the layout every other path returns. */
function interleave(a: StoredArray, spp: number): StoredArray {
  const out = a.slice() as StoredArray;
  const n = a.length / spp;
  for (let s = 0; s < spp; s++) for (let i = 0; i < n; i++) out[i * spp + s] = a[s * n + i];
  return out;
}

function nativeFrame(
  ds: DataSet,
  el: Element,
  h: DicomHeader,
  file: string,
  f: number,
  bigEndian: boolean,
): StoredArray {
  const n = frameByteLength(h);
  const bytes = ds.byteArray;
  const start = el.dataOffset + f * n;
  const end = start + n;
  if (end > bytes.length || (el.length >= 0 && f * n + n > el.length && !el.hadUndefinedLength)) {
    throw new DicomError(
      "TRUNCATED",
      file,
      `frame ${f} needs bytes ${start}..${end}, pixel data has ${Math.min(el.length, bytes.length - el.dataOffset)}`,
    );
  }
  const signed = h.pixelRepresentation === 1;
  const bytesPerSample = h.bitsAllocated >> 3;
  if (bigEndian && (bytesPerSample > 1 || el.vr === "OW")) {
    // Swap within each 16/32-bit word (8-bit samples in an OW element were swapped in pairs too).
    const word = Math.max(2, bytesPerSample);
    const copy = new Uint8Array(n);
    for (let i = 0; i < n; i += word)
      for (let k = 0; k < word; k++) copy[i + k] = bytes[start + i + word - 1 - k];
    return storedFromBytes(copy, h.bitsAllocated, signed);
  }
  const abs = bytes.byteOffset + start;
  if (abs % bytesPerSample !== 0) return storedFromBytes(bytes.subarray(start, end), h.bitsAllocated, signed);
  const buf = bytes.buffer;
  const len = n / bytesPerSample;
  if (bytesPerSample === 1) return signed ? new Int8Array(buf, abs, len) : new Uint8Array(buf, abs, len);
  if (bytesPerSample === 2) return signed ? new Int16Array(buf, abs, len) : new Uint16Array(buf, abs, len);
  return signed ? new Int32Array(buf, abs, len) : new Uint32Array(buf, abs, len);
}

function encapsulatedFrame(ds: DataSet, el: Element, h: DicomHeader, file: string, f: number): StoredArray {
  const codec = CODECS.get(h.transferSyntaxUid);
  if (!codec)
    throw new DicomError(
      "UNSUPPORTED_TRANSFER_SYNTAX",
      file,
      `no codec for ${h.transferSyntaxUid}`,
      h.transferSyntaxUid,
    );
  const fragments = el.fragments ?? [];
  if (fragments.length === 0)
    throw new DicomError("TRUNCATED", file, "encapsulated pixel data has no fragments");
  let bytes: Uint8Array;
  try {
    bytes = frameFragments(ds, el, h, f) as Uint8Array;
  } catch (e) {
    throw new DicomError("TRUNCATED", file, `frame ${f}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out = codec.decode(bytes, frameInfo(h, file));
  const expected = h.rows * h.columns * h.samplesPerPixel;
  if (out.length < expected)
    throw new DicomError(
      "DECODE_FAILED",
      file,
      `${codec.name} gave ${out.length} samples, expected ${expected}`,
    );
  return out.length === expected ? out : out.subarray(0, expected);
}

/** The compressed bytes of frame f: by the offset table, else one fragment per frame, else all. */
function frameFragments(ds: DataSet, el: Element, h: DicomHeader, f: number) {
  const fragments = el.fragments!;
  const bot = el.basicOffsetTable ?? [];
  if (h.frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length);
  if (bot.length === h.frames) return dicomParser.readEncapsulatedImageFrame(ds, el, f);
  if (fragments.length === h.frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, f, 1);
  const table = dicomParser.createJPEGBasicOffsetTable(ds, el);
  return dicomParser.readEncapsulatedImageFrame(ds, el, f, table);
}

/**
 * Apply BitsStored: sign-extend signed data from bit BitsStored-1, mask unused high bits of
 * unsigned data. Returns `a` itself when nothing changes, else a new array.
 */
export function normaliseStoredBits(a: StoredArray, h: DicomHeader): StoredArray {
  if (h.bitsStored >= h.bitsAllocated) return a;
  const out = a.slice() as StoredArray;
  if (h.pixelRepresentation === 1) {
    const shift = 32 - h.bitsStored;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] << shift) >> shift;
  } else {
    const mask = h.bitsStored === 32 ? 0xffffffff : (1 << h.bitsStored) - 1;
    for (let i = 0; i < out.length; i++) out[i] = out[i] & mask;
  }
  return out;
}

/**
 * Modality-rescaled float32 values (stored * RescaleSlope + RescaleIntercept) of raw stored
 * samples, applying BitsStored in the same pass. `out` may be given to reuse memory.
 */
export function rescaleToFloat32(
  raw: StoredArray,
  h: DicomHeader,
  out: Float32Array = new Float32Array(raw.length),
): Float32Array {
  const slope = h.rescaleSlope;
  const intercept = h.rescaleIntercept;
  const identity = slope === 1 && intercept === 0;
  if ((raw instanceof Uint16Array || raw instanceof Int16Array) && h.bitsAllocated === 16) {
    if (convert16Simd(raw, out, Math.min(16, h.bitsStored), slope, intercept)) return out;
  }
  if (h.bitsStored >= h.bitsAllocated) {
    // TypedArray.set converts element types natively, several times faster than a JS loop.
    out.set(raw);
    if (!identity) affineInPlace(out, slope, intercept);
  } else if (raw instanceof Uint16Array) {
    const mask = (1 << h.bitsStored) - 1;
    // Real files rarely have junk above BitsStored: one OR over 32-bit words proves it, and the
    // native conversion then beats a masking loop ~3x.
    if (highBitsClear(raw, mask)) out.set(raw);
    else maskU16(raw, out, mask);
    if (!identity) affineInPlace(out, slope, intercept);
  } else if (raw instanceof Int16Array) {
    signExtendI16(raw, out, 32 - h.bitsStored);
    if (!identity) affineInPlace(out, slope, intercept);
  } else {
    out.set(normaliseStoredBits(raw, h));
    if (!identity) affineInPlace(out, slope, intercept);
  }
  return out;
}

// One small loop per element type keeps each call site monomorphic (a loop over a union of
// typed-array kinds runs several times slower in V8).
function affineInPlace(a: Float32Array, slope: number, intercept: number): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i] * slope + intercept;
}
function highBitsClear(src: Uint16Array, mask: number): boolean {
  if (src.byteOffset % 4 !== 0 || src.length % 2 !== 0) return false;
  const words = new Uint32Array(src.buffer, src.byteOffset, src.length >> 1);
  let acc = 0;
  for (let i = 0; i < words.length; i++) acc |= words[i];
  const high = ~(mask | (mask << 16));
  return (acc & high) === 0;
}
function maskU16(src: Uint16Array, out: Float32Array, mask: number): void {
  for (let i = 0; i < src.length; i++) out[i] = src[i] & mask;
}
function signExtendI16(src: Int16Array, out: Float32Array, shift: number): void {
  for (let i = 0; i < src.length; i++) out[i] = (src[i] << shift) >> shift;
}

/**
 * MONOCHROME1 -> MONOCHROME2, as its own explicit step (in place): v -> lo + hi - v, where
 * [lo, hi] is the rescaled range of the stored bits, so the value range is kept.
 */
export function invertMonochrome1(values: Float32Array, h: DicomHeader): Float32Array {
  const signed = h.pixelRepresentation === 1;
  const sLo = signed ? -(2 ** (h.bitsStored - 1)) : 0;
  const sHi = signed ? 2 ** (h.bitsStored - 1) - 1 : 2 ** h.bitsStored - 1;
  const a = sLo * h.rescaleSlope + h.rescaleIntercept;
  const b = sHi * h.rescaleSlope + h.rescaleIntercept;
  const sum = a + b;
  for (let i = 0; i < values.length; i++) values[i] = sum - values[i];
  return values;
}
