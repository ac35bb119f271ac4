import { QUIET, wasmCodec } from "./wasm";

/** JPEG baseline 8-bit (libjpeg-turbo, @cornerstonejs/codec-libjpeg-turbo-8bit). No 12-bit. */
export const jpegBaselineCodec = wasmCodec("libjpeg-turbo-8bit", async () => {
  const factory = (await import("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs")).default;
  return (await factory(QUIET)).JPEGDecoder;
});
