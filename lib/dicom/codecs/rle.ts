import { DicomError } from "../errors";
import { storedFromBytes, type Codec, type FrameInfo, type StoredArray } from "./types";

/**
 * DICOM RLE lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment
 * per byte plane, most significant byte first. No npm codec covers it outside whole viewers, so
 * this is a short port of the standard's algorithm, checked bit-exact against the corpus.
 */
export const rleCodec: Codec = {
  name: "rle",
  ready: true,
  init: async () => {},
  decode(bytes: Uint8Array, info: FrameInfo): StoredArray {
    const bytesPerSample = info.bitsAllocated >> 3;
    const pixels = info.rows * info.columns;
    const planes = bytesPerSample * info.samplesPerPixel;
    if (bytes.length < 64) throw new DicomError("TRUNCATED", info.file, "RLE header shorter than 64 bytes");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const segments = view.getUint32(0, true);
    if (segments !== planes) {
      throw new DicomError("DECODE_FAILED", info.file, `RLE has ${segments} segments, expected ${planes}`);
    }
    const out = new Uint8Array(pixels * planes);
    for (let s = 0; s < segments; s++) {
      const start = view.getUint32(4 + 4 * s, true);
      const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : bytes.length;
      if (start < 64 || start > bytes.length || end > bytes.length || end < start) {
        throw new DicomError(
          "TRUNCATED",
          info.file,
          `RLE segment ${s} offsets ${start}..${end} outside ${bytes.length} bytes`,
        );
      }
      // Segment s holds byte (bytesPerSample-1 - s%bytesPerSample) of sample s/bytesPerSample,
      // written little-endian and colour-interleaved into `out`.
      const sample = Math.floor(s / bytesPerSample);
      const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
      unpackSegment(bytes, start, end, out, sample * bytesPerSample + byteInSample, planes, pixels);
    }
    return storedFromBytes(out, info.bitsAllocated, info.pixelRepresentation === 1);
  },
};

/** PackBits: n >= 0 copies n+1 literal bytes, n in [-127,-1] repeats the next byte 1-n times. */
function unpackSegment(
  src: Uint8Array,
  pos: number,
  end: number,
  out: Uint8Array,
  first: number,
  stride: number,
  count: number,
): void {
  let o = first;
  const stop = first + count * stride;
  while (pos < end && o < stop) {
    const n = (src[pos++] << 24) >> 24;
    if (n >= 0) {
      for (let k = 0; k <= n && pos < end && o < stop; k++, o += stride) out[o] = src[pos++];
    } else if (n !== -128) {
      const v = src[pos++];
      for (let k = 0; k < 1 - n && o < stop; k++, o += stride) out[o] = v;
    }
  }
}
