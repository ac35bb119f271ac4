import { TS } from "../transfer-syntax";
import { jpeg2000Codec } from "./jpeg2000";
import { jpegBaselineCodec } from "./jpeg-baseline";
import { jpegExtendedCodec } from "./jpeg-extended";
import { jpegLosslessCodec } from "./jpeg-lossless";
import { jpegLsCodec } from "./jpeg-ls";
import { rleCodec } from "./rle";
import type { Codec } from "./types";

export type { Codec, FrameInfo, StoredArray } from "./types";

/** The decoder for each encapsulated transfer syntax. */
export const CODECS: ReadonlyMap<string, Codec> = new Map<string, Codec>([
  [TS.jpegBaseline, jpegBaselineCodec],
  [TS.jpegExtended, jpegExtendedCodec],
  [TS.jpegLossless57, jpegLosslessCodec],
  [TS.jpegLosslessSV1, jpegLosslessCodec],
  [TS.jpegLsLossless, jpegLsCodec],
  [TS.jpegLsNearLossless, jpegLsCodec],
  [TS.jpeg2000Lossless, jpeg2000Codec],
  [TS.jpeg2000, jpeg2000Codec],
  [TS.rleLossless, rleCodec],
]);

/** Load every wasm codec (each only once); call before synchronous decodes of compressed files. */
export async function initCodecs(): Promise<void> {
  await Promise.all([...new Set(CODECS.values())].map((c) => c.init()));
}
