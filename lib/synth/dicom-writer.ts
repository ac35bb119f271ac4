import { writeFileSync } from "node:fs";
import type { SeriesPlan, SlicePlan } from "./plan";
import { sliceNormal } from "./plan";
import { dot } from "./vec";

/** The part of dcmjs we use (the package ships no type declarations). */
interface DcmjsData {
  DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown> };
  DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require("dcmjs") as { data: DcmjsData };

export const MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";
export const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
export const IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
/** UID prefix for instances, frames of reference and the implementation (pydicom's public root). */
const UID_ROOT = "1.2.826.0.1.3680043.8.498";

export interface SliceIdentity {
  readonly studyId: number;
  readonly series: SeriesPlan;
  readonly seriesNumber: number;
  /** 1-based. */
  readonly instance: number;
}

/**
 * Quantise relative signal to the series' stored pixel format. Returns stored values and the
 * window in modality (rescaled) units.
 */
export function toStoredPixels(
  img: Float32Array,
  series: SeriesPlan,
): { pixels: Uint16Array | Int16Array; center: number; width: number } {
  const gain = series.gain;
  let max = 0;
  for (let k = 0; k < img.length; k += 7) if (img[k] > max) max = img[k];
  const fmt = series.signedRescaled;
  if (fmt && series.monochrome1) throw new RangeError("MONOCHROME1 is written for unsigned series only");
  if (fmt) {
    const out = new Int16Array(img.length);
    for (let k = 0; k < img.length; k++) {
      const stored = Math.round((img[k] * gain - fmt.intercept) / fmt.slope);
      out[k] = Math.max(-32768, Math.min(32767, stored));
    }
    return { pixels: out, center: Math.round(0.45 * max * gain), width: Math.round(0.9 * max * gain) };
  }
  const top = series.bitsStored === 12 ? 4095 : 65535;
  const out = new Uint16Array(img.length);
  for (let k = 0; k < img.length; k++) out[k] = Math.max(0, Math.min(top, Math.round(img[k] * gain)));
  const center = Math.round(0.45 * max * gain);
  if (!series.monochrome1) return { pixels: out, center, width: Math.round(0.9 * max * gain) };
  // MONOCHROME1: the smallest value is white, so readers invert top - v back to the signal.
  for (let k = 0; k < out.length; k++) out[k] = top - out[k];
  return { pixels: out, center: top - center, width: Math.round(0.9 * max * gain) };
}

/** DS values: at most 16 characters, no exponent. */
function ds(v: number): string {
  for (let digits = 6; digits >= 0; digits--) {
    const t = String(Number(v.toFixed(digits)));
    if (t.length <= 16 && !t.includes("e")) return t === "-0" ? "0" : t;
  }
  throw new RangeError(`value ${v} does not fit a DS`);
}

/** MR acquisition attributes typical of each contrast (no link to any label). */
function acquisition(seq: SeriesPlan["sequence"]): Record<string, unknown> {
  const common = {
    SequenceVariant: "SK",
    ScanOptions: "",
    MRAcquisitionType: "2D",
    MagneticFieldStrength: "1.5",
    EchoNumbers: "1",
  };
  if (seq === "T1")
    return { ScanningSequence: "SE", ...common, RepetitionTime: "550", EchoTime: "12", EchoTrainLength: "3" };
  if (seq === "STIR")
    return {
      ScanningSequence: ["SE", "IR"],
      ...common,
      RepetitionTime: "3500",
      EchoTime: "50",
      InversionTime: "150",
      EchoTrainLength: "12",
    };
  return {
    ScanningSequence: "SE",
    ...common,
    RepetitionTime: "3200",
    EchoTime: "100",
    EchoTrainLength: "16",
  };
}

/**
 * One MR Image Storage instance with every tag our loader reads: explicit VR little endian and
 * MONOCHROME2 unless the series asks for implicit VR or MONOCHROME1.
 */
export function encodeMrSlice(id: SliceIdentity, plan: SlicePlan, img: Float32Array): Buffer {
  const { series } = id;
  const { pixels, center, width } = toStoredPixels(img, series);
  const signed = series.signedRescaled !== null;
  const bits = series.bitsStored;
  const sopInstanceUid = `${UID_ROOT}.${id.studyId}.${series.seriesId}.${id.instance}`;
  const iop = [...plan.rowDir, ...plan.colDir].map(ds);
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: "ISO_IR 100",
    ImageType: ["ORIGINAL", "PRIMARY", "M", "NORM"],
    SOPClassUID: MR_IMAGE_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    Modality: "MR",
    SeriesDescription: series.description,
    PatientID: String(id.studyId),
    PatientName: String(id.studyId),
    StudyDate: "",
    StudyTime: "",
    AccessionNumber: "",
    ReferringPhysicianName: "",
    StudyID: "",
    PatientBirthDate: "",
    PatientSex: "",
    PatientPosition: "HFS",
    PositionReferenceIndicator: "",
    BodyPartExamined: "LSPINE",
    ...acquisition(series.sequence),
    SliceThickness: ds(plan.thickness),
    SpacingBetweenSlices: ds(series.spacingBetweenSlices),
    // The competition's anonymisation uses the study and series ids as the instance UIDs.
    StudyInstanceUID: String(id.studyId),
    SeriesInstanceUID: String(series.seriesId),
    SeriesNumber: String(id.seriesNumber),
    InstanceNumber: String(id.instance),
    ImagePositionPatient: plan.position.map(ds),
    ImageOrientationPatient: iop,
    FrameOfReferenceUID: `${UID_ROOT}.${id.studyId}.1`,
    SliceLocation: ds(dot(plan.position, sliceNormal(plan))),
    SamplesPerPixel: 1,
    PhotometricInterpretation: series.monochrome1 ? "MONOCHROME1" : "MONOCHROME2",
    Rows: plan.rows,
    Columns: plan.cols,
    PixelSpacing: plan.spacing.map(ds),
    BitsAllocated: 16,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: signed ? 1 : 0,
    WindowCenter: ds(center),
    WindowWidth: ds(Math.max(1, width)),
    RescaleIntercept: ds(series.signedRescaled?.intercept ?? 0),
    RescaleSlope: ds(series.signedRescaled?.slope ?? 1),
    RescaleType: "US",
    PixelData: pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength),
    _vrMap: { PixelData: "OW" },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: MR_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: series.implicitVr ? IMPLICIT_VR_LITTLE_ENDIAN : EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: `${UID_ROOT}.1.1`,
    ImplementationVersionName: "LUMBAR_SYNTH_1",
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

export function writeMrSlice(file: string, id: SliceIdentity, plan: SlicePlan, img: Float32Array): void {
  writeFileSync(file, encodeMrSlice(id, plan, img));
}
