/** Irregularities of the real data the generator reproduces; all on by default. */
export interface Quirks {
  /** One test study (when there are at least two) has no Sagittal T1 series. */
  readonly missingSagittalT1: boolean;
  /** About a quarter of studies split their axial stacks over two "Axial T2" series. */
  readonly splitAxialSeries: boolean;
  /** Axials as one tilted stack per disc level (most studies); off: one continuous stack per study. */
  readonly multipleAxialStacks: boolean;
  /** About a fifth of series stored as signed 16-bit with RescaleSlope/Intercept instead of plain MONOCHROME2 uint16. */
  readonly signedRescaledPixels: boolean;
}

export const DEFAULT_QUIRKS: Quirks = {
  missingSagittalT1: true,
  splitAxialSeries: true,
  multipleAxialStacks: true,
  signedRescaledPixels: true,
};

/** No quirks: the regular layout, handy to isolate a failure. */
export const NO_QUIRKS: Quirks = {
  missingSagittalT1: false,
  splitAxialSeries: false,
  multipleAxialStacks: false,
  signedRescaledPixels: false,
};
