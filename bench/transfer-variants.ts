import {
  deepMerge,
  INTENSITY_RANDOMIZATION,
  type IntensityRandomization,
  type TrainOverrides,
} from "../lib/config";
import { UsageError } from "../lib/util/errors";

/**
 * The ablations `bench transfer` runs: a variant `name=value` is a partial config patch applied to
 * the profile (resolveConfig's overrides), so a new training option becomes a variant by adding one
 * entry here. Each maps its value to the patch, or throws UsageError on a value it does not take.
 */
export const VARIANTS: Readonly<Record<string, (value: string) => TrainOverrides>> = {
  // The localizer's geometric augmentation (lib/train/localizer.ts augmentSample).
  shiftFrac: (v) => ({ localizer: { shiftFrac: fraction("shiftFrac", v) } }),
  augment: (v) => (onOff("augment", v) ? {} : { localizer: { shiftFrac: 0, zoom: [1, 1], rotateDeg: 0 } }),
  // Its intensity domain randomization (lib/train/randomize.ts).
  randomize: (v) => (onOff("randomize", v) ? {} : { localizer: { randomize: null } }),
  // How often each of its parts is drawn: the default's p for every part replaced by this one.
  randomizeP: (v) => ({ localizer: { randomize: everyPart(fraction("randomizeP", v, 1)) } }),
  // Where it starts: the shipped synthetic localizer, a weights file, or its seeded random init.
  init: (v) => ({ localizer: { init: v === "scratch" ? null : v } }),
  // Its epochs, from whichever start.
  epochs: (v) => {
    const n = positiveInt("epochs", v);
    return { localizer: { epochs: n, fineTuneEpochs: n } };
  },
};

/** Parsed `--variant` specs: the patches merged in order, and a label naming them ("none" without any). */
export interface Variant {
  readonly label: string;
  readonly overrides: TrainOverrides;
}

/** `["augment=off", "epochs=12"]` -> one patch; an unknown name or a spec without `=` is a UsageError. */
export function parseVariants(specs: readonly string[]): Variant {
  let overrides: TrainOverrides = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const name = spec.slice(0, eq);
    const patch = eq > 0 ? VARIANTS[name] : undefined;
    if (!patch)
      throw new UsageError(
        `--variant "${spec}": expected NAME=VALUE, NAME one of ${Object.keys(VARIANTS).join("|")}`,
      );
    overrides = deepMerge(overrides, patch(spec.slice(eq + 1)));
  }
  return { label: specs.length ? specs.join(",") : "none", overrides };
}

function onOff(name: string, v: string): boolean {
  if (v !== "on" && v !== "off") throw new UsageError(`--variant ${name}: expected on|off, got "${v}"`);
  return v === "on";
}

function fraction(name: string, v: string, max = 1 - Number.EPSILON): number {
  const x = Number(v);
  if (v.trim() === "" || !(x >= 0 && x <= max))
    throw new UsageError(`--variant ${name}: expected 0 <= x ${max < 1 ? "<" : "<="} 1, got "${v}"`);
  return x;
}

function everyPart(p: number): IntensityRandomization {
  const r = INTENSITY_RANDOMIZATION;
  return {
    remap: { ...r.remap, p },
    invert: { p },
    gamma: { ...r.gamma, p },
    bias: { ...r.bias, p },
    blur: { ...r.blur, p },
    noise: { ...r.noise, p },
  };
}

function positiveInt(name: string, v: string): number {
  if (!/^[1-9]\d*$/.test(v))
    throw new UsageError(`--variant ${name}: expected a positive integer, got "${v}"`);
  return Number(v);
}
