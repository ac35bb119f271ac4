import { DicomError } from "../errors";
import { jpegBaselineCodec, sofPrecision } from "./jpeg-baseline";
import { storedFromBytes, type Codec, type FrameInfo, type StoredArray } from "./types";

type DcmjsCodecs = typeof import("dcmjs-codecs");

let native: DcmjsCodecs | null = null;
let loading: Promise<void> | null = null;

async function loadNative(): Promise<void> {
  // A webpack CommonJS bundle: Node exposes it as `default` only (no static named exports).
  const ns: unknown = await import("dcmjs-codecs");
  const mod = ((ns as { default?: DcmjsCodecs }).default ?? ns) as DcmjsCodecs;
  // Informational/trace logging off: codec chatter would corrupt JSON on stdout.
  await mod.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
  native = mod;
}

/**
 * JPEG extended (process 2/4, transfer syntax .51). 8-bit streams go to libjpeg-turbo like
 * baseline; 12-bit DCT streams go to dcmjs-codecs, whose wasm carries DCMTK's 12-bit IJG decoder
 * (libjpeg-turbo-8bit cannot decode them). On the corpus it is bit-exact with pydicom+GDCM.
 */
export const jpegExtendedCodec: Codec = {
  name: "libjpeg-turbo-8bit + dcmjs-codecs (IJG 12-bit)",
  get ready() {
    return native !== null && jpegBaselineCodec.ready;
  },
  async init() {
    loading ??= loadNative();
    await Promise.all([loading, jpegBaselineCodec.init()]);
  },
  decode(bytes, info) {
    const precision = sofPrecision(bytes);
    if (precision === null || precision <= 8) return jpegBaselineCodec.decode(bytes, info);
    return decode12(bytes, info, precision);
  },
};

function decode12(bytes: Uint8Array, info: FrameInfo, precision: number): StoredArray {
  if (!native) throw new DicomError("DECODE_FAILED", info.file, "dcmjs-codecs not initialised");
  if (precision > 12 || info.bitsAllocated !== 16) {
    throw new DicomError(
      "UNSUPPORTED_PIXEL_FORMAT",
      info.file,
      `${precision}-bit JPEG in ${info.bitsAllocated}-bit samples: only 12-bit DCT in 16-bit is supported`,
    );
  }
  const { Context, NativeCodecs } = native;
  let out: Uint8Array | undefined;
  try {
    const ctx = new Context({
      width: info.columns,
      height: info.rows,
      bitsAllocated: info.bitsAllocated,
      bitsStored: info.bitsStored,
      samplesPerPixel: info.samplesPerPixel,
      pixelRepresentation: info.pixelRepresentation,
      planarConfiguration: 0,
      // No colour conversion is requested; the decoder only needs the sample layout.
      photometricInterpretation: info.samplesPerPixel === 1 ? "MONOCHROME2" : "RGB",
      encodedBuffer: bytes,
    });
    out = NativeCodecs.decodeJpeg(ctx, { convertColorspaceToRgb: false }).getDecodedBuffer();
  } catch (e) {
    throw new DicomError(
      "DECODE_FAILED",
      info.file,
      `dcmjs-codecs 12-bit JPEG: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const expected = info.rows * info.columns * info.samplesPerPixel * 2;
  if (!out || out.length !== expected) {
    throw new DicomError(
      "DECODE_FAILED",
      info.file,
      `dcmjs-codecs 12-bit JPEG: ${out?.length ?? 0} bytes decoded, ${expected} expected`,
    );
  }
  return storedFromBytes(out, 16, info.pixelRepresentation === 1);
}
