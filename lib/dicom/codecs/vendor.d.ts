// Type shims for codec packages that ship no declarations. Only what lib/dicom/codecs uses.

declare module "jpeg-lossless-decoder-js" {
  export class Decoder {
    decompress(buffer: ArrayBuffer, offset?: number, length?: number): ArrayBuffer;
  }
}

interface CornerstoneFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}
interface CornerstoneDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CornerstoneFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
/** Emscripten Module overrides: we silence OpenJPEG's [INFO] lines on stdout. */
interface EmscriptenOptions {
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}
type CornerstoneDecoderClass = new () => CornerstoneDecoder;

declare module "@cornerstonejs/codec-openjpeg/decodewasmjs" {
  const factory: (module?: EmscriptenOptions) => Promise<{ J2KDecoder: CornerstoneDecoderClass }>;
  export = factory;
}
declare module "@cornerstonejs/codec-charls/decodewasmjs" {
  const factory: (module?: EmscriptenOptions) => Promise<{ JpegLSDecoder: CornerstoneDecoderClass }>;
  export = factory;
}
declare module "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs" {
  const factory: (module?: EmscriptenOptions) => Promise<{ JPEGDecoder: CornerstoneDecoderClass }>;
  export = factory;
}
