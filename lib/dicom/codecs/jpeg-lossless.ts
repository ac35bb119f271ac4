import { Decoder } from "jpeg-lossless-decoder-js";
import { DicomError } from "../errors";
import { storedFromBytes, type Codec, type FrameInfo, type StoredArray } from "./types";

/** JPEG lossless process 14, any predictor incl. SV1 (jpeg-lossless-decoder-js, pure JS). */
export const jpegLosslessCodec: Codec = {
  name: "jpeg-lossless-decoder-js",
  ready: true,
  init: async () => {},
  decode(bytes: Uint8Array, info: FrameInfo): StoredArray {
    let out: ArrayBuffer;
    try {
      // The decoder reads an ArrayBuffer from offset 0; give it its own copy.
      const own = new Uint8Array(bytes.length);
      own.set(bytes);
      out = new Decoder().decompress(own.buffer, 0, own.length);
    } catch (e) {
      throw new DicomError(
        "DECODE_FAILED",
        info.file,
        `jpeg lossless: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const n = info.rows * info.columns * info.samplesPerPixel;
    const bytesPerSample = out.byteLength / n;
    if (bytesPerSample !== 1 && bytesPerSample !== 2) {
      throw new DicomError(
        "DECODE_FAILED",
        info.file,
        `jpeg lossless: ${out.byteLength} bytes for ${n} samples`,
      );
    }
    const samples = storedFromBytes(new Uint8Array(out), bytesPerSample * 8, info.pixelRepresentation === 1);
    if (bytesPerSample * 8 === info.bitsAllocated) return samples;
    const wide = info.pixelRepresentation === 1 ? new Int16Array(n) : new Uint16Array(n);
    wide.set(samples);
    return wide;
  },
};
