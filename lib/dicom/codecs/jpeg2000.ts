import { QUIET, wasmCodec } from "./wasm";

/** JPEG 2000 lossless and lossy (OpenJPEG, @cornerstonejs/codec-openjpeg). */
export const jpeg2000Codec = wasmCodec("openjpeg", async () => {
  const factory = (await import("@cornerstonejs/codec-openjpeg/decodewasmjs")).default;
  return (await factory(QUIET)).J2KDecoder;
});
