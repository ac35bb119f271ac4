import { isDicomError } from "./errors";
import { readDicom, storedStats } from "./image";

/** One line of `lumbar dicom-info --json`: header essentials and stored-value statistics. */
export interface DicomInfo {
  file: string;
  transferSyntaxUid: string;
  rows: number;
  columns: number;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometric: string;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Over all frames and samples of the stored values (sign-extended, before rescale and inversion). */
  storedMin: number;
  storedMax: number;
  storedSum: number;
}

export interface DicomInfoFailure {
  file: string;
  error: { code: string; message: string };
}

/** Decode a file fully and summarise it; a DicomError becomes a failure record, anything else throws. */
export async function dicomInfo(file: string): Promise<DicomInfo | DicomInfoFailure> {
  try {
    const img = await readDicom(file);
    const h = img.header;
    const s = storedStats(img);
    return {
      file,
      transferSyntaxUid: h.transferSyntaxUid,
      rows: h.rows,
      columns: h.columns,
      frames: h.frames,
      bitsAllocated: h.bitsAllocated,
      bitsStored: h.bitsStored,
      pixelRepresentation: h.pixelRepresentation,
      photometric: h.photometric,
      rescaleSlope: h.rescaleSlope,
      rescaleIntercept: h.rescaleIntercept,
      storedMin: s.min,
      storedMax: s.max,
      storedSum: s.sum,
    };
  } catch (e) {
    if (!isDicomError(e)) throw e;
    return { file, error: { code: e.code, message: e.detail } };
  }
}
