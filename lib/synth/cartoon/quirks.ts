import type { Split } from "../../data/dataset";
import { Rng } from "../../util/rng";
import type { SeriesPlan } from "../plan";
import type { CartoonStyle } from "./styles";

/** The real data's irregularities as the cartoon writer draws them; all on by default, all seeded. */
export interface CartoonQuirks {
  /** About one test study in six (at least one when there are two or more) has no Sagittal T1. */
  readonly missingSagittalT1: boolean;
  /** About three studies in ten split their axials over two "Axial T2" series. */
  readonly splitAxialSeries: boolean;
  /** About six studies in ten have one axial block per level; the others one continuous stack. */
  readonly multipleAxialStacks: boolean;
  /** About one series in five stored as signed 16-bit with RescaleSlope/Intercept. */
  readonly signedRescaledPixels: boolean;
  /** About one series in five written as implicit VR little endian. */
  readonly implicitVr: boolean;
  /** About one unsigned series in seven stored as MONOCHROME1 (inverted). */
  readonly monochrome1: boolean;
  /**
   * One study in fifteen per split (at least one) has a file cut inside its pixel data, so the
   * header reads and the pixels do not; the first half of those studies (rounded up) lose their
   * mid-sagittal T2 file (the one holding the canal points), the others a file drawn at random.
   */
  readonly truncatedFiles: boolean;
}

export const DEFAULT_CARTOON_QUIRKS: CartoonQuirks = {
  missingSagittalT1: true,
  splitAxialSeries: true,
  multipleAxialStacks: true,
  signedRescaledPixels: true,
  implicitVr: true,
  monochrome1: true,
  truncatedFiles: true,
};

export const NO_CARTOON_QUIRKS: CartoonQuirks = {
  missingSagittalT1: false,
  splitAxialSeries: false,
  multipleAxialStacks: false,
  signedRescaledPixels: false,
  implicitVr: false,
  monochrome1: false,
  truncatedFiles: false,
};

export type TruncatedFile = "mid-sagittal" | "random";

/** Quirks decided over a whole split (so their counts are exact), by study index within the split. */
export interface SplitQuirks {
  readonly noSagittalT1: ReadonlySet<number>;
  readonly truncated: Readonly<Record<Split, ReadonlyMap<number, TruncatedFile>>>;
}

export function splitQuirks(seed: number, train: number, test: number, q: CartoonQuirks): SplitQuirks {
  const rng = new Rng(seed).fork(23);
  const pick = (n: number, k: number) => rng.shuffle([...Array(n).keys()]).slice(0, k);
  const missing = q.missingSagittalT1 && test >= 2 ? Math.max(1, Math.round(test / 6)) : 0;
  const noSagittalT1 = new Set(pick(test, missing));
  const truncatedIn = (n: number) => {
    const k = q.truncatedFiles && n > 0 ? Math.max(1, Math.round(n / 15)) : 0;
    return new Map(pick(n, k).map((i, j) => [i, j < Math.ceil(k / 2) ? "mid-sagittal" : "random"] as const));
  };
  return { noSagittalT1, truncated: { train: truncatedIn(train), test: truncatedIn(test) } };
}

/** How one series stores its pixels. */
export function seriesFormat(
  rng: Rng,
  q: CartoonQuirks,
  style: CartoonStyle,
): Pick<SeriesPlan, "signedRescaled" | "bitsStored" | "gain" | "monochrome1" | "implicitVr"> {
  const signed = q.signedRescaledPixels && rng.bool(0.2);
  const monochrome1 = !signed && q.monochrome1 && rng.bool(1 / 7);
  return {
    signedRescaled: signed
      ? { slope: rng.pick([0.5, 1, 2.5]), intercept: rng.pick([-1024, 1024, 4096]) }
      : null,
    bitsStored: signed ? 16 : rng.pick(style.bitsStored),
    gain: rng.uniform(500, 2500),
    monochrome1,
    implicitVr: q.implicitVr && rng.bool(0.2),
  };
}
