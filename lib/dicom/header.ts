import type { DataSet } from "dicom-parser";

import type { Orientation, Vec3 } from "../geometry/vec";

export type { Orientation, Vec3 };

/** The attributes the pipeline needs, typed. Units: mm for every length and position (LPS frame). */
export interface DicomHeader {
  transferSyntaxUid: string;
  /** True when the file had no DICM preamble/meta group and the syntax was guessed from the bytes. */
  noMeta: boolean;
  modality: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesDescription: string;
  frameOfReferenceUid: string;
  rows: number;
  columns: number;
  /** NumberOfFrames, 1 when absent. */
  frames: number;
  samplesPerPixel: number;
  planarConfiguration: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  photometric: string;
  /** Modality rescale; 1 and 0 when absent. */
  rescaleSlope: number;
  rescaleIntercept: number;
  windowCenter: number | null;
  windowWidth: number | null;
  /** Patient position (LPS mm) of the centre of the first transmitted pixel. */
  imagePositionPatient: Vec3 | null;
  imageOrientationPatient: Orientation | null;
  /** [row spacing (between rows, along the column direction), column spacing], mm. */
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
  instanceNumber: number | null;
  echoNumbers: number | null;
  /** A ModalityLUTSequence is present (we apply only RescaleSlope/Intercept; an empty LUT is ignored). */
  hasModalityLut: boolean;
  hasPixelData: boolean;
}

const T = {
  transferSyntax: "x00020010",
  modality: "x00080060",
  sopInstanceUid: "x00080018",
  seriesDescription: "x0008103e",
  studyInstanceUid: "x0020000d",
  seriesInstanceUid: "x0020000e",
  instanceNumber: "x00200013",
  imagePositionPatient: "x00200032",
  imageOrientationPatient: "x00200037",
  frameOfReferenceUid: "x00200052",
  sliceThickness: "x00180050",
  spacingBetweenSlices: "x00180088",
  echoNumbers: "x00180086",
  samplesPerPixel: "x00280002",
  photometric: "x00280004",
  frames: "x00280008",
  planarConfiguration: "x00280006",
  rows: "x00280010",
  columns: "x00280011",
  pixelSpacing: "x00280030",
  bitsAllocated: "x00280100",
  bitsStored: "x00280101",
  highBit: "x00280102",
  pixelRepresentation: "x00280103",
  windowCenter: "x00281050",
  windowWidth: "x00281051",
  rescaleIntercept: "x00281052",
  rescaleSlope: "x00281053",
  modalityLutSequence: "x00283000",
  pixelData: "x7fe00010",
} as const;
export const PIXEL_DATA_TAG = T.pixelData;

/** Read the typed header from a parsed data set; absent optional attributes become null/defaults. */
export function headerFromDataSet(ds: DataSet, transferSyntaxUid: string, noMeta: boolean): DicomHeader {
  const bitsAllocated = us(ds, T.bitsAllocated) ?? 0;
  const bitsStored = us(ds, T.bitsStored) ?? bitsAllocated;
  return {
    transferSyntaxUid,
    noMeta,
    modality: str(ds, T.modality),
    sopInstanceUid: str(ds, T.sopInstanceUid),
    studyInstanceUid: str(ds, T.studyInstanceUid),
    seriesInstanceUid: str(ds, T.seriesInstanceUid),
    seriesDescription: str(ds, T.seriesDescription),
    frameOfReferenceUid: str(ds, T.frameOfReferenceUid),
    rows: us(ds, T.rows) ?? 0,
    columns: us(ds, T.columns) ?? 0,
    frames: Math.max(1, intStr(ds, T.frames) ?? 1),
    samplesPerPixel: us(ds, T.samplesPerPixel) ?? 1,
    planarConfiguration: us(ds, T.planarConfiguration) ?? 0,
    bitsAllocated,
    bitsStored,
    highBit: us(ds, T.highBit) ?? bitsStored - 1,
    pixelRepresentation: us(ds, T.pixelRepresentation) === 1 ? 1 : 0,
    photometric: str(ds, T.photometric) || "MONOCHROME2",
    rescaleSlope: finiteOr(ds, T.rescaleSlope, 1),
    rescaleIntercept: finiteOr(ds, T.rescaleIntercept, 0),
    windowCenter: floats(ds, T.windowCenter, 1)?.[0] ?? null,
    windowWidth: floats(ds, T.windowWidth, 1)?.[0] ?? null,
    imagePositionPatient: floats(ds, T.imagePositionPatient, 3) as Vec3 | null,
    imageOrientationPatient: floats(ds, T.imageOrientationPatient, 6) as Orientation | null,
    pixelSpacing: floats(ds, T.pixelSpacing, 2) as [number, number] | null,
    sliceThickness: floats(ds, T.sliceThickness, 1)?.[0] ?? null,
    spacingBetweenSlices: floats(ds, T.spacingBetweenSlices, 1)?.[0] ?? null,
    instanceNumber: intStr(ds, T.instanceNumber),
    echoNumbers: intStr(ds, T.echoNumbers),
    hasModalityLut: ds.elements[T.modalityLutSequence] !== undefined,
    hasPixelData: ds.elements[T.pixelData] !== undefined,
  };
}

function str(ds: DataSet, tag: string): string {
  return ds.elements[tag] ? (ds.string(tag) ?? "").trim() : "";
}

function us(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  return ds.uint16(tag);
}

function intStr(ds: DataSet, tag: string): number | null {
  const s = str(ds, tag);
  if (s === "") return null;
  const v = Number.parseInt(s, 10);
  return Number.isFinite(v) ? v : null;
}

/** Exactly `n` finite backslash-separated decimals, else null (a partial geometry is no geometry). */
function floats(ds: DataSet, tag: string, n: number): number[] | null {
  const s = str(ds, tag);
  if (s === "") return null;
  const parts = s.split("\\");
  if (parts.length < n) return null;
  const out = parts.slice(0, n).map((p) => Number(p.trim()));
  return out.every(Number.isFinite) ? out : null;
}

function finiteOr(ds: DataSet, tag: string, dflt: number): number {
  const v = floats(ds, tag, 1)?.[0];
  return v === undefined ? dflt : v;
}
