/** Transfer syntax UIDs, named once. */
export const TS = {
  implicitLE: "1.2.840.10008.1.2",
  explicitLE: "1.2.840.10008.1.2.1",
  deflatedLE: "1.2.840.10008.1.2.1.99",
  explicitBE: "1.2.840.10008.1.2.2",
  jpegBaseline: "1.2.840.10008.1.2.4.50",
  jpegExtended: "1.2.840.10008.1.2.4.51",
  jpegLossless57: "1.2.840.10008.1.2.4.57",
  jpegLosslessSV1: "1.2.840.10008.1.2.4.70",
  jpegLsLossless: "1.2.840.10008.1.2.4.80",
  jpegLsNearLossless: "1.2.840.10008.1.2.4.81",
  jpeg2000Lossless: "1.2.840.10008.1.2.4.90",
  jpeg2000: "1.2.840.10008.1.2.4.91",
  rleLossless: "1.2.840.10008.1.2.5",
} as const;

export interface TransferSyntaxInfo {
  readonly uid: string;
  readonly name: string;
  /** Pixel data held in fragments and decoded by a codec. */
  readonly encapsulated: boolean;
  readonly bigEndian: boolean;
  /** The codec may change pixel values (compare with a tolerance, never exactly). */
  readonly lossy: boolean;
}

const INFO: readonly TransferSyntaxInfo[] = [
  {
    uid: TS.implicitLE,
    name: "Implicit VR Little Endian",
    encapsulated: false,
    bigEndian: false,
    lossy: false,
  },
  {
    uid: TS.explicitLE,
    name: "Explicit VR Little Endian",
    encapsulated: false,
    bigEndian: false,
    lossy: false,
  },
  {
    uid: TS.deflatedLE,
    name: "Deflated Explicit VR Little Endian",
    encapsulated: false,
    bigEndian: false,
    lossy: false,
  },
  { uid: TS.explicitBE, name: "Explicit VR Big Endian", encapsulated: false, bigEndian: true, lossy: false },
  {
    uid: TS.jpegBaseline,
    name: "JPEG Baseline (Process 1)",
    encapsulated: true,
    bigEndian: false,
    lossy: true,
  },
  {
    uid: TS.jpegExtended,
    name: "JPEG Extended (Process 2 & 4)",
    encapsulated: true,
    bigEndian: false,
    lossy: true,
  },
  {
    uid: TS.jpegLossless57,
    name: "JPEG Lossless (Process 14)",
    encapsulated: true,
    bigEndian: false,
    lossy: false,
  },
  { uid: TS.jpegLosslessSV1, name: "JPEG Lossless SV1", encapsulated: true, bigEndian: false, lossy: false },
  { uid: TS.jpegLsLossless, name: "JPEG-LS Lossless", encapsulated: true, bigEndian: false, lossy: false },
  {
    uid: TS.jpegLsNearLossless,
    name: "JPEG-LS Near-Lossless",
    encapsulated: true,
    bigEndian: false,
    lossy: true,
  },
  {
    uid: TS.jpeg2000Lossless,
    name: "JPEG 2000 Lossless",
    encapsulated: true,
    bigEndian: false,
    lossy: false,
  },
  { uid: TS.jpeg2000, name: "JPEG 2000", encapsulated: true, bigEndian: false, lossy: true },
  { uid: TS.rleLossless, name: "RLE Lossless", encapsulated: true, bigEndian: false, lossy: false },
];

export const TRANSFER_SYNTAXES: ReadonlyMap<string, TransferSyntaxInfo> = new Map(
  INFO.map((i) => [i.uid, i]),
);

export function transferSyntaxInfo(uid: string): TransferSyntaxInfo | undefined {
  return TRANSFER_SYNTAXES.get(uid);
}
