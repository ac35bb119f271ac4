/** Stored sample values, typed by BitsAllocated and PixelRepresentation. */
export type StoredArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** What a codec needs to know about the frame it decodes. */
export interface FrameInfo {
  file: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
}

/**
 * One codec family. `decode` is synchronous once `init` resolved; it returns the frame's samples
 * (rows*columns*samplesPerPixel, colour interleaved) in the stored dtype and never mutates `bytes`.
 */
export interface Codec {
  readonly name: string;
  init(): Promise<void>;
  readonly ready: boolean;
  decode(bytes: Uint8Array, info: FrameInfo): StoredArray;
}

/** A typed array of the stored dtype over a copy of `bytes` (copy: codec memory and odd offsets). */
export function storedFromBytes(bytes: Uint8Array, bitsAllocated: number, signed: boolean): StoredArray {
  // Explicit copy: Buffer#slice is a view, and views may start at odd offsets or in wasm memory.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const buf = copy.buffer;
  if (bitsAllocated === 8) return signed ? new Int8Array(buf) : copy;
  if (bitsAllocated === 16)
    return signed ? new Int16Array(buf, 0, copy.length >> 1) : new Uint16Array(buf, 0, copy.length >> 1);
  return signed ? new Int32Array(buf, 0, copy.length >> 2) : new Uint32Array(buf, 0, copy.length >> 2);
}
