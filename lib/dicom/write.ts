/** What `encodeDicom` writes: one MR frame, explicit VR little endian, like our synthetic generator. */
export interface DicomImageSpec {
  rows: number;
  columns: number;
  /** Stored values [rows, columns] row-major; Int16Array writes PixelRepresentation 1. */
  pixels: Int16Array | Uint16Array;
  bitsStored?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  imagePositionPatient?: [number, number, number];
  imageOrientationPatient?: [number, number, number, number, number, number];
  /** [row spacing, column spacing] mm. */
  pixelSpacing?: [number, number];
  instanceNumber?: number;
  seriesInstanceUid?: string;
  seriesDescription?: string;
  frameOfReferenceUid?: string;
  sopInstanceUid?: string;
}

interface DcmjsData {
  DicomMetaDictionary: { denaturalizeDataset(ds: object): object };
  DicomDict: new (meta: object) => { dict: object; write(): ArrayBuffer };
}
/** dcmjs (no type declarations; this is the slice we use), loaded on first write: readers never pay for it. */
function dcmjsData(): DcmjsData {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("dcmjs") as { data: DcmjsData }).data;
}

/**
 * A DICOM Part 10 file (explicit VR LE, MR, MONOCHROME2, 16-bit) written with dcmjs, for tests,
 * benchmarks and round trips. Geometry attributes are written only when given.
 */
export function encodeDicom(spec: DicomImageSpec): Uint8Array {
  const signed = spec.pixels instanceof Int16Array;
  const bitsStored = spec.bitsStored ?? 16;
  const sop = spec.sopInstanceUid ?? `2.25.${spec.instanceNumber ?? 1}`;
  const ds: Record<string, unknown> = {
    SOPClassUID: "1.2.840.10008.5.1.4.1.1.4",
    SOPInstanceUID: sop,
    Modality: "MR",
    SeriesInstanceUID: spec.seriesInstanceUid ?? "2.25.1",
    SeriesDescription: spec.seriesDescription ?? "",
    FrameOfReferenceUID: spec.frameOfReferenceUid ?? "2.25.2",
    Rows: spec.rows,
    Columns: spec.columns,
    BitsAllocated: 16,
    BitsStored: bitsStored,
    HighBit: bitsStored - 1,
    PixelRepresentation: signed ? 1 : 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: "MONOCHROME2",
    PixelData: spec.pixels.slice().buffer,
    _vrMap: { PixelData: "OW" },
  };
  if (spec.rescaleSlope !== undefined) ds.RescaleSlope = String(spec.rescaleSlope);
  if (spec.rescaleIntercept !== undefined) ds.RescaleIntercept = String(spec.rescaleIntercept);
  if (spec.imagePositionPatient) ds.ImagePositionPatient = spec.imagePositionPatient;
  if (spec.imageOrientationPatient) ds.ImageOrientationPatient = spec.imageOrientationPatient;
  if (spec.pixelSpacing) ds.PixelSpacing = spec.pixelSpacing;
  if (spec.instanceNumber !== undefined) ds.InstanceNumber = String(spec.instanceNumber);
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: sop,
    TransferSyntaxUID: "1.2.840.10008.1.2.1",
    ImplementationClassUID: "2.25.3",
  };
  const { DicomDict, DicomMetaDictionary } = dcmjsData();
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}
