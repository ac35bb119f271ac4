import { QUIET, wasmCodec } from "./wasm";

/** JPEG-LS lossless and near-lossless (CharLS, @cornerstonejs/codec-charls). */
export const jpegLsCodec = wasmCodec("charls", async () => {
  const factory = (await import("@cornerstonejs/codec-charls/decodewasmjs")).default;
  return (await factory(QUIET)).JpegLSDecoder;
});
