import { DicomError } from "../errors";
import type { Codec } from "./types";
import { QUIET, wasmCodec } from "./wasm";

const turbo = wasmCodec("libjpeg-turbo-8bit", async () => {
  const factory = (await import("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs")).default;
  return (await factory(QUIET)).JPEGDecoder;
});

/**
 * JPEG baseline, and the 8-bit streams of JPEG extended (libjpeg-turbo,
 * @cornerstonejs/codec-libjpeg-turbo-8bit). 12-bit DCT streams are refused with a clear error here;
 * under transfer syntax .51 jpeg-extended.ts routes them to a 12-bit decoder first.
 */
export const jpegBaselineCodec: Codec = {
  name: turbo.name,
  get ready() {
    return turbo.ready;
  },
  init: () => turbo.init(),
  decode(bytes, info) {
    const precision = sofPrecision(bytes);
    if (precision !== null && precision > 8) {
      throw new DicomError(
        "UNSUPPORTED_PIXEL_FORMAT",
        info.file,
        `${precision}-bit JPEG (process 4): libjpeg-turbo-8bit decodes 8-bit DCT only`,
      );
    }
    return turbo.decode(bytes, info);
  },
};

/** Sample precision from the first SOFn marker segment, or null when none is found. */
export function sofPrecision(b: Uint8Array): number | null {
  let i = 2; // after SOI
  while (i + 4 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return b[i + 4];
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  return null;
}
