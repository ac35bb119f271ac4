import { LumbarError } from "../util/errors";

/** Why a DICOM file could not be read; stable strings for logs, JSON output and tests. */
export type DicomErrorCode =
  | "READ_FAILED" // the file system refused (missing file, directory, permissions)
  | "NOT_DICOM" // no DICM preamble and the bytes do not look like a data set either
  | "TRUNCATED" // an element or the pixel data runs past the end of the file
  | "BAD_HEADER" // a required image attribute is missing or impossible
  | "NO_PIXEL_DATA" // the data set has no (7FE0,0010)
  | "UNSUPPORTED_TRANSFER_SYNTAX" // no decoder for this transfer syntax UID
  | "UNSUPPORTED_PIXEL_FORMAT" // e.g. 1-bit or float pixel data
  | "DECODE_FAILED"; // a codec rejected the compressed frame

/** Bad DICOM input: names the file and a code; `uid` is set for transfer-syntax problems. */
export class DicomError extends LumbarError {
  readonly name = "DicomError";
  constructor(
    readonly code: DicomErrorCode,
    readonly file: string,
    readonly detail: string,
    readonly uid?: string,
  ) {
    super(`${file}: ${code}: ${detail}`);
  }
}

export function isDicomError(e: unknown): e is DicomError {
  return e instanceof DicomError;
}

/** dicom-parser throws strings and plain Errors; map them to a code by their wording. */
export function toDicomError(e: unknown, file: string): DicomError {
  if (e instanceof DicomError) return e;
  const text = describe(e);
  let code: DicomErrorCode = "BAD_HEADER";
  if (/DICM prefix not found/i.test(text)) code = "NOT_DICOM";
  else if (
    /overr(ead|un)|past end|beyond|end of buffer|greater than or equal to 'byteArray' length|outside the bounds|out of range|offset is outside/i.test(
      text,
    )
  )
    code = "TRUNCATED";
  return new DicomError(code, file, text.replace(/^dicomParser\.\w+: /, ""));
}

/** dicom-parser throws strings, Errors, or `{ exception, dataSet }` objects. */
function describe(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === "object" && "exception" in e)
    return describe((e as { exception: unknown }).exception);
  return String(e);
}
