import * as dicomParser from "dicom-parser";
import type { DataSet } from "dicom-parser";
import { DicomError, toDicomError } from "./errors";
import { headerFromDataSet, PIXEL_DATA_TAG, type DicomHeader } from "./header";
import { TS } from "./transfer-syntax";

export interface ParsedDicom {
  file: string;
  dataSet: DataSet;
  header: DicomHeader;
}

export interface ParseOptions {
  /** Stop at the pixel data element (header only; the bytes may end there). */
  headerOnly?: boolean;
}

/**
 * Parse a DICOM file held in memory. Files without the DICM preamble are read as a bare data set
 * whose syntax is guessed from the first element (explicit LE when a VR follows the tag, else
 * implicit LE). Every failure is a `DicomError` naming `file`.
 */
export function parseDicomBytes(bytes: Uint8Array, file: string, opts: ParseOptions = {}): ParsedDicom {
  const noMeta = !hasPreamble(bytes);
  if (noMeta && !looksLikeDataSet(bytes)) {
    throw new DicomError("NOT_DICOM", file, "no DICM preamble and no data set at offset 0");
  }
  const options: dicomParser.ParseDicomOptions = {};
  if (opts.headerOnly) options.untilTag = PIXEL_DATA_TAG;
  if (noMeta) options.TransferSyntaxUID = guessSyntax(bytes);
  let dataSet: DataSet;
  try {
    // dicom-parser's Node inflate path (deflated syntax) calls Buffer#copy: hand it a Buffer view.
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    dataSet = dicomParser.parseDicom(buf, options);
  } catch (e) {
    throw toDicomError(e, file);
  }
  try {
    // Element values are read lazily: a corrupt length surfaces here, not in parseDicom.
    const tsEl = dataSet.elements.x00020010;
    const uid = tsEl
      ? cleanUid(dataSet.string("x00020010") ?? "")
      : (options.TransferSyntaxUID ?? TS.implicitLE);
    return { file, dataSet, header: headerFromDataSet(dataSet, uid, noMeta) };
  } catch (e) {
    throw toDicomError(e, file);
  }
}

function hasPreamble(b: Uint8Array): boolean {
  return b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
}

/** A bare data set starts with a small group number (0x0008 for almost every real file). */
function looksLikeDataSet(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  const group = b[0] | (b[1] << 8);
  return group >= 0x0002 && group <= 0x0028 && group % 2 === 0;
}

function guessSyntax(b: Uint8Array): string {
  const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
  return isUpper(b[4]) && isUpper(b[5]) ? TS.explicitLE : TS.implicitLE;
}

/** UIDs are padded with NUL or space to an even length. */
function cleanUid(s: string): string {
  return s.replace(/[\0\s]+$/g, "").trim();
}
