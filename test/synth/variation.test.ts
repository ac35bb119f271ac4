import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FIRST_LABELLED_DISC, buildAnatomy, discCentreOffset, landmarks } from "../../lib/synth/anatomy";
import { LabelModel } from "../../lib/synth/label-model";
import { NoiseSource } from "../../lib/util/noise";
import { Phantom } from "../../lib/synth/phantom";
import { PROTOCOLS } from "../../lib/synth/protocol";
import { NO_QUIRKS } from "../../lib/synth/quirks";
import { renderSlice } from "../../lib/synth/render";
import { planStudy, type StudyPlan } from "../../lib/synth/study";
import { Tissue } from "../../lib/synth/tissue";
import type { AnatomyVariation } from "../../lib/synth/variation";
import { Rng } from "../../lib/util/rng";

const model = new LabelModel();
function plan(seed: number, mode: "fixed" | "random"): StudyPlan {
  let id = 1000;
  return planStudy(new Rng(seed), 1, model, {
    protocol: PROTOCOLS[mode === "random" ? "random" : "small"],
    appearance: { mode },
    quirks: NO_QUIRKS,
    dropSagittalT1: false,
    newSeriesId: () => id++,
  });
}
const PLANS = Array.from({ length: 30 }, (_, s) => plan(s, "random"));
const variation = (p: StudyPlan) => p.anatomy.variation as AnatomyVariation;

const BODY = new Set<number>([Tissue.Marrow, Tissue.Cortex, Tissue.Fat, Tissue.JointFluid]);
const DISC = (t: number) => t === Tissue.Annulus || t === Tissue.Air || t >= Tissue.Nucleus0;

/** Length (mm) of the run of `inside` tissue through arc position s0 along the spine at (x, a). */
function runLength(ph: Phantom, x: number, a: number, s0: number, inside: (t: number) => boolean): number {
  const step = 0.01;
  let lo = s0;
  let hi = s0;
  while (inside(ph.tissue(x, a, lo - step))) lo -= step;
  while (inside(ph.tissue(x, a, hi + step))) hi += step;
  return hi - lo + step;
}

describe("varied anatomy (random appearance only)", () => {
  it("is drawn only for the random appearance, the same for the same seed", () => {
    expect(plan(3, "fixed").anatomy.variation).toBeNull();
    expect(plan(3, "random").anatomy.variation).toEqual(variation(PLANS[3]));
    expect(variation(PLANS[4])).not.toEqual(variation(PLANS[3]));
    // Same seed, same rendered slice bytes.
    const render = (p: StudyPlan) =>
      renderSlice(p.phantom, p.series[0].slices[3], p.appearances[0], NoiseSource.draw(new Rng(1)));
    const digest = (img: Float32Array) => createHash("sha256").update(img).digest("hex");
    expect(digest(render(plan(5, "random")))).toBe(digest(render(PLANS[5])));
  });

  it("is drawn after the fixed anatomy's draws, which it leaves as they are (labels, narrowings, degeneration)", () => {
    for (const seed of [0, 7, 11]) {
      const rng = new Rng(seed);
      const labels = model.sample(rng.fork(1));
      const fixed = buildAnatomy(rng.fork(2), labels.narrowing, PROTOCOLS.random.kappa);
      expect({ ...PLANS[seed].anatomy, variation: null }).toEqual(fixed);
      expect(PLANS[seed].labels).toEqual(labels);
    }
  });

  it("makes endplates concave: a body is shorter at its centre than at its rim by its two endplates' depths", () => {
    for (const p of PLANS.slice(0, 8)) {
      const v = variation(p);
      const an = p.anatomy;
      for (const b of [3, 4, 5]) {
        const [s0, s1] = an.vertebrae[b];
        const height = s1 - s0;
        const depth = v.concavity[b] + v.concavity[b - 1];
        const mid = (s0 + s1) / 2;
        // On the centre line (footprint measure 0) the full depth; at a = -0.8 ra (measure 0.64) 36% of
        // it, deeper than the quarter mm the phantom's 0.5 mm along-spine table could blur a flat boundary.
        const centre = runLength(p.phantom, 0, 0, mid, (t) => BODY.has(t));
        const rim = runLength(p.phantom, 0, -0.8 * an.ra, mid, (t) => BODY.has(t));
        expect(centre).toBeCloseTo(height - depth, 1);
        expect(rim).toBeCloseTo(height - 0.36 * depth, 1);
        expect(v.concavity[b]).toBeGreaterThanOrEqual(1);
        expect(v.concavity[b]).toBeLessThanOrEqual(3);
      }
      // Disc 4 (between bodies 4 and 5) is biconvex: its height plus both endplates' depth on the centre line.
      const d = an.discs[4];
      expect(runLength(p.phantom, 0, 0, d.s, DISC)).toBeCloseTo(d.height + 2 * v.concavity[4], 1);
    }
  });

  it("tilts the sacrum: the L5/S1 disc is a wedge, taller in front by 2 · 0.7 ra · tan(tilt)", () => {
    const tilts = PLANS.map((p) => (variation(p).sacralTilt * 180) / Math.PI);
    expect(Math.min(...tilts)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...tilts)).toBeLessThanOrEqual(18);
    expect(tilts.filter((t) => t > 6).length).toBeGreaterThan(PLANS.length / 3);
    for (const p of PLANS.slice(0, 10)) {
      const an = p.anatomy;
      const last = an.discs.length - 1;
      const d = an.discs[last];
      const tan = Math.tan(variation(p).sacralTilt);
      // With flat endplates the disc's floor is the tilted plane s = (a − ra) tan θ, its roof flat.
      const flat = new Phantom({ ...an, variation: { ...variation(p), concavity: an.discs.map(() => 0) } });
      const front = runLength(flat, 0, -0.7 * an.ra, d.s, DISC);
      const back = runLength(flat, 0, 0.7 * an.ra, d.s, DISC);
      expect(front - back).toBeCloseTo(1.4 * an.ra * tan, 1);
      // The flat boundaries follow the phantom's 0.5 mm along-spine table: within a quarter mm each.
      expect(Math.abs(back - (d.height + 0.3 * an.ra * tan))).toBeLessThan(0.55);
      // The ground truth's disc centre is the middle of the disc along the centre line, to within
      // c (1/cos θ − 1) / 2 < 0.08 mm (S1's concavity is drawn along the tilted axis).
      const lm = landmarks(an, last).discCentre;
      expect(lm[2]).toBe(d.s + discCentreOffset(an, last));
      expect(discCentreOffset(an, last)).toBeCloseTo(-(an.ra * tan) / 2, 12);
      let top = d.s;
      while (DISC(p.phantom.tissue(0, 0, top + 0.01))) top += 0.01;
      const height = runLength(p.phantom, 0, 0, d.s, DISC);
      expect(Math.abs(top - height / 2 - lm[2])).toBeLessThan(0.1);
    }
  });

  it("keeps every level's labelled canal point in the thecal sac wherever the fixed anatomy has it there", () => {
    // Only a severe spinal narrowing fills the canal point with disc (the fixed phantom's own design).
    const inSac = (t: number) => t === Tissue.Csf || t === Tissue.Nerve;
    let n = 0;
    for (const p of PLANS) {
      const bare = new Phantom({ ...p.anatomy, variation: null });
      for (let lv = 0; lv < 5; lv++) {
        const disc = FIRST_LABELLED_DISC + lv;
        const [x, a, s] = landmarks(p.anatomy, disc).canal;
        expect(inSac(p.phantom.tissue(x, a, s))).toBe(inSac(bare.tissue(x, a, s)));
        if (p.anatomy.discs[disc].spinal < 0.75) {
          expect(inSac(p.phantom.tissue(x, a, s))).toBe(true);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(120);
  });

  it("darkens some nuclei their degeneration would keep bright, and bulges degenerate discs backwards", () => {
    let looseDark = 0;
    for (const p of PLANS) {
      const v = variation(p);
      p.anatomy.discs.forEach((d, k) => {
        if (d.degeneration < 0.3 && v.nucleusDarkening[k] > 0.6) looseDark++;
        expect(v.posteriorBulge[k]).toBeLessThanOrEqual(2 * 1.2 * d.degeneration + 1e-12);
      });
    }
    // The signal tables read the darkening, not the degeneration: a fully random table puts every
    // nucleus on one line from healthy to desiccated (lib/synth/appearance.ts).
    let lines = 0;
    for (const p of PLANS)
      p.appearances.forEach((look) => {
        if (look.family !== "random") return;
        const dark = variation(p).nucleusDarkening;
        const nuc = dark.map((_, k) => look.lut[Tissue.Nucleus0 + k]);
        const [i, j] = [dark.indexOf(Math.min(...dark)), dark.indexOf(Math.max(...dark))];
        if (nuc.some((v) => v <= 0.0101) || dark[j] - dark[i] < 0.2) return; // floored, or too close to fit
        const slope = (nuc[j] - nuc[i]) / (dark[j] - dark[i]);
        dark.forEach((d, k) => expect(nuc[k]).toBeCloseTo(nuc[i] + slope * (d - dark[i]), 4));
        lines++;
      });
    expect(lines).toBeGreaterThan(5);
    expect(looseDark).toBeGreaterThan(5);
    // Behind a disc's centre on the midline the annulus reaches the footprint (ra + bulge) · (1 + (1 + 3 d)/rx),
    // or the canal's own annulus, ra + 0.6 + 1.2 d + 1.25 · sac depth · spinal narrowing, whichever is further.
    let checked = 0;
    for (const p of PLANS)
      for (let k = FIRST_LABELLED_DISC; k < FIRST_LABELLED_DISC + 4; k++) {
        const an = p.anatomy;
        const d = an.discs[k];
        const footprint = (an.ra + variation(p).posteriorBulge[k]) * (1 + (1 + 3 * d.degeneration) / an.rx);
        const canal = an.ra + 0.6 + 1.2 * d.degeneration + 1.25 * an.sacAp * d.spinal;
        let a = 0;
        while (DISC(p.phantom.tissue(0, a + 0.005, d.s))) a += 0.005;
        expect(a).toBeCloseTo(Math.max(footprint, canal), 1);
        if (footprint > canal) checked++;
      }
    expect(checked).toBeGreaterThan(10);
  });

  it("draws marrow fat and Modic bands as fat (or oedema) under the endplate, and the cauda equina's roots", () => {
    let bands = 0;
    for (const p of PLANS) {
      const v = variation(p);
      for (const l of v.lesions) {
        if (l.kind !== "band") continue;
        const [s0, s1] = p.anatomy.vertebrae[l.vertebra];
        const c = l.endplate === "inferior" ? v.concavity[l.vertebra] : v.concavity[l.vertebra - 1];
        // Just inside the cortex (1.2 mm) on the centre line, below the band's depth.
        const s = l.endplate === "inferior" ? s0 + c + 1.4 : s1 - c - 1.4;
        if (l.depth <= 1.4) continue;
        expect(p.phantom.tissue(0, 0, s)).toBe(l.fat ? Tissue.Fat : Tissue.JointFluid);
        bands++;
      }
      // Each root's centre, at a body's mid-height below the conus, is nerve.
      const [s0, s1] = p.anatomy.vertebrae[4];
      const s = (s0 + s1) / 2;
      expect(s).toBeLessThan(p.anatomy.conus);
      const ac = p.anatomy.ra + 1.5 + p.anatomy.sacAp;
      for (const r of v.roots) {
        const t = p.phantom.tissue(r.u * p.anatomy.sacLat, ac + r.v * p.anatomy.sacAp, s);
        expect(t).toBe(Tissue.Nerve);
      }
    }
    expect(bands).toBeGreaterThan(5);
  });

  it("varies marrow by body level and texture within the drawn amplitude, and not at all in the fixed phantom", () => {
    const fixed = plan(2, "fixed").phantom;
    expect(fixed.marrowFactor(3, 2, 40)).toBe(1);
    for (const p of PLANS.slice(0, 5)) {
      const v = variation(p);
      const [s0, s1] = p.anatomy.vertebrae[3];
      const values: number[] = [];
      for (let s = s0 + 2; s < s1 - 2; s += 0.7) values.push(p.phantom.marrowFactor(1, 2, s));
      const level = v.marrow.level[3];
      for (const f of values) {
        expect(f).toBeGreaterThanOrEqual(level * (1 - v.marrow.amplitude) - 1e-9);
        expect(f).toBeLessThanOrEqual(level * (1 + v.marrow.amplitude) + 1e-9);
      }
      expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.01);
    }
  });
});
