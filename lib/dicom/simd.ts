/**
 * WebAssembly SIMD conversion of 16-bit stored samples to float32 modality values: mask or
 * sign-extend BitsStored, then * slope + intercept, 8 samples per step. Source: wasm/convert.wat
 * (built with wat2wasm from Debian's wabt; the bytes below are that build, so nothing is needed
 * at run time). Falls back to the JS loops when WebAssembly SIMD is unavailable.
 */
import { readEnv } from "../util/env";

const WASM_BASE64 =
  "AGFzbQEAAAABCgFgBn9/f399fQADAwIAAAUDAQABBxYDBm1lbW9yeQIAA3UxNgAAA2kxNgABCvkBAnsCAX8EeyAD/RAhByAE/RMhCCAF/RMhCSAAIAJBAXRqIQYCQANAIAAgBk8NASAA/QAEACAH/U4hCiABIAr9qQH9+gEgCP3mASAJ/eQB/QsEACABIAr9qgH9+gEgCP3mASAJ/eQB/QsEECAAQRBqIQAgAUEgaiEBDAALCwt7AgF/A3sgBP0TIQcgBf0TIQggACACQQF0aiEGAkADQCAAIAZPDQEgAP0ABAAgA/2LASAD/YwBIQkgASAJ/acB/foBIAf95gEgCP3kAf0LBAAgASAJ/agB/foBIAf95gEgCP3kAf0LBBAgAEEQaiEAIAFBIGohAQwACwsL";

// tsconfig's lib has no WebAssembly declarations (no DOM): the slice of the API used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface Kernels {
  memory: WasmMemory;
  u16(src: number, dst: number, n: number, mask: number, scale: number, bias: number): void;
  i16(src: number, dst: number, n: number, shift: number, scale: number, bias: number): void;
}

let kernels: Kernels | null | undefined;
let enabled = readEnv("LUMBAR_DICOM_SIMD") !== "0";

/** Turn the SIMD path off/on (tests compare it with the JS loops; LUMBAR_DICOM_SIMD=0 disables). */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    const bytes = Buffer.from(WASM_BASE64, "base64");
    kernels = WA && WA.validate(bytes) ? (new WA.Instance(new WA.Module(bytes)).exports as Kernels) : null;
  } catch {
    kernels = null;
  }
  return kernels;
}

/**
 * Convert `src` into `out` (same length) with the SIMD kernels; false when they are not available
 * (the caller then runs its JS loop). `bits` is BitsStored; signedness follows the array type.
 * Arithmetic is float32 (results equal the JS double path whenever they are exact in float32).
 */
export function convert16Simd(
  src: Uint16Array | Int16Array,
  out: Float32Array,
  bits: number,
  slope: number,
  intercept: number,
): boolean {
  const k = enabled ? load() : null;
  if (!k || src.length < 64) return false;
  const n = src.length;
  const bulk = n & ~7;
  const dstOffset = (n * 2 + 15) & ~15;
  const need = dstOffset + n * 4;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const mem = k.memory.buffer;
  new Uint8Array(mem, 0, n * 2).set(new Uint8Array(src.buffer, src.byteOffset, n * 2));
  if (src instanceof Int16Array) k.i16(0, dstOffset, bulk, 16 - bits, slope, intercept);
  else k.u16(0, dstOffset, bulk, bits >= 16 ? 0xffff : (1 << bits) - 1, slope, intercept);
  out.set(new Float32Array(mem, dstOffset, bulk));
  // The last n % 8 samples in JS, same formula.
  const shift = 32 - bits;
  const mask = bits >= 16 ? 0xffff : (1 << bits) - 1;
  for (let i = bulk; i < n; i++) {
    const v = src instanceof Int16Array ? (src[i] << shift) >> shift : src[i] & mask;
    out[i] = Math.fround(Math.fround(v * Math.fround(slope)) + Math.fround(intercept));
  }
  return true;
}
