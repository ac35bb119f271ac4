import { LEVELS, type SeverityIndex } from "../../data/schema";
import * as shapes from "./shapes";
import { SIGN } from "./signs";
import {
  FIRST_LEVEL_DISC,
  FORAMEN_HALF_X,
  FORAMEN_RADII,
  arcCentre,
  foramenA,
  foramenS,
  foramenX,
  type CartoonSpine,
} from "./spine";
import type { CartoonTissue, Intensities } from "./styles";
import type { Vec3 } from "../vec";

// Hoisted once: the per-pixel code would otherwise read each import through a module getter
// (tsx compiles imports to property reads of the other module's exports).
const { EDGE_MM, box, coverage, ellipse, ellipsoid, mix, roundedBox } = shapes;
const FORAMEN_A = FORAMEN_RADII.a;
const FORAMEN_S = FORAMEN_RADII.s;
const FORAMEN_X = FORAMEN_HALF_X;
const STEP_MM = 0.5;

/**
 * The cartoon's tissue at spine coordinates (x, a, s), as relative signal of one series kind.
 * Shapes: torso ellipse with subcutaneous fat and paraspinal muscle, organs, vertebral bodies
 * (rounded boxes with a cortical rim), discs (bands with a nucleus), a sheared sacrum, pedicles,
 * laminae and spinous processes, foramina with a nerve root, and the canal in epidural fat,
 * pinched at each disc by its spinal grade. Painted back to front with soft edges.
 */
export class CartoonAnatomy {
  private readonly sMin: number;
  /** Per 0.5 mm of s: nearest disc, vertebral body, posterior arch and pedicle (-1: none). */
  private readonly discAt: Int8Array;
  private readonly bodyAt: Int8Array;
  private readonly archAt: Int8Array;
  private readonly pedicleAt: Int8Array;
  /** Canal pinch per disc (0 at T12/L1). */
  private readonly pinch: number[];
  /** Foramen centre: lateral distance, depth, and s per disc (looked up per pixel, so kept here). */
  private readonly foramenX: number;
  private readonly foramenA: number;
  private readonly foramenS: number[];
  /** The spine frame's axes, unpacked for the per-pixel transform. */
  private readonly axes: Float64Array;

  constructor(
    readonly sp: CartoonSpine,
    spinalGrades: readonly SeverityIndex[],
  ) {
    if (spinalGrades.length !== LEVELS.length) throw new RangeError("one spinal grade per level");
    this.sMin = sp.sacrumTop - 90;
    const sMax = sp.bodies[0][1] + 60;
    const cells = Math.ceil((sMax - this.sMin) / STEP_MM) + 1;
    this.discAt = new Int8Array(cells);
    this.bodyAt = new Int8Array(cells).fill(-1);
    this.archAt = new Int8Array(cells).fill(-1);
    this.pedicleAt = new Int8Array(cells).fill(-1);
    for (let c = 0; c < cells; c++) {
      const s = this.sMin + c * STEP_MM;
      let best = 0;
      sp.discs.forEach((d, k) => {
        if (Math.abs(s - d.s) < Math.abs(s - sp.discs[best].s)) best = k;
      });
      this.discAt[c] = best;
      sp.bodies.forEach(([s0, s1], b) => {
        const h = s1 - s0;
        if (s >= s0 && s <= s1) this.bodyAt[c] = b;
        // The arch hangs a little below its body; pedicles leave the body's upper half.
        if (s >= s0 - 6 && s <= s1 - 6) this.archAt[c] = b;
        if (s >= s0 + 0.45 * h && s <= s1 - 1.5) this.pedicleAt[c] = b;
      });
    }
    this.foramenX = foramenX(sp);
    this.foramenA = foramenA(sp);
    this.foramenS = sp.discs.map(foramenS);
    this.axes = Float64Array.from([...sp.up, ...sp.post, ...sp.left]);
    this.pinch = sp.discs.map((_, k) =>
      k < FIRST_LEVEL_DISC ? 0 : SIGN.canalPinch[spinalGrades[k - FIRST_LEVEL_DISC]],
    );
  }

  /**
   * Spine coordinates of the patient point p = q + (arc centre), into out as [x, a, s]: the inverse
   * of spine.ts `toPatient`. Takes q because the painter steps it along a row; here, with the axes
   * unpacked, because it runs for every pixel.
   */
  coordsFromCentre(qx: number, qy: number, qz: number, out: Float64Array): void {
    const m = this.axes;
    const qu = qx * m[0] + qy * m[1] + qz * m[2];
    const qp = qx * m[3] + qy * m[4] + qz * m[5];
    const sp = this.sp;
    out[0] = qx * m[6] + qy * m[7] + qz * m[8];
    out[1] = sp.bend * (sp.radius - Math.sqrt(qu * qu + qp * qp));
    out[2] = sp.radius * Math.atan2(qu, -sp.bend * qp);
  }

  /** Spine coordinates [x, a, s] of a patient point (LPS mm). */
  spineCoords(p: Vec3): Vec3 {
    const c = arcCentre(this.sp);
    const out = new Float64Array(3);
    this.coordsFromCentre(p[0] - c[0], p[1] - c[1], p[2] - c[2], out);
    return [out[0], out[1], out[2]];
  }

  /** Relative signal at (x, a, s); `soft` is the signal of the torso's soft tissue here (blotches). */
  valueAt(x: number, a: number, s: number, t: Intensities, soft: number): number {
    const sp = this.sp;
    const ex = x / sp.torso.halfX;
    const ea = (a - sp.torso.centreA) / sp.torso.halfA;
    const e = ex * ex + ea * ea;
    if (e > 1) return t.air;
    let v = e > 0.8 ? t.fat : a > sp.bodyHalfDepth && Math.abs(x) < 55 ? t.muscle : soft;
    if (a < -sp.bodyHalfDepth) v = this.organs(x, a, s, v, t);
    if (Math.abs(x) > 45 || a < -sp.bodyHalfDepth - 6 || a > sp.canalA + 50) return v;
    const c = Math.round((s - this.sMin) / STEP_MM);
    if (c < 0 || c >= this.discAt.length) return v;
    v = this.vertebrae(x, a, s, c, v, t);
    v = this.posteriorElements(x, a, s, c, v, t);
    v = this.foramen(x, a, s, c, v, t);
    return this.canal(x, a, s, c, v, t);
  }

  private organs(x: number, a: number, s: number, v: number, t: Intensities): number {
    const organs = this.sp.organs;
    for (let i = 0; i < organs.length; i++) {
      const o = organs[i];
      const ds = (s - o.centre[2]) / o.radii[2];
      if (ds > 1.1 || ds < -1.1) continue;
      const dx = (x - o.centre[0]) / o.radii[0];
      const da = (a - o.centre[1]) / o.radii[1];
      const k = dx * dx + da * da + ds * ds;
      if (k < 1.2)
        v = mix(v, o.bright ? t.organBright : t.organDark, coverage((Math.sqrt(k) - 1) * o.radii[1]));
    }
    return v;
  }

  /** Vertebral bodies, discs and the sacrum. */
  private vertebrae(x: number, a: number, s: number, c: number, v: number, t: Intensities): number {
    const sp = this.sp;
    const b = this.bodyAt[c];
    if (b >= 0) {
      const [s0, s1] = sp.bodies[b];
      const d = roundedBox(
        x,
        a,
        s - (s0 + s1) / 2,
        sp.bodyHalfWidth,
        sp.bodyHalfDepth,
        (s1 - s0) / 2,
        sp.corner,
      );
      v = layered(v, d, t, "cortex", "marrow");
    }
    const k = this.discAt[c];
    const disc = sp.discs[k];
    const h = disc.height / 2;
    const dd = roundedBox(
      x,
      a,
      s - disc.s,
      sp.bodyHalfWidth * 0.97,
      sp.bodyHalfDepth + 0.8,
      h,
      Math.min(sp.corner, h),
    );
    if (dd < EDGE_MM) {
      v = mix(v, t.annulus, coverage(dd));
      const n = ellipsoid(
        x,
        a,
        s - disc.s,
        0.55 * sp.bodyHalfWidth,
        0.55 * sp.bodyHalfDepth,
        0.32 * disc.height,
      );
      v = mix(v, t.nucleus, coverage(n));
    }
    if (s < sp.sacrumTop + 1) v = layered(v, this.sacrum(x, a, s), t, "cortex", "marrow");
    return v;
  }

  /** Laminae and spinous processes behind the canal, pedicles beside it. */
  private posteriorElements(x: number, a: number, s: number, c: number, v: number, t: Intensities): number {
    const sp = this.sp;
    const arch = this.archAt[c];
    if (arch >= 0) {
      const [s0, s1] = sp.bodies[arch];
      const h2 = s1 - s0;
      const back = sp.canalA + sp.canalHalfDepth;
      const lamina = box(x, a, s, 0, sp.canalHalfWidth + 9, back + 2, back + 9, s0 - 6, s1 - 6, 2);
      const spinous = box(x, a, s, 0, 3.5, back + 6, back + 38, s0 + 2 - 6, s0 + 0.55 * h2 - 6, 2);
      v = mix(v, t.bone, coverage(Math.min(lamina, spinous)));
    }
    const ped = this.pedicleAt[c];
    if (ped >= 0) {
      const [s0, s1] = sp.bodies[ped];
      const xc = sp.canalHalfWidth + 4.5;
      const d = box(
        Math.abs(x),
        a,
        s,
        xc,
        3.5,
        sp.bodyHalfDepth - 2,
        sp.canalA + 0.3 * sp.canalHalfDepth,
        s0 + 0.45 * (s1 - s0),
        s1 - 1.5,
        1.5,
      );
      v = mix(v, t.bone, coverage(d));
    }
    return v;
  }

  /** The sacrum: a box under L5/S1 that narrows and leans back with depth. */
  private sacrum(x: number, a: number, s: number): number {
    const sp = this.sp;
    const depth = Math.max(0, sp.sacrumTop - s);
    const taper = 1 - (0.35 * depth) / 55;
    return roundedBox(
      x,
      a - 0.55 * depth,
      s - (sp.sacrumTop - 27.5),
      sp.bodyHalfWidth * taper,
      sp.bodyHalfDepth * taper,
      27.5,
      sp.corner,
    );
  }

  private foramen(x: number, a: number, s: number, c: number, v: number, t: Intensities): number {
    const dx = Math.abs(x) - this.foramenX;
    const af = this.foramenA;
    const sf = this.foramenS[this.discAt[c]];
    const fat = ellipsoid(dx, a - af, s - sf, FORAMEN_X, FORAMEN_A, FORAMEN_S);
    if (fat > EDGE_MM) return v;
    v = mix(v, t.foramenFat, coverage(fat));
    return mix(v, t.nerve, coverage(ellipsoid(dx, a - af + 0.5, s - sf - 3.5, FORAMEN_X, 1.4, 1.4)));
  }

  private canal(x: number, a: number, s: number, c: number, v: number, t: Intensities): number {
    const sp = this.sp;
    if (s < sp.sacrumTop - 25) return v;
    const k = this.discAt[c];
    const disc = sp.discs[k];
    const reach = disc.height / 2 + 4;
    const u = (s - disc.s) / reach;
    const p = Math.abs(u) < 1 ? this.pinch[k] * (1 - u * u) ** 2 : 0;
    const da = a - sp.canalA;
    const w = sp.canalHalfWidth;
    const d = sp.canalHalfDepth;
    const sheath = ellipse(x, da, w + 2.2, d + 2);
    if (sheath > EDGE_MM) return v;
    v = mix(v, t.epidural, coverage(sheath));
    v = mix(v, t.stenosis, coverage(ellipse(x, da, w, d)));
    return mix(v, t.csf, coverage(ellipse(x, da, w * (1 - 0.35 * p), d * (1 - p))));
  }
}

/** A cortical rim of 1.3 mm around the inside. */
function layered(v: number, d: number, t: Intensities, rim: CartoonTissue, inner: CartoonTissue): number {
  if (d >= EDGE_MM) return v;
  return mix(mix(v, t[rim], coverage(d)), t[inner], coverage(d + 1.3));
}
