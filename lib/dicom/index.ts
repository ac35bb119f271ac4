/**
 * DICOM decoding: typed headers, stored and rescaled pixels for every common transfer syntax,
 * series folders split into geometric stacks. Units: mm, LPS patient coordinates.
 */
export { DicomError, isDicomError, type DicomErrorCode } from "./errors";
export type { DicomHeader, Orientation, Vec3 } from "./header";
export { TS, TRANSFER_SYNTAXES, transferSyntaxInfo, type TransferSyntaxInfo } from "./transfer-syntax";
export { CODECS, initCodecs, type Codec, type FrameInfo, type StoredArray } from "./codecs";
export { parseDicomBytes, type ParsedDicom } from "./parse";
export { invertMonochrome1, normaliseStoredBits, rescaleToFloat32 } from "./pixels";
export {
  DicomImage,
  decodeDicom,
  readDicom,
  readDicomHeader,
  readDicomSync,
  storedStats,
  type FrameOptions,
  type StoredStats,
} from "./image";
export {
  LazySlices,
  Stack,
  loadSeries,
  locateInstance,
  medianGap,
  seriesFromHeaders,
  type LoadSeriesOptions,
  type OpenSlicesOptions,
  type Series,
  type SliceRef,
  type StackSlice,
  type UnusableFile,
  type Volume,
} from "./series";
export { resizeBilinear } from "./resize";
export { dicomInfo, type DicomInfo, type DicomInfoFailure } from "./info";
export { projectInstancePoint, projectPixelToSeries, type CrossProjection } from "./cross-series";
export { encodeDicom, type DicomImageSpec } from "./write";
export { DicomFileReader } from "./reader";
