import { describe, expect, it } from "vitest";
import { LEVELS, TARGETS, type Condition } from "../../lib/data/schema";
import { FIRST_LABELLED_DISC, buildAnatomy, landmarks } from "../../lib/synth/anatomy";
import { PROTOCOLS } from "../../lib/synth/protocol";
import { Phantom } from "../../lib/synth/phantom";
import { Tissue } from "../../lib/synth/tissue";
import { Rng } from "../../lib/util/rng";

/** A phantom where one target has narrowing v and every other target none. */
function phantomWith(condition: Condition, level: number, v: number): Phantom {
  const narrowing = TARGETS.map((t) => (t.condition === condition && t.level === LEVELS[level] ? v : 0));
  return new Phantom(buildAnatomy(new Rng(11), narrowing, PROTOCOLS.small.kappa));
}

/** Area (mm²) of the given tissues in the disc plane of `disc`, on one side (+1 left, -1 right) or both (0). */
function axialArea(ph: Phantom, disc: number, tissues: Tissue[], side: -1 | 0 | 1): number {
  const s = ph.an.discs[disc].s;
  let n = 0;
  for (let x = -30; x <= 30; x += 0.25) {
    if (side !== 0 && Math.sign(x) !== side) continue;
    for (let a = ph.an.ra - 3; a <= ph.an.ra + 30; a += 0.25) if (tissues.includes(ph.tissue(x, a, s))) n++;
  }
  return n * 0.0625;
}

/** Area (mm²) of foraminal fat in the parasagittal plane through the foramen of `disc`. */
function foramenFat(ph: Phantom, disc: number, side: 0 | 1): number {
  const f = landmarks(ph.an, disc).foramen(side);
  let n = 0;
  for (let s = f[2] - 14; s <= f[2] + 14; s += 0.25)
    for (let a = f[1] - 10; a <= f[1] + 10; a += 0.25) if (ph.tissue(f[0], a, s) === Tissue.Fat) n++;
  return n * 0.0625;
}

const GRADES = [0, 0.4, 0.7, 0.97];
const L4L5 = 3;
const disc = FIRST_LABELLED_DISC + L4L5;

describe("severity rendered into the phantom", () => {
  it("narrows the thecal sac (CSF area) at the stenotic level only", () => {
    const areas = GRADES.map((v) =>
      axialArea(phantomWith("spinal_canal_stenosis", L4L5, v), disc, [Tissue.Csf], 0),
    );
    console.log(
      `CSF area at L4/L5 by spinal narrowing ${GRADES.join("/")}: ${areas.map((a) => a.toFixed(0)).join("/")} mm²`,
    );
    for (let k = 1; k < areas.length; k++) expect(areas[k]).toBeLessThan(areas[k - 1] * 0.85);
    expect(areas[3]).toBeLessThan(areas[0] * 0.3);
    const other = [0, 0.97].map((v) =>
      axialArea(phantomWith("spinal_canal_stenosis", L4L5, v), FIRST_LABELLED_DISC + 1, [Tissue.Csf], 0),
    );
    expect(Math.abs(other[1] - other[0]) / other[0]).toBeLessThan(0.05);
  });

  it("closes the lateral recess on the narrowed side and leaves the other side alone", () => {
    const left = GRADES.map((v) =>
      axialArea(phantomWith("left_subarticular_stenosis", L4L5, v), disc, [Tissue.Csf, Tissue.Nerve], 1),
    );
    const right = GRADES.map((v) =>
      axialArea(phantomWith("left_subarticular_stenosis", L4L5, v), disc, [Tissue.Csf, Tissue.Nerve], -1),
    );
    console.log(
      `left-side CSF area at L4/L5 by left subarticular narrowing: ${left.map((a) => a.toFixed(0)).join("/")} mm²; right side ${right.map((a) => a.toFixed(0)).join("/")}`,
    );
    for (let k = 1; k < left.length; k++) expect(left[k]).toBeLessThan(left[k - 1]);
    expect(left[3]).toBeLessThan(left[0] * 0.7);
    expect(Math.abs(right[3] - right[0]) / right[0]).toBeLessThan(0.05);
  });

  it("fills the foramen's fat on the narrowed side only", () => {
    const left = GRADES.map((v) =>
      foramenFat(phantomWith("left_neural_foraminal_narrowing", L4L5, v), disc, 0),
    );
    const right = GRADES.map((v) =>
      foramenFat(phantomWith("left_neural_foraminal_narrowing", L4L5, v), disc, 1),
    );
    console.log(
      `left foramen fat at L4/L5 by left foraminal narrowing: ${left.map((a) => a.toFixed(0)).join("/")} mm²; right ${right.map((a) => a.toFixed(0)).join("/")}`,
    );
    for (let k = 1; k < left.length; k++) expect(left[k]).toBeLessThan(left[k - 1] * 0.85);
    expect(left[3]).toBeLessThan(left[0] * 0.3);
    expect(Math.abs(right[3] - right[0]) / right[0]).toBeLessThan(0.05);
  });
});
