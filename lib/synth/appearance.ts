import type { Rng } from "../util/rng";
import { SynthError } from "./errors";
import { TEXTURE_AMPLITUDE, Tissue, signalTable, type Sequence } from "./tissue";
import type { Vec3 } from "./vec";

/**
 * How a series looks: one place decides it, the renderer only applies it. `fixed` is the phantom's
 * own look (one table per sequence); `random` draws every series' contrast, texture, bias, noise,
 * blur and gamma, so the same anatomy is seen under very different contrasts (domain
 * randomization, as SynthSeg does for brain MR).
 */
export const APPEARANCE_MODES = ["fixed", "random"] as const;
export type AppearanceMode = (typeof APPEARANCE_MODES)[number];
export const isAppearanceMode = (v: string): v is AppearanceMode =>
  (APPEARANCE_MODES as readonly string[]).includes(v);

/** Where a random series' signal table comes from. */
export const APPEARANCE_FAMILIES = ["t1", "t2", "stir", "random", "inverted"] as const;
export type AppearanceFamily = (typeof APPEARANCE_FAMILIES)[number];
export const isAppearanceFamily = (v: string): v is AppearanceFamily =>
  (APPEARANCE_FAMILIES as readonly string[]).includes(v);
/** Draw weights, APPEARANCE_FAMILIES order: the three orderings jittered, then fully random, inverted. */
const FAMILY_WEIGHTS = [0.2, 0.2, 0.1, 0.3, 0.2];

export interface SeriesAppearance {
  /** The family the table came from; "fixed" for the phantom's own look. */
  readonly family: AppearanceFamily | "fixed";
  /** Relative signal per tissue (index = Tissue, then one nucleus per disc). */
  readonly lut: Float32Array;
  /** Texture amplitude per tissue, same indexing. */
  readonly texture: Float32Array;
  /** Smooth multiplicative field over the body frame; null: none beyond the anatomy's coil shading. */
  readonly bias: BiasField | null;
  /** Rician noise: sd of each of the complex channels, relative to the table's scale. */
  readonly noiseSigma: number;
  /** Gaussian point spread in mm, [along columns (between rows), along rows]; null: the fixed [1 2 1] blur. */
  readonly blurMm: readonly [number, number] | null;
  /** Applied to the noiseless signal; 1: none. */
  readonly gamma: number;
}

/** The phantom's own relative noise level (CSF on T2 is about 1). */
export const FIXED_NOISE_SIGMA = 0.025;

/**
 * A low-order multiplicative bias field in the body frame (mm): exp of a smooth bounded function of
 * a linear and a quadratic term along two random directions, scaled so the field lies in
 * [exp(-2 strength), 1] (the writer's gain never clips it). 1/exp(strength) at the centre.
 */
export class BiasField {
  constructor(
    readonly centre: Vec3,
    /** Unit directions of the linear and the quadratic term. */
    readonly linear: Vec3,
    readonly quadratic: Vec3,
    /** Length scale (mm) over which the field turns. */
    readonly radius: number,
    /** Log-amplitude: the field spans a factor exp(2 strength) at most. */
    readonly strength: number,
  ) {}

  at(p: Vec3): number {
    const d: Vec3 = [p[0] - this.centre[0], p[1] - this.centre[1], p[2] - this.centre[2]];
    const u = (d[0] * this.linear[0] + d[1] * this.linear[1] + d[2] * this.linear[2]) / this.radius;
    const v = (d[0] * this.quadratic[0] + d[1] * this.quadratic[1] + d[2] * this.quadratic[2]) / this.radius;
    return Math.exp(this.strength * (Math.tanh(u + 0.5 * v * v) - 1));
  }
}

/** Draw options: which families a random series may come from (all by default). */
export interface AppearanceOptions {
  readonly mode: AppearanceMode;
  readonly families?: readonly AppearanceFamily[];
}

/**
 * The appearance of one series of `sequence`. `fixed` draws nothing from rng (so the phantom's bytes
 * do not move); `random` draws everything from it.
 */
export function seriesAppearance(
  opts: AppearanceOptions,
  sequence: Sequence,
  degeneration: readonly number[],
  rng: Rng,
): SeriesAppearance {
  if (opts.mode === "fixed") return fixedAppearance(sequence, degeneration);
  const families = opts.families ?? APPEARANCE_FAMILIES;
  if (families.length === 0) throw new SynthError("at least one appearance family is needed");
  const weights = families.map((f) => FAMILY_WEIGHTS[APPEARANCE_FAMILIES.indexOf(f)]);
  const family = families[rng.categorical(weights)];
  const lut = randomTable(family, degeneration, rng);
  const texture = new Float32Array(lut.length);
  for (let t = Tissue.Fat; t < lut.length; t++) texture[t] = rng.uniform(0, 0.3);
  texture[Tissue.Marrow] = rng.uniform(0.05, 0.45);
  texture[Tissue.Bowel] = rng.uniform(0.3, 1);
  return {
    family,
    lut,
    texture,
    bias: randomBias(rng),
    // Log-uniform: from a clean 3 T image to a noisy 1.5 T one.
    noiseSigma: Math.exp(rng.uniform(Math.log(0.008), Math.log(0.09))),
    // Phase direction often coarser than readout: each axis its own.
    blurMm: [rng.uniform(0.15, 1.2), rng.uniform(0.15, 1.2)],
    gamma: Math.exp(rng.uniform(Math.log(0.6), Math.log(1.7))),
  };
}

function fixedAppearance(sequence: Sequence, degeneration: readonly number[]): SeriesAppearance {
  const lut = signalTable(sequence, degeneration);
  const texture = new Float32Array(lut.length);
  for (const [t, v] of Object.entries(TEXTURE_AMPLITUDE)) texture[Number(t)] = v ?? 0;
  return { family: "fixed", lut, texture, bias: null, noiseSigma: FIXED_NOISE_SIGMA, blurMm: null, gamma: 1 };
}

const SEQUENCE_OF: Partial<Record<AppearanceFamily, Sequence>> = { t1: "T1", t2: "T2", stir: "STIR" };

/**
 * A signal table for `family`: a real ordering with every tissue jittered, a fully random one, or
 * a jittered ordering inverted (1 - signal). Air stays 0; the table's largest value is scaled to 1.
 */
function randomTable(family: AppearanceFamily, degeneration: readonly number[], rng: Rng): Float32Array {
  const lut = new Float32Array(Tissue.Nucleus0 + degeneration.length);
  if (family === "random") {
    for (let t = Tissue.Fat; t < Tissue.Nucleus0; t++) lut[t] = rng.next();
    const healthy = rng.next();
    const desiccated = rng.next();
    degeneration.forEach((d, k) => (lut[Tissue.Nucleus0 + k] = healthy + (desiccated - healthy) * d));
  } else {
    const base = family === "inverted" ? rng.pick(["T1", "T2", "STIR"] as const) : SEQUENCE_OF[family]!;
    lut.set(signalTable(base, degeneration));
    // Multiplicative jitter keeps each ordering's dark tissues dark and its bright ones bright.
    for (let t = Tissue.Fat; t < lut.length; t++)
      lut[t] = Math.min(1, lut[t] * Math.exp(rng.normal(0, 0.25)));
    if (family === "inverted") for (let t = Tissue.Fat; t < lut.length; t++) lut[t] = 1 - lut[t];
  }
  let max = 0;
  for (let t = 0; t < lut.length; t++) max = Math.max(max, lut[t]);
  // Floor so no tissue vanishes into air (the renderer skips zero-signal pixels).
  for (let t = Tissue.Fat; t < lut.length; t++) lut[t] = Math.max(0.01, lut[t] / max);
  return lut;
}

function randomBias(rng: Rng): BiasField {
  const unit = (): Vec3 => {
    const v: Vec3 = [rng.normal(), rng.normal(), rng.normal()];
    const n = Math.hypot(v[0], v[1], v[2]) || 1;
    return [v[0] / n, v[1] / n, v[2] / n];
  };
  return new BiasField(
    [rng.normal(0, 40), rng.normal(0, 40), rng.normal(0, 60)],
    unit(),
    unit(),
    rng.uniform(100, 250),
    rng.uniform(0.1, 0.8),
  );
}
