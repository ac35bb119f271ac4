import { DicomError } from "../errors";
import { storedFromBytes, type Codec, type FrameInfo, type StoredArray } from "./types";

/** Emscripten print hooks that drop codec chatter (it would corrupt JSON on stdout). */
export const QUIET = { print: () => {}, printErr: () => {} };

/**
 * Shared shape of the cornerstone wasm decoders (OpenJPEG, CharLS, libjpeg-turbo): copy the
 * bitstream into wasm memory, decode, copy the pixels out, free the instance.
 */
export function wasmCodec(name: string, load: () => Promise<CornerstoneDecoderClass>): Codec {
  let Decoder: CornerstoneDecoderClass | null = null;
  let loading: Promise<void> | null = null;
  return {
    name,
    get ready() {
      return Decoder !== null;
    },
    init() {
      loading ??= load().then((d) => {
        Decoder = d;
      });
      return loading;
    },
    decode(bytes: Uint8Array, info: FrameInfo): StoredArray {
      if (!Decoder) throw new DicomError("DECODE_FAILED", info.file, `${name} codec not initialised`);
      const d = new Decoder();
      try {
        d.getEncodedBuffer(bytes.length).set(bytes);
        d.decode();
        const fi = d.getFrameInfo();
        if (fi.width !== info.columns || fi.height !== info.rows) {
          throw new DicomError(
            "DECODE_FAILED",
            info.file,
            `${name}: frame is ${fi.width}x${fi.height}, header says ${info.columns}x${info.rows}`,
          );
        }
        const bits = fi.bitsPerSample <= 8 ? 8 : 16;
        const out = d.getDecodedBuffer();
        // Interpret the samples per the DICOM header, as pydicom/GDCM do; 8-bit streams in 16-bit
        // containers are widened.
        const samples = storedFromBytes(out, bits, info.pixelRepresentation === 1);
        return bits === info.bitsAllocated ? samples : widen(samples, info);
      } catch (e) {
        if (e instanceof DicomError) throw e;
        throw new DicomError(
          "DECODE_FAILED",
          info.file,
          `${name}: ${e instanceof Error ? e.message : String(e)}`,
        );
      } finally {
        d.delete();
      }
    },
  };
}

function widen(samples: StoredArray, info: FrameInfo): StoredArray {
  const out =
    info.pixelRepresentation === 1 ? new Int16Array(samples.length) : new Uint16Array(samples.length);
  out.set(samples);
  return out;
}
