import { foramenCentreS, type Anatomy } from "./anatomy";
import { SpineCurve } from "./curve";
import { ValueNoise } from "../util/noise";
import { Tissue } from "./tissue";
import type { AnatomyVariation, MarrowLesion } from "./variation";

/** Per-point tissue lookup: precomputes along-spine tables so the per-pixel work is small. */
export class Phantom {
  readonly curve: SpineCurve;
  private readonly sMin: number;
  private readonly step = 0.5;
  /** Per table cell: nearest disc index, vertebral body (or -1), posterior arch vertebra (or -1), pedicle (or -1). */
  private readonly nearDisc: Int8Array;
  private readonly bodyOf: Int8Array;
  private readonly archOf: Int8Array;
  private readonly pedicleOf: Int8Array;
  private readonly discOf: Int8Array;
  /** The varied anatomy (random appearance) and what it precomputes; null: the fixed phantom. */
  private readonly vary: AnatomyVariation | null;
  private readonly tiltCos: number;
  private readonly tiltSin: number;
  private readonly lesionsOf: readonly MarrowLesion[][];
  private readonly marrowNoise: ValueNoise | null;

  constructor(readonly an: Anatomy) {
    this.curve = new SpineCurve(an);
    this.sMin = -160;
    const sMax = an.vertebrae[0][1] + 80;
    const cells = Math.ceil((sMax - this.sMin) / this.step) + 1;
    this.nearDisc = new Int8Array(cells);
    this.bodyOf = new Int8Array(cells).fill(-1);
    this.archOf = new Int8Array(cells).fill(-1);
    this.pedicleOf = new Int8Array(cells).fill(-1);
    this.discOf = new Int8Array(cells).fill(-1);
    for (let c = 0; c < cells; c++) {
      const s = this.sMin + c * this.step;
      let best = 0;
      an.discs.forEach((d, k) => {
        if (Math.abs(s - d.s) < Math.abs(s - an.discs[best].s)) best = k;
        if (Math.abs(s - d.s) <= d.height / 2) this.discOf[c] = k;
      });
      this.nearDisc[c] = best;
      an.vertebrae.forEach(([s0, s1], v) => {
        const h = s1 - s0;
        if (s >= s0 && s <= s1) this.bodyOf[c] = v;
        // The arch hangs a little caudal of its body; pedicles leave the upper half of the body.
        if (s >= s0 - 7 && s <= s1 - 6) this.archOf[c] = v;
        if (s >= s0 + 0.45 * h && s <= s1 - 1.5) this.pedicleOf[c] = v;
      });
      if (s < 0 && s > -95) this.archOf[c] = 99; // sacrum: fused arch
    }
    this.vary = an.variation;
    this.tiltCos = Math.cos(this.vary?.sacralTilt ?? 0);
    this.tiltSin = Math.sin(this.vary?.sacralTilt ?? 0);
    this.lesionsOf = an.vertebrae.map((_, v) => (this.vary?.lesions ?? []).filter((l) => l.vertebra === v));
    this.marrowNoise = this.vary ? new ValueNoise(an.textureSeed ^ 0x5bd1e995) : null;
  }

  /** Whether marrow carries a texture of its own (marrowFactor); the renderer samples it only then. */
  get hasMarrowTexture(): boolean {
    return this.marrowNoise !== null;
  }

  /**
   * Marrow signal factor at spine coordinates: the body's own level times a heterogeneity of the
   * study's amplitude and scale (varied anatomy only; 1 otherwise). Slow: the renderer samples it
   * on its coarse node grid.
   */
  marrowFactor(x: number, a: number, s: number): number {
    const v = this.vary;
    if (v === null || this.marrowNoise === null) return 1;
    const f = v.marrow.frequency;
    const n = this.marrowNoise.at(x * f, a * f, s * f);
    const cell = this.cellOf(s);
    const body = this.bodyOf[cell];
    return (body >= 0 ? v.marrow.level[body] : 1) * (1 + v.marrow.amplitude * (2 * n - 1));
  }

  private cellOf(s: number): number {
    const cell = Math.round((s - this.sMin) / this.step);
    return cell < 0 ? 0 : cell >= this.nearDisc.length ? this.nearDisc.length - 1 : cell;
  }

  /** Spine coordinates of a body-frame point: one Newton step onto the centre line. */
  spineCoords(bx: number, by: number, bz: number, out: Float64Array): void {
    const c = this.curve;
    let u = bz - this.an.zApex;
    let slope = c.slopeU(u);
    let nrm = Math.sqrt(1 + slope * slope);
    const along = ((by - c.yU(u)) * slope) / nrm;
    u += along / nrm;
    slope = c.slopeU(u);
    nrm = Math.sqrt(1 + slope * slope);
    const dy = by - c.yU(u);
    const dz = bz - this.an.zApex - u;
    out[0] = bx;
    out[1] = (dy - slope * dz) / nrm;
    out[2] = c.arcU(u) + (dy * slope + dz) / nrm;
  }

  /**
   * Tissue at spine coordinates (x, a, s). Order matters: structures are tested inside-out. The
   * varied anatomy (an.variation) takes its own branches; the fixed phantom's arithmetic is untouched.
   */
  tissue(x: number, a: number, s: number): number {
    const an = this.an;
    const sk = an.skin;
    const cA = (sk.posterior + sk.anterior) / 2;
    const hA = (sk.posterior - sk.anterior) / 2;
    const ex = x / sk.halfWidth;
    const ea = (a - cA) / hA;
    if (ex * ex + ea * ea > 1) return Tissue.Air;

    // Varied anatomy: below the tilted S1 plane everything is the sacrum, turned about its pivot.
    let sacrum = s < 0;
    const vary = this.vary;
    if (vary !== null) {
      const da = a - an.ra;
      sacrum = s * this.tiltCos < da * this.tiltSin;
      if (sacrum) {
        const sr = s * this.tiltCos - da * this.tiltSin;
        a = an.ra + da * this.tiltCos + s * this.tiltSin;
        s = sr;
      }
    }

    // Well in front of the vertebral bodies (discs bulge to 1.2 radii) only soft tissue remains.
    if (a < -1.3 * an.ra - 1) return this.anterior(x, a, s, ex, ea);

    const cell = this.cellOf(s);
    const dk = this.nearDisc[cell];
    const d = an.discs[dk];
    const ds = (s - d.s) / d.reach;
    const g = Math.exp(-ds * ds);
    const ax = Math.abs(x);
    const side = x >= 0 ? 0 : 1;

    // Vertebral bodies, discs and sacrum share one elliptical footprint (sacrum tapers down).
    const taper = sacrum ? this.sacralTaper(s) : 1;
    const rx = an.rx * (sacrum ? 1 + Math.min(0.9, -s / 60) : 1);
    const ra = an.ra * taper;
    // Superellipse in x: the body is broad and ends abruptly at the sides, as real ones do.
    const qx = (x / rx) * (x / rx);
    const eb = qx * qx + (a / ra) * (a / ra);
    let disc = this.discOf[cell];
    if (vary !== null) {
      // The front of a lordotic L5/S1 wedge lies below s = 0; concave endplates widen every disc.
      if (!sacrum && s < 0) disc = an.discs.length - 1;
      else if (disc < 0 && eb < 1) disc = this.concaveDisc(vary, s, eb, sacrum, cell);
    }
    if (disc >= 0) {
      const dd = an.discs[disc];
      const bulge = 1 + (1 + 3 * dd.degeneration) / an.rx;
      if ((vary === null ? eb : this.bulgedFootprint(vary, disc, x, a, s, rx, ra)) < bulge * bulge) {
        const nx = x / (rx * 0.62);
        const na = (a + 0.1 * ra) / (ra * 0.55);
        // The nucleus fills a biconvex disc's extra height too.
        const ns = (s - dd.s) / (dd.height * 0.36 + (vary === null ? 0 : vary.concavity[disc]));
        const inNucleus = nx * nx + na * na + ns * ns < 1;
        if (vary !== null && inNucleus && this.inCleft(vary, disc, s, nx, na)) return Tissue.Air;
        return inNucleus ? Tissue.Nucleus0 + disc : Tissue.Annulus;
      }
    } else if (eb < 1 && (this.bodyOf[cell] >= 0 || (sacrum && s > -150))) {
      if (eb > 0.86) return Tissue.Cortex;
      const v = this.bodyOf[cell];
      if (vary !== null) return this.variedBody(vary, v, x, a, s, eb);
      if (v >= 0) {
        const [s0, s1] = an.vertebrae[v];
        if (s - s0 < 1.2 || s1 - s < 1.2) return Tissue.Cortex;
      } else if (s > -30 && s < -27.5) return Tissue.Annulus; // vestigial S1/S2 disc
      return Tissue.Marrow;
    }

    const acBase = an.ra + 1.5 + an.sacAp;
    const ac = sacrum ? acBase * taper : acBase;
    const canalLat = an.sacLat + 4;
    const canalAp = an.sacAp + 2.5;
    const postWall = ac + canalAp;

    // Spinal canal: thecal sac (CSF, cord, roots) inside epidural fat, narrowed at degenerate levels.
    if (a > ra - 0.5 && a < postWall + 0.5 && ax < canalLat) {
      const ecx = x / canalLat;
      const eca = (a - ac) / canalAp;
      if (ecx * ecx + eca * eca < 1 || a < ac) {
        const nSp = d.spinal * g;
        const nSb = d.subarticular[side] * g;
        const prof = Math.max(0, 1 - ecx * ecx);
        const aAnt = ra + (0.6 + 1.2 * d.degeneration) * g + 1.25 * an.sacAp * nSp * prof;
        if (a < aAnt) return g > 0.3 ? Tissue.Annulus : Tissue.VenousPlexus;
        const lf = (1 + 0.9 * an.sacAp * nSp) * g + 0.4;
        if (a > postWall - lf) return Tissue.Ligament;
        // Facet and ligamentum flavum hypertrophy encroach from behind and the side.
        const fx = x - (x >= 0 ? 1 : -1) * (an.sacLat + 5);
        const fa = a - (ac + 2);
        const fr = 3 + 8 * nSb;
        if (fx * fx + fa * fa < fr * fr) return Tissue.Ligament;
        const sacTaper = sacrum ? Math.max(0, 1 + (s + 5) / 35) : 1;
        const sl = an.sacLat * (1 - 0.3 * nSp) * sacTaper;
        const sa = an.sacAp * sacTaper;
        const ex2 = x / sl;
        const ea2 = (a - ac) / sa;
        const inSac = sacTaper > 0 && ex2 * ex2 + ea2 * ea2 < 1;
        const rr = 1 - 0.85 * nSb;
        const rx2 = (x - (x >= 0 ? 1 : -1) * (an.sacLat + 0.5)) / (3.4 * rr);
        const ra2 = (a - (an.ra + 3)) / (2.6 * rr);
        const inRecess = !sacrum && rx2 * rx2 + ra2 * ra2 < 1;
        if (inSac || inRecess) {
          // Traversing root in the lateral recess.
          const tx = x - (x >= 0 ? 1 : -1) * (an.sacLat - 0.5 - 1.5 * nSb);
          const ta = a - (an.ra + 3);
          if (g > 0.15 && tx * tx + ta * ta < 1.5) return Tissue.Nerve;
          if (inSac) {
            // Cord above the conus, cauda equina roots below it, lying dorsally.
            const cordR = Math.max(0, Math.min(4, (s - this.an.conus) / 3));
            const cx = x / (cordR + 1e-6);
            const ca = (a - ac) / (cordR * 0.8 + 1e-6);
            if (cordR > 0 && cx * cx + ca * ca < 1) return Tissue.Nerve;
            if (s < this.an.conus + 10) {
              if (vary !== null) {
                if (this.onRoot(vary, x, a - ac, sl, sa)) return Tissue.Nerve;
              } else {
                const ra3 = a - (ac + sa * 0.35);
                if (ra3 * ra3 < 0.5 && ax < sl * 0.6 && Math.abs(((ax + 1) % 2.2) - 1.1) < 0.7)
                  return Tissue.Nerve;
              }
            }
          }
          return Tissue.Csf;
        }
        return Tissue.EpiduralFat;
      }
    }

    // Lateral zone: pedicles between foramina; foramen fat with the exiting root; narrowing fills it.
    if (ax >= an.sacLat + 2 && ax < an.sacLat + 17 && a > ra - 6 && a < ac + 1 && !sacrum) {
      const ped = this.pedicleOf[cell];
      const fs = foramenCentreS(d);
      const fa = an.ra + 4.5;
      const rs = 8.5;
      const raF = 4.6 * (1 + (0.25 * (s - fs)) / rs);
      const es = (s - fs) / rs;
      const ef = (a - fa) / raF;
      if (es * es + ef * ef < 1) {
        const nF = d.foraminal[side] * (1 - 0.25 * Math.abs((ax - an.sacLat - 9) / 8));
        const rs2 = rs * (1 - 0.4 * nF);
        const ra2 = raF * (1 - 0.7 * nF);
        const es2 = (s - fs - 0.25 * rs * nF) / rs2;
        const ef2 = (a - fa + 0.5 * nF) / ra2;
        if (es2 * es2 + ef2 * ef2 < 1) {
          const rootR = 2.2 * (1 - 0.25 * nF);
          const rsn = s - (fs + 2.5);
          const ran = a - (fa - 0.5);
          return rsn * rsn + ran * ran < rootR * rootR ? Tissue.Nerve : Tissue.Fat;
        }
        return Tissue.Stenosis;
      }
      // Outside the foramen: a cortical rim, pedicles above and below, disc in front, facet behind.
      if (es * es + ef * ef < 1.3) return Tissue.Cortex;
      if (ped >= 0) return a > ra - 2 && a < ac - 1 && ax < an.sacLat + 15 ? Tissue.Marrow : Tissue.Cortex;
      if (a < fa) return disc >= 0 ? Tissue.Annulus : Tissue.Marrow;
      return Tissue.Marrow;
    }
    if (sacrum && s > -110 && ax < an.rx + 30 && a > -ra && a < ac + 14) {
      // Sacral ala lateral to the sacral canal.
      return ax > canalLat || a > ac + canalAp ? Tissue.Marrow : Tissue.EpiduralFat;
    }

    // Posterior elements: laminae as an inverted V from the spinous base forward to the facets, a
    // spinous process that droops caudally, articular pillars with oblique joint lines.
    if (!sacrum || s > -95) {
      const rel = a - postWall;
      if (rel > -3 && rel < 32) {
        const arch = this.archOf[cell];
        const lamMid = postWall + 3.2 - 0.35 * ax;
        if (arch >= 0 && ax < an.sacLat + 11 && Math.abs(a - lamMid) < 2.8)
          return Math.abs(a - lamMid) < 1.5 ? Tissue.Marrow : Tissue.Cortex;
        if (rel > 2 && ax < 5) {
          let c2 = Math.round((s + 0.3 * rel - this.sMin) / this.step);
          c2 = c2 < 0 ? 0 : c2 >= this.archOf.length ? this.archOf.length - 1 : c2;
          const sp = this.archOf[c2];
          const half = 4.6 - 0.06 * rel;
          if (sp >= 0 && sp !== 99 && rel < 30 && ax < half)
            return ax < half - 1.3 ? Tissue.Marrow : Tissue.Cortex;
          if (ax < 2.2) return Tissue.Ligament;
        }
      }
      const fcx = ax - (an.sacLat + 9);
      const fca = a - (ac + 0.55 * canalAp + 1);
      const grow = 1 + 0.3 * d.subarticular[side] * g;
      const fx2 = fcx / (5.5 * grow);
      const fa2 = fca / (8 * grow);
      const ef = fx2 * fx2 + fa2 * fa2;
      if (ef < 1 && !sacrum) {
        if (Math.abs(s - (d.s + 2) - 0.5 * fca) < 0.7 && ef < 0.8) return Tissue.JointFluid;
        return ef > 0.72 ? Tissue.Cortex : Tissue.Marrow;
      }
    }
    // Back muscles (erector spinae, multifidus) either side of the spinous process, then fat.
    const md = an.muscleDepth;
    const mx = (ax - (an.sacLat + 13)) / (an.sacLat + 13);
    const ma = (a - (postWall + 4 + md / 2)) / (md / 2 + 5);
    if (mx * mx + ma * ma < 1) return Tissue.Muscle;
    if (a >= postWall - 2) return Tissue.Fat;
    return this.anterior(x, a, s, ex, ea);
  }

  /** Depth of the sacral body relative to S1's at arc s < 0: it tapers, down to 35%. */
  private sacralTaper(s: number): number {
    return Math.max(0.35, 1 + s / (this.vary === null ? 170 : this.vary.sacralTaper));
  }

  /**
   * The disc whose concave endplates reach this body point (footprint measure eb < 1), or -1: an
   * endplate of depth c lies c (1 − eb) inside the body's flat-rim extent, so it is deepest at
   * the centre and flat at the rim.
   */
  private concaveDisc(v: AnatomyVariation, s: number, eb: number, sacrum: boolean, cell: number): number {
    const last = this.an.discs.length - 1;
    const depth = 1 - eb;
    if (sacrum) return s > -v.concavity[last] * depth ? last : -1;
    const b = this.bodyOf[cell];
    if (b < 0) return -1;
    const [s0, s1] = this.an.vertebrae[b];
    // Body b sits on disc b and carries disc b - 1.
    if (s - s0 < v.concavity[b] * depth) return b;
    if (b > 0 && s1 - s < v.concavity[b - 1] * depth) return b - 1;
    return -1;
  }

  /** The disc footprint measure with the annulus' posterior bulge: deepest on the midline at mid-height. */
  private bulgedFootprint(
    v: AnatomyVariation,
    disc: number,
    x: number,
    a: number,
    s: number,
    rx: number,
    ra: number,
  ): number {
    const qx = (x / rx) * (x / rx);
    if (a <= 0) return qx * qx + (a / ra) * (a / ra);
    const d = this.an.discs[disc];
    const h = (s - d.s) / (d.height / 2);
    // Central: it stays clear of the lateral recesses, whose narrowing is the label's.
    const w = x / (0.4 * rx);
    const bulge = v.posteriorBulge[disc] * Math.max(0, 1 - h * h) * Math.max(0, 1 - w * w);
    const ab = a / (ra + bulge);
    return qx * qx + ab * ab;
  }

  /** A vacuum cleft: a thin gas gap across the inner nucleus of a degenerate disc. */
  private inCleft(v: AnatomyVariation, disc: number, s: number, nx: number, na: number): boolean {
    const at = v.cleft[disc];
    return at !== null && Math.abs(s - this.an.discs[disc].s - at) < 0.6 && nx * nx + na * na < 0.7;
  }

  /**
   * A body point of the varied anatomy (body v, or the sacrum when v < 0): cortex along the concave
   * endplates (and S1's), vestigial sacral discs, marrow with its fat islands and Modic bands.
   */
  private variedBody(v: AnatomyVariation, b: number, x: number, a: number, s: number, eb: number): Tissue {
    const depth = 1 - eb;
    if (b < 0) {
      const last = this.an.discs.length - 1;
      if (s > -1.2 - v.concavity[last] * depth) return Tissue.Cortex; // S1 endplate
      for (const sd of v.sacralDiscs) if (Math.abs(s - sd) < 1.25) return Tissue.Annulus;
      return Tissue.Marrow;
    }
    const [s0, s1] = this.an.vertebrae[b];
    const below = s - s0 - v.concavity[b] * depth;
    const above = s1 - s - (b > 0 ? v.concavity[b - 1] * depth : 0);
    if (below < 1.2 || above < 1.2) return Tissue.Cortex;
    for (const l of this.lesionsOf[b]) {
      if (l.kind === "island") {
        const [lx, la, ls] = l.centre;
        if ((x - lx) ** 2 + (a - la) ** 2 + (s - ls) ** 2 < l.radius * l.radius) return Tissue.Fat;
      } else if ((l.endplate === "inferior" ? below : above) < l.depth && eb < 0.75) {
        // Modic 2 is fat; Modic 1 is oedema, fluid-like (dark T1, bright T2 and STIR).
        return l.fat ? Tissue.Fat : Tissue.JointFluid;
      }
    }
    return Tissue.Marrow;
  }

  /** On one of the cauda equina's roots (sac-centred offsets dx, da; sac half width and depth). */
  private onRoot(v: AnatomyVariation, dx: number, da: number, sl: number, sa: number): boolean {
    for (const r of v.roots) {
      const ux = dx - r.u * sl;
      const va = da - r.v * sa;
      if (ux * ux + va * va < r.r * r.r) return true;
    }
    return false;
  }

  /** Anterior and lateral soft tissue: flank wall, psoas, great vessels, retroperitoneal fat, bowel. */
  private anterior(x: number, a: number, s: number, ex: number, ea: number): number {
    const an = this.an;
    const ax = Math.abs(x);
    const ra = s < 0 ? an.ra * this.sacralTaper(s) : an.ra;
    const e = ex * ex + ea * ea;
    if (e > 0.8 && e < 0.87) return Tissue.Muscle;

    // Anterior and lateral: psoas, great vessels, retroperitoneal fat, bowel.
    const top = an.vertebrae[2][1];
    if (s < top) {
      const pr0 = Math.min(24, 6 + 0.16 * (top - s));
      const pr = this.vary === null ? pr0 : pr0 * this.vary.psoas;
      const px = ax - (an.rx + 6 + pr * 0.8);
      const pa = a + 0.1 * an.ra;
      if (px * px + pa * pa < pr * pr) return Tissue.Muscle;
    }
    const bif = (an.vertebrae[5][0] + an.vertebrae[5][1]) / 2;
    const va = a + ra + 11;
    if (s > bif) {
      const ao = x - 14;
      if (ao * ao + va * va < 81) return Tissue.Vessel;
      const ivc = x + 17;
      if (ivc * ivc + (va - 2) * (va - 2) < 100) return Tissue.Vessel;
    } else {
      const spread = 14 + 0.45 * (bif - s);
      const il = ax - spread;
      if (il * il + va * va < 36) return Tissue.Vessel;
    }
    if (a < -ra - 20 - 0.004 * x * x) return Tissue.Bowel;
    return Tissue.Fat;
  }
}
