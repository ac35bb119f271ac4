import type { Family } from "../data/schema";
import type { FamilyCrop } from "../crop/spec";
import type { ClassifierSpec, LocalizerSpec, SidePointSpec } from "../models";
import type { GateMode } from "../gates";
import { UsageError } from "../util/errors";

export const PROFILES = ["smoke", "quick", "full"] as const;
export type Profile = (typeof PROFILES)[number];

/** Stage 1: a heatmap network that finds the five disc levels on the mid-sagittal T2 slice. */
export interface LocalizerConfig {
  /** Side of the square input the slice is resized to, pixels. */
  readonly inputPx: number;
  /** Output heatmap is inputPx / stride per side (stride = 2 ** number of pooling blocks). */
  readonly filters: readonly number[];
  /** Gaussian sigma of the target heatmap, in heatmap cells. */
  readonly sigmaCells: number;
  /** Epochs from a seeded random init. */
  readonly epochs: number;
  /** Epochs when training starts from `init`'s weights instead (localizerTrainingConfig). */
  readonly fineTuneEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /**
   * Geometry augmentation (image and points together): shift up to this fraction of the image per
   * axis, zoom (source pixels per input pixel: above 1 shows more field of view) drawn from the range,
   * rotation up to +-rotateDeg. Field of view differs between scanners (a real study is 280 mm across).
   */
  readonly shiftFrac: number;
  readonly zoom: readonly [number, number];
  readonly rotateDeg: number;
  /** Intensity domain randomization of the mid slice (lib/train/randomize.ts); null: off. */
  readonly randomize: IntensityRandomization | null;
  /**
   * Weights training starts from instead of a seeded random init: "synthetic" (the localizer the
   * project ships, lib/models/shipped.ts) or a weights file of the same architecture; null: random.
   */
  readonly init: string | null;
}

/** The localizer config a unit trains with: started from `init`'s weights, it runs fineTuneEpochs. */
export function localizerTrainingConfig(cfg: LocalizerConfig): LocalizerConfig {
  return cfg.init === null ? cfg : { ...cfg, epochs: cfg.fineTuneEpochs };
}

/** One randomization part: applied with probability p, its value drawn uniformly from range. */
export interface RandomPart {
  readonly p: number;
  readonly range: readonly [number, number];
}

/**
 * Training-time intensity randomization (lib/train/randomize.ts), on the normalised unit range (the
 * 1st percentile at 0, the 99th at 1), re-normalised afterwards: what must not matter to a network
 * (contrast ordering, bias field, blur, noise) varies from batch to batch.
 */
export interface IntensityRandomization {
  /** A random piecewise-linear LUT through `controlPoints` values in [0, 1], sorted (monotone) with monotoneP. */
  readonly remap: { readonly p: number; readonly controlPoints: number; readonly monotoneP: number };
  readonly invert: { readonly p: number };
  /** Exponent, drawn log-uniformly from range. */
  readonly gamma: RandomPart;
  /** Smooth quadratic multiplicative field: its largest |log gain|. */
  readonly bias: RandomPart;
  /** Gaussian blur sigma, input pixels. */
  readonly blur: RandomPart;
  /** Rician noise: sd of each Gaussian component, unit-range units. */
  readonly noise: RandomPart;
}

/** Stage 2: one 2.5D CNN per condition family, level and side as extra inputs. */
export interface ClassifierConfig {
  /** Output pixels per side of each crop fed to the model. */
  readonly cropPx: number;
  /** Per family: square extent in mm and slices either side (lib/crop cuts them; see lib/study cropStack). */
  readonly crops: Readonly<Record<Family, FamilyCrop>>;
  readonly filters: readonly number[];
  readonly dense: number;
  readonly dropout: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Weight of the any-severe-spinal term added to the spinal loss. */
  readonly anySevereWeight: number;
  /** Position augmentation in mm (about the localizer's typical error), slice shift, scale, rotation, intensity. */
  readonly augment: {
    readonly shiftMm: number;
    readonly sliceShift: number;
    readonly scale: number;
    readonly rotateDeg: number;
    readonly intensity: number;
  };
}

/**
 * Stage 1b: side points. A small heatmap network refines each foraminal (Sagittal T1) and
 * subarticular (Axial T2) point around its geometric projection (level + mean offset): it reads a
 * window of `sizeMm` centred on the projection on the projected slice and its neighbours, and the
 * slice with the highest peak wins.
 */
export interface SidePointConfig {
  /** Window side in pixels (the network's input) and in mm. */
  readonly inputPx: number;
  readonly sizeMm: number;
  readonly filters: readonly number[];
  /** Gaussian sigma of the in-plane target, mm; the target's height falls off with the slice's distance (sliceSigmaMm). */
  readonly sigmaMm: number;
  readonly sliceSigmaMm: number;
  /** Training: window centres drawn up to this far (mm, per axis) from the labelled point. */
  readonly jitterMm: number;
  /** Intensity domain randomization of each training window (lib/train/randomize.ts); null: off. */
  readonly randomize: IntensityRandomization | null;
  /** Slices either side of the labelled one trained on (as weaker targets) and searched at inference. */
  readonly slicesEachSide: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Keep the projection when the best peak (sigmoid) is below this, or the answer moves it further than maxShiftMm. */
  readonly minPeak: number;
  readonly maxShiftMm: number;
}

export interface TrainConfig {
  readonly profile: Profile;
  readonly seed: number;
  /** k of the k-fold cross-validation grouped by study. */
  readonly folds: number;
  /** Train at most this many studies (null: all); keeps smoke runs short. */
  readonly maxTrainStudies: number | null;
  /** Epochs without improvement of the validation metric before stopping. */
  readonly patience: number;
  /** Mirror test-time augmentation (averaged with the plain prediction), where its gate lets it. */
  readonly tta: boolean;
  /** How the optional parts are chosen (lib/gates): out of fold ("auto"), all on, or none. */
  readonly gates: GateMode;
  readonly localizer: LocalizerConfig;
  readonly classifier: ClassifierConfig;
  readonly sidePoints: SidePointConfig;
  /**
   * Worker threads training units (folds x models) concurrently; null = one per core, 1 = in the
   * main thread. Units are seeded independently, so this changes the wall time, not the weights.
   */
  readonly threads: number | null;
}

/** The fields that decide the trained weights: what a checkpoint folder must agree with to resume. */
export type WeightsConfig = Omit<TrainConfig, "threads">;

export function weightsConfig(config: TrainConfig): WeightsConfig {
  const { threads: _threads, ...rest } = config;
  return rest;
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends readonly unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};
export type TrainOverrides = DeepPartial<TrainConfig>;

/** The stage 1 nets' default intensity randomization (SynthSeg-like, milder: half the batches keep their look). */
export const INTENSITY_RANDOMIZATION: IntensityRandomization = {
  remap: { p: 0.3, controlPoints: 5, monotoneP: 0.5 },
  invert: { p: 0.2 },
  gamma: { p: 0.5, range: [0.6, 1.6] },
  bias: { p: 0.5, range: [0.1, 0.4] },
  blur: { p: 0.3, range: [0.3, 1.2] },
  noise: { p: 0.4, range: [0.01, 0.06] },
};

export const DEFAULT_CONFIG: TrainConfig = {
  profile: "quick",
  seed: 42,
  // 5 folds: each model sees 80% of the studies and the test ensemble has 5 members; with 3 folds
  // the 10-study demo test score swung by +-0.06 between otherwise similar runs.
  folds: 5,
  maxTrainStudies: null,
  // No early stopping in practice: the validation folds hold ~12 studies, and stopping at their noise
  // (epochs 12-17 with patience 5) cut the cosine schedule before its low-rate end. Running all
  // epochs and keeping the best one (demo set, quick): CV at labelled points 0.448 -> 0.421 / 0.436,
  // localized CV 0.509 -> 0.509 / 0.505 -> 0.501, test 0.605 -> 0.511 / 0.558 -> 0.548 (seeds 42 / 7).
  patience: 100,
  tta: true,
  gates: "auto",
  localizer: {
    // 128 px (a 32x32 heatmap) with chain decoding (lib/models/level-chain.ts). 64 px cost more than
    // the classifier (level error ~6.5 mm); 96 px gave CV 0.509 / 0.501 (seeds 42 / 7); 128 px alone
    // had wrong-disc outliers on test (p90 28-31 mm) that the chain decoding removes: CV 0.453 / 0.476,
    // test 0.490 / 0.501, test level error p90 7.3 / 7.4 mm.
    inputPx: 128,
    filters: [8, 16, 32],
    sigmaCells: 1.0,
    // 36 epochs with 60 classifier epochs (below): honest CV 0.391 / 0.401 vs 0.425 / 0.401 at 24.
    epochs: 36,
    // From the shipped localizer (the quick profile's start), demo seed 42: 12 epochs gave CV 0.321,
    // honest CV 0.341, test 0.348 against 36 epochs' 0.319 / 0.341 / 0.355 at a third of the cost;
    // on cartoon dark-canal (never in the shipped one's training) 6 epochs from it already beat 36
    // from scratch (README "What transfers").
    fineTuneEpochs: 12,
    batchSize: 8,
    learningRate: 2e-3,
    shiftFrac: 0.08,
    zoom: [0.75, 1.35],
    rotateDeg: 12,
    randomize: INTENSITY_RANDOMIZATION,
    init: null,
  },
  classifier: {
    cropPx: 24,
    crops: {
      // Tighter crops beat 36-52 mm ones in 3-fold CV on the demo set (GT coordinates): the
      // narrowing is a few mm, and at 24 px a smaller field means more pixels on it.
      spinal: { sizeMm: 28, slicesEachSide: 1 },
      foraminal: { sizeMm: 28, slicesEachSide: 1 },
      subarticular: { sizeMm: 32, slicesEachSide: 1 },
    },
    filters: [16, 32, 48],
    dense: 32,
    dropout: 0.2,
    // Longer schedules, paid for by the native backend (demo set, honest CV, seeds 42 / 7): 20 epochs
    // 0.473 / 0.467, 30: 0.447 / 0.423, 45: 0.440 / 0.408, 60: 0.425 / 0.401 (README ablation table).
    epochs: 60,
    batchSize: 32,
    learningRate: 1e-3,
    anySevereWeight: 0.5,
    augment: { shiftMm: 3, sliceShift: 1, scale: 0.1, rotateDeg: 8, intensity: 0.15 },
  },
  sidePoints: {
    inputPx: 64,
    sizeMm: 64,
    filters: [8, 16, 32],
    sigmaMm: 3,
    sliceSigmaMm: 2.5,
    jitterMm: 8,
    randomize: INTENSITY_RANDOMIZATION,
    slicesEachSide: 1,
    // Their validation point error levels off by epoch 6-8 of 16 (demo, quick, all three nets):
    // 10 cost nothing measurable (demo seed 42: honest CV 0.341, test 0.348) and 3/8 of their time.
    // 8 neither (out-of-fold point medians within 0.1 mm; honest CV / test, quick, 10 -> 8 epochs:
    // demo seed 42 0.341 / 0.348 -> 0.345 / 0.345, seed 7 0.360 / 0.353 -> 0.350 / 0.370, cartoon
    // dark-canal seed 42 0.273 / 0.249 -> 0.269 / 0.237) and saves a fifth of their time again.
    epochs: 8,
    batchSize: 32,
    learningRate: 2e-3,
    minPeak: 0.1,
    maxShiftMm: 14,
  },
  threads: null,
};

/** Presets are partial overrides of DEFAULT_CONFIG; resolveConfig applies them in one place. */
export const PRESETS: Readonly<Record<Profile, TrainOverrides>> = {
  smoke: {
    folds: 2,
    maxTrainStudies: 16,
    patience: 1,
    // One epoch learns little: the smoke profile tests the plumbing with main's mild geometry and no
    // randomization (with the wide zoom and rotation its levels fell outside a study's axial stack).
    localizer: {
      inputPx: 32,
      filters: [8, 16],
      epochs: 1,
      batchSize: 8,
      zoom: [0.9, 1.1],
      rotateDeg: 0,
      randomize: null,
    },
    classifier: { cropPx: 16, filters: [8, 16], dense: 8, epochs: 1, batchSize: 32 },
    sidePoints: { inputPx: 16, sizeMm: 48, filters: [4, 8], epochs: 1, randomize: null },
  },
  // Quick starts stage 1 from the shipped synthetic localizer (models/README.md); `--init none` does not.
  quick: { localizer: { init: "synthetic" } },
  full: {
    folds: 5,
    patience: 5,
    localizer: { inputPx: 128, filters: [24, 48, 64, 96], epochs: 40, batchSize: 16 },
    classifier: {
      cropPx: 48,
      crops: {
        spinal: { sizeMm: 40, slicesEachSide: 2 },
        foraminal: { sizeMm: 40, slicesEachSide: 2 },
        subarticular: { sizeMm: 48, slicesEachSide: 2 },
      },
      filters: [32, 64, 128, 192],
      dense: 64,
      epochs: 25,
    },
  },
};

export function isProfile(s: string): s is Profile {
  return (PROFILES as readonly string[]).includes(s);
}

/** DEFAULT_CONFIG <- preset <- explicit overrides (e.g. --seed), merged deeply; arrays replace. */
export function resolveConfig(profile: Profile | string, overrides: TrainOverrides = {}): TrainConfig {
  if (!isProfile(profile))
    throw new UsageError(`unknown profile "${profile}" (expected ${PROFILES.join("|")})`);
  const merged = deepMerge(deepMerge(DEFAULT_CONFIG, PRESETS[profile]), overrides) as TrainConfig;
  return { ...merged, profile };
}

export function deepMerge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (over === undefined) return base;
  // null switches a part off (e.g. randomize: null) rather than merging into it.
  if (over === null) return over as T;
  if (typeof base !== "object" || base === null || Array.isArray(base)) return over as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    if (v === undefined) continue;
    out[k] = deepMerge((base as Record<string, unknown>)[k], v as never);
  }
  return out as T;
}

/** The localizer architecture a config describes. */
export function localizerSpec(cfg: LocalizerConfig): LocalizerSpec {
  return { inputPx: cfg.inputPx, filters: cfg.filters };
}

/** The classifier architecture a config describes for one family (2.5D channels from its crop). */
export function classifierSpec(cfg: ClassifierConfig, family: Family): ClassifierSpec {
  return {
    cropPx: cfg.cropPx,
    channels: 2 * cfg.crops[family].slicesEachSide + 1,
    filters: cfg.filters,
    dense: cfg.dense,
    dropout: cfg.dropout,
  };
}

/** The side-point network's architecture a config describes (both families share it). */
export function sidePointSpec(cfg: SidePointConfig): SidePointSpec {
  return { inputPx: cfg.inputPx, filters: cfg.filters };
}
