import { describe, expect, it } from "vitest";
import {
  APPEARANCE_FAMILIES,
  BiasField,
  FIXED_NOISE_SIGMA,
  seriesAppearance,
  type SeriesAppearance,
} from "../../lib/synth/appearance";
import { Tissue, signalTable } from "../../lib/synth/tissue";
import type { Vec3 } from "../../lib/synth/vec";
import { Rng } from "../../lib/util/rng";

const DEGENERATION = [0.1, 0.2, 0.1, 0.4, 0.6, 0.9, 0.3];
const RANDOM = { mode: "random" } as const;
const draw = (seed: number, opts = RANDOM as Parameters<typeof seriesAppearance>[0]) =>
  seriesAppearance(opts, "T2", DEGENERATION, new Rng(seed));
const SEEDS = Array.from({ length: 200 }, (_, i) => i);

describe("series appearance: fixed", () => {
  it("is the phantom's own table and draws nothing from the generator", () => {
    const rng = new Rng(3);
    const look = seriesAppearance({ mode: "fixed" }, "T1", DEGENERATION, rng);
    expect(look.family).toBe("fixed");
    expect([...look.lut]).toEqual([...signalTable("T1", DEGENERATION)]);
    expect(look.texture[Tissue.Marrow]).toBeCloseTo(0.18, 6);
    expect(look.texture[Tissue.Csf]).toBe(0);
    expect(look).toMatchObject({ bias: null, blurMm: null, gamma: 1, noiseSigma: FIXED_NOISE_SIGMA });
    // The generator is where a fresh one of the same seed is: the fixed bytes cannot move.
    expect(rng.nextUint32()).toBe(new Rng(3).nextUint32());
  });
});

describe("series appearance: random", () => {
  it("is the same for the same seed and differs for another", () => {
    const strip = (a: SeriesAppearance) => ({ ...a, lut: [...a.lut], texture: [...a.texture] });
    expect(strip(draw(8))).toEqual(strip(draw(8)));
    expect([...draw(9).lut]).not.toEqual([...draw(8).lut]);
  });

  it("never gives the fixed table, and draws every family over a range of seeds", () => {
    const fixed = [...signalTable("T2", DEGENERATION)];
    const looks = SEEDS.map((s) => draw(s));
    for (const l of looks) expect([...l.lut]).not.toEqual(fixed);
    expect(new Set(looks.map((l) => l.family))).toEqual(new Set(APPEARANCE_FAMILIES));
  });

  it("shows the same anatomy under opposite orderings: CSF brighter than fat in some series, darker in others", () => {
    const looks = SEEDS.map((s) => draw(s));
    const brighter = looks.filter((l) => l.lut[Tissue.Csf] > l.lut[Tissue.Fat] + 0.2);
    const darker = looks.filter((l) => l.lut[Tissue.Csf] < l.lut[Tissue.Fat] - 0.2);
    expect(brighter.length).toBeGreaterThan(30);
    expect(darker.length).toBeGreaterThan(30);
    // Jittered T1 tables keep CSF far below fat (0.16 vs 0.95); jittered T2 ones mostly keep it above
    // (1.0 vs 0.7, jitter sd 0.25 each); inverted ones turn a bright CSF dark and back.
    for (const l of looks.filter((x) => x.family === "t1"))
      expect(l.lut[Tissue.Csf]).toBeLessThan(l.lut[Tissue.Fat]);
    const t2 = looks.filter((x) => x.family === "t2");
    expect(t2.filter((l) => l.lut[Tissue.Csf] > l.lut[Tissue.Fat]).length).toBeGreaterThan(0.7 * t2.length);
    const inverted = looks.filter((x) => x.family === "inverted");
    expect(inverted.some((l) => l.lut[Tissue.Csf] < l.lut[Tissue.Fat])).toBe(true);
    expect(inverted.some((l) => l.lut[Tissue.Csf] > l.lut[Tissue.Fat])).toBe(true);
  });

  it("keeps air black, every tissue visible, the table within [0.01, 1] and the draws within their ranges", () => {
    for (const l of SEEDS.map((s) => draw(s))) {
      expect(l.lut[Tissue.Air]).toBe(0);
      expect(Math.max(...l.lut)).toBeCloseTo(1, 6);
      for (let t = Tissue.Fat; t < l.lut.length; t++)
        expect(l.lut[t]).toBeGreaterThanOrEqual(Math.fround(0.01));
      expect(l.noiseSigma).toBeGreaterThanOrEqual(0.008);
      expect(l.noiseSigma).toBeLessThanOrEqual(0.09);
      expect(l.gamma).toBeGreaterThanOrEqual(0.6);
      expect(l.gamma).toBeLessThanOrEqual(1.7);
      for (const b of l.blurMm!) expect(b).toBeGreaterThanOrEqual(0.15);
      expect(l.bias!.strength).toBeGreaterThanOrEqual(0.1);
      expect(l.bias!.strength).toBeLessThanOrEqual(0.8);
    }
  });

  it("sets a fully random table's nuclei on one line from healthy to desiccated, by each disc's degeneration", () => {
    const randoms = SEEDS.map((s) => draw(s)).filter((l) => l.family === "random");
    expect(randoms.length).toBeGreaterThan(20);
    for (const l of randoms) {
      const nuc = DEGENERATION.map((_, k) => l.lut[Tissue.Nucleus0 + k]);
      if (nuc.some((v) => v <= 0.0101)) continue; // floored: off the line by design
      const slope = (nuc[5] - nuc[0]) / (DEGENERATION[5] - DEGENERATION[0]);
      DEGENERATION.forEach((d, k) => expect(nuc[k]).toBeCloseTo(nuc[0] + slope * (d - DEGENERATION[0]), 5));
    }
  });

  it("draws only from the families asked for", () => {
    const looks = SEEDS.map((s) => draw(s, { mode: "random", families: ["t1", "stir"] }));
    expect(new Set(looks.map((l) => l.family))).toEqual(new Set(["t1", "stir"]));
  });
});

describe("bias field", () => {
  const field = new BiasField([10, 0, 0], [0, 0, 1], [0, 1, 0], 100, 0.5);
  const at = (x: number, y: number, z: number) => field.at([x, y, z]);

  it("has the known values at known points", () => {
    // Centre: tanh(0) = 0, so exp(-strength).
    expect(at(10, 0, 0)).toBeCloseTo(Math.exp(-0.5), 12);
    // One radius along the linear direction: exp(0.5 (tanh 1 - 1)).
    expect(at(10, 0, 100)).toBeCloseTo(Math.exp(0.5 * (Math.tanh(1) - 1)), 12);
    expect(at(10, 0, -100)).toBeCloseTo(Math.exp(0.5 * (Math.tanh(-1) - 1)), 12);
    // One radius along the quadratic direction: u = 0, v = 1, so tanh(0.5).
    expect(at(10, 100, 0)).toBeCloseTo(Math.exp(0.5 * (Math.tanh(0.5) - 1)), 12);
    expect(at(10, -100, 0)).toBeCloseTo(at(10, 100, 0), 12);
    // Across both directions it does not change.
    expect(at(-90, 0, 0)).toBeCloseTo(at(10, 0, 0), 12);
  });

  it("stays within [exp(-2 strength), 1] and changes by under 2% per mm for every drawn field", () => {
    // |d log f / dp| <= strength (1 + max |v| sech²(v²/2)) / radius < 0.8 * 1.8 / 100 = 0.0144.
    for (const seed of SEEDS.slice(0, 40)) {
      const b = draw(seed).bias!;
      let worst = 0;
      for (let x = -150; x <= 150; x += 30)
        for (let y = -150; y <= 150; y += 30)
          for (let z = -200; z <= 200; z += 40) {
            const p: Vec3 = [x, y, z];
            const f = b.at(p);
            expect(f).toBeGreaterThanOrEqual(Math.exp(-2 * b.strength));
            expect(f).toBeLessThanOrEqual(1);
            for (const d of [
              [1, 0, 0],
              [0, 1, 0],
              [0, 0, 1],
            ] as const)
              worst = Math.max(worst, Math.abs(Math.log(b.at([x + d[0], y + d[1], z + d[2]]) / f)));
          }
      expect(worst).toBeLessThan(0.02);
      expect(worst).toBeGreaterThan(0);
    }
  });
});
