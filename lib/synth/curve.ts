import type { Anatomy } from "./anatomy";
import { normalize, type Vec3 } from "./vec";

/**
 * The vertebral-body centre line y = Y(u), u = z − zApex, in the body frame: its slope is piecewise
 * linear in u (a parabola per segment): straight thoracic spine above `uTop`, lumbar lordosis of
 * curvature κ, and a sacrum bending back faster below `uSacrum`. Arc length has a closed form per
 * segment, so the per-pixel projection stays cheap.
 */
export class SpineCurve {
  readonly zSacrum: number;
  private readonly segs: { u0: number; p: number; q: number; y0: number; s0: number }[];

  constructor(private readonly an: Pick<Anatomy, "kappa" | "zApex">) {
    const k = an.kappa;
    // The S1 endplate sits about 95 mm below the apex (around L3/L4); thoracic spine straight from ~T12.
    const uS = -95;
    const uT = 55;
    this.zSacrum = an.zApex + uS;
    const k2 = 4 * k;
    // slope(u) = p + q (u − u0) per segment, continuous at the joins; the sacral piece is anchored at
    // uS and used for u < uS. Lumbar: y = k u², so y(uS) = k uS².
    const lum = { u0: uS, p: 2 * k * uS, q: 2 * k, y0: k * uS * uS, s0: 0 };
    lum.s0 = -this.segArc(lum, 0); // arc length 0 at the apex for now
    const sac = { u0: uS, p: 2 * k * uS, q: 2 * (k + k2), y0: lum.y0, s0: lum.s0 };
    const th = { u0: uT, p: 2 * k * uT, q: 0, y0: k * uT * uT, s0: lum.s0 + this.segArc(lum, uT) };
    this.segs = [sac, lum, th];
    // Arc length origin at the S1 endplate.
    const sS = lum.s0;
    for (const sg of this.segs) sg.s0 -= sS;
  }

  private seg(u: number) {
    const sg = this.segs;
    return u < sg[1].u0 ? sg[0] : u < sg[2].u0 ? sg[1] : sg[2];
  }

  /** Arc length from a segment's start to u along that segment. */
  private segArc(sg: { u0: number; p: number; q: number }, u: number): number {
    const du = u - sg.u0;
    if (sg.q === 0) return du * Math.sqrt(1 + sg.p * sg.p);
    const w1 = sg.p + sg.q * du;
    const w0 = sg.p;
    return (
      (w1 * Math.sqrt(1 + w1 * w1) + Math.asinh(w1) - (w0 * Math.sqrt(1 + w0 * w0) + Math.asinh(w0))) /
      (2 * sg.q)
    );
  }

  arcU(u: number): number {
    const sg = this.seg(u);
    return sg.s0 + this.segArc(sg, u);
  }

  slopeU(u: number): number {
    const sg = this.seg(u);
    return sg.p + sg.q * (u - sg.u0);
  }

  yU(u: number): number {
    const sg = this.seg(u);
    const du = u - sg.u0;
    return sg.y0 + sg.p * du + (sg.q * du * du) / 2;
  }

  /** Arc length from the S1 endplate to body height z. */
  arc(z: number): number {
    return this.arcU(z - this.an.zApex);
  }

  /** Body height z at arc length s (bisection; setup only). */
  zAt(s: number): number {
    let lo = this.zSacrum - 300;
    let hi = this.zSacrum + 500;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (this.arc(mid) < s) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  y(z: number): number {
    return this.yU(z - this.an.zApex);
  }

  /** Body-frame point of spine coordinates (x, a, s). */
  bodyPoint(x: number, a: number, s: number): Vec3 {
    const z = this.zAt(s);
    const slope = this.slopeU(z - this.an.zApex);
    const nrm = Math.sqrt(1 + slope * slope);
    // Normal (posterior) = (0, 1, -slope)/n.
    return [x, this.y(z) + a / nrm, z - (a * slope) / nrm];
  }

  /** Unit tangent (superior) in the body frame at arc length s. */
  tangent(s: number): Vec3 {
    const z = this.zAt(s);
    return normalize([0, this.slopeU(z - this.an.zApex), 1]);
  }
}
