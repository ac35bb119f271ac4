/** What the cartoon draws, each with one value per series kind of a style. */
export const TISSUES = [
  "air",
  "soft",
  "muscle",
  "fat",
  "organBright",
  "organDark",
  "marrow",
  "cortex",
  "bone",
  "annulus",
  "nucleus",
  "epidural",
  "csf",
  /** What narrows: the canal's pinch and a foramen's lost fat. */
  "stenosis",
  "foramenFat",
  "nerve",
  /** The subarticular sign's shape. */
  "sign",
] as const;
export type CartoonTissue = (typeof TISSUES)[number];
export type Intensities = Readonly<Record<CartoonTissue, number>>;

export type SeriesKind = "sagittalT2" | "sagittalT1" | "axialT2";

interface SliceGrid {
  /** [rows, columns] drawn from. */
  readonly matrices: readonly (readonly [number, number])[];
  /** Field of view across the columns, mm (square pixels). */
  readonly fovMm: readonly [number, number];
  /** Slice step, mm. */
  readonly gapMm: readonly [number, number];
  /** Slices per sagittal series, or per axial block of one level. */
  readonly count: readonly [number, number];
}

export interface CartoonStyle {
  readonly name: CartoonStyleName;
  /** One line: how the style looks and where its signs go. */
  readonly summary: string;
  readonly intensity: Readonly<Record<SeriesKind, Intensities>>;
  readonly sagittal: SliceGrid;
  readonly axial: SliceGrid;
  /** Gaussian noise (relative signal), speckle (multiplicative), linear bias field and background blotches. */
  readonly noise: {
    readonly additive: number;
    readonly multiplicative: number;
    readonly bias: number;
    readonly blotch: number;
  };
  /**
   * Sagittal T1 slices that show a foraminal sign: "labelled" the labelled slice and its two
   * neighbours; "beyond" the two slices lateral of those neighbours (none of the labelled three).
   */
  readonly foraminalSigns: "labelled" | "beyond";
  /** The subarticular sign's shape on its 3 axial slices per level. */
  readonly subarticularShape: "circle" | "square";
  readonly bitsStored: readonly (12 | 16)[];
}

export const CARTOON_STYLE_NAMES = ["bright-canal", "dark-canal"] as const;
export type CartoonStyleName = (typeof CARTOON_STYLE_NAMES)[number];

// Column order of the rows below: TISSUES.
const table = (v: readonly number[]): Intensities => {
  if (v.length !== TISSUES.length) throw new RangeError(`intensity row has ${v.length} values`);
  return Object.fromEntries(TISSUES.map((t, i) => [t, v[i]])) as Intensities;
};

// Each style keeps its key tissues apart (the canal's CSF from the epidural fat and the stenosis, the
// sign from everything near the recess, foramen fat from the stenosis), so a sign reads at a glance.
//                air   soft  musc  fat   orgB  orgD  marr  cort  bone  annu  nucl  epid  csf   sten  fFat  nerv  sign
// prettier-ignore
const BRIGHT_T2 = [0.02, 0.34, 0.22, 0.6, 0.85, 0.1, 0.42, 0.08, 0.14, 0.2, 0.78, 0.6, 1.0, 0.3, 0.6, 0.22, 0.02];
// prettier-ignore
const BRIGHT_T1 = [0.02, 0.42, 0.3, 0.9, 0.7, 0.12, 0.66, 0.08, 0.22, 0.3, 0.4, 0.9, 0.16, 0.12, 0.9, 0.24, 0.1];
// prettier-ignore
const DARK_T2 = [0.14, 0.5, 0.6, 0.3, 0.12, 0.7, 0.78, 0.86, 0.82, 0.5, 0.24, 0.3, 0.08, 0.7, 0.3, 0.6, 1.25];
// prettier-ignore
const DARK_T1 = [0.12, 0.55, 0.62, 0.14, 0.2, 0.7, 0.3, 0.88, 0.8, 0.7, 0.82, 0.4, 0.9, 0.86, 0.14, 0.7, 0.9];

export const CARTOON_STYLES: Readonly<Record<CartoonStyleName, CartoonStyle>> = {
  "bright-canal": {
    name: "bright-canal",
    summary:
      "T2-like: bright canal and nuclei on T2, bright fat on T1; 320-384 px; foraminal signs on the labelled Sagittal T1 slice and its neighbours; dark circles for subarticular signs",
    intensity: { sagittalT2: table(BRIGHT_T2), sagittalT1: table(BRIGHT_T1), axialT2: table(BRIGHT_T2) },
    sagittal: {
      matrices: [
        [320, 320],
        [352, 352],
        [384, 384],
      ],
      fovMm: [260, 320],
      gapMm: [3.6, 4.4],
      count: [17, 21],
    },
    axial: {
      matrices: [
        [320, 320],
        [384, 384],
      ],
      fovMm: [165, 210],
      gapMm: [3.5, 4.5],
      count: [4, 6],
    },
    noise: { additive: 0.035, multiplicative: 0, bias: 0.15, blotch: 0.3 },
    foraminalSigns: "labelled",
    subarticularShape: "circle",
    bitsStored: [12, 16],
  },
  "dark-canal": {
    name: "dark-canal",
    summary:
      "inverted orderings: dark canal, bright bone and cortex on T2, dark fat and bright CSF on T1; 448-512 px, some non-square; foraminal signs two and three slices lateral of the labelled one; bright squares for subarticular signs",
    intensity: { sagittalT2: table(DARK_T2), sagittalT1: table(DARK_T1), axialT2: table(DARK_T2) },
    sagittal: {
      matrices: [
        [448, 448],
        [512, 512],
        [512, 448],
      ],
      fovMm: [210, 250],
      gapMm: [3.2, 4.0],
      count: [17, 21],
    },
    axial: {
      matrices: [
        [448, 448],
        [512, 512],
        [448, 512],
      ],
      fovMm: [150, 190],
      gapMm: [3.0, 4.0],
      count: [3, 5],
    },
    noise: { additive: 0.02, multiplicative: 0.06, bias: 0.2, blotch: 0.45 },
    foraminalSigns: "beyond",
    subarticularShape: "square",
    bitsStored: [16],
  },
};

export function isCartoonStyle(name: string): name is CartoonStyleName {
  return (CARTOON_STYLE_NAMES as readonly string[]).includes(name);
}
