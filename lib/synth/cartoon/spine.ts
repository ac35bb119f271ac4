import { LEVELS } from "../../data/schema";
import type { Rng } from "../../util/rng";
import { add, cross, mulMat, normalize, rotationXYZ, scale, type Vec3 } from "../vec";

/**
 * The cartoon's anatomy: geometric shapes placed along a spine whose centre line is a circular
 * arc in patient space. Spine coordinates (x, a, s): s = arc length along the centre line (mm,
 * superior positive, 0 at the L3/L4 disc centre), a = offset towards the arc's posterior side
 * (mm), x = lateral (mm, patient left positive). Independent of the phantom (lib/synth/anatomy.ts).
 */
export interface CartoonSpine {
  /** Centre line at s = 0, and the frame there: up (superior), post (posterior), left. */
  readonly origin: Vec3;
  readonly up: Vec3;
  readonly post: Vec3;
  readonly left: Vec3;
  /** Arc radius (mm) and side of its centre: +1 posterior (lordosis), -1 anterior. */
  readonly radius: number;
  readonly bend: 1 | -1;
  /** Vertebral body half width (x), half depth (a), corner radius. */
  readonly bodyHalfWidth: number;
  readonly bodyHalfDepth: number;
  readonly corner: number;
  /** Canal: centre depth (a), half width, half depth; the epidural fat around it. */
  readonly canalA: number;
  readonly canalHalfWidth: number;
  readonly canalHalfDepth: number;
  /** Discs T12/L1 .. L5/S1: centre s and height. The last five are the labelled levels. */
  readonly discs: readonly { readonly s: number; readonly height: number }[];
  /** Bodies T11 .. L5 as [inferior endplate s, superior endplate s]. */
  readonly bodies: readonly (readonly [number, number])[];
  /** s of the sacrum's upper endplate. */
  readonly sacrumTop: number;
  /** Torso outline: an ellipse in (x, a). */
  readonly torso: { readonly centreA: number; readonly halfX: number; readonly halfA: number };
  /** Cartoon organs in front of the spine: ellipsoids in spine coordinates, bright or dark. */
  readonly organs: readonly Organ[];
}

export interface Organ {
  readonly centre: Vec3;
  readonly radii: Vec3;
  readonly bright: boolean;
}

/** The first labelled disc in `discs` (L1/L2). */
export const FIRST_LEVEL_DISC = 1;

export function buildSpine(rng: Rng): CartoonSpine {
  const bodyHalfWidth = rng.uniform(19, 25);
  const bodyHalfDepth = rng.uniform(13, 17);
  const canalHalfDepth = rng.uniform(5.5, 7.5);
  const canalHalfWidth = rng.uniform(8, 11);
  // Stack L5/S1 upwards from the sacrum: disc, body, disc, ... up to part of T11.
  const heights = LEVELS.map(() => rng.uniform(7.5, 11.5));
  const bodyHeights = Array.from({ length: LEVELS.length + 1 }, () => rng.uniform(24, 30));
  const discs: { s: number; height: number }[] = [];
  const bodies: [number, number][] = [];
  let s = 0;
  const discHeights = [rng.uniform(6, 9), ...heights]; // T12/L1, then the labelled levels
  for (let k = discHeights.length - 1; k >= 0; k--) {
    discs.unshift({ s: s + discHeights[k] / 2, height: discHeights[k] });
    s += discHeights[k];
    bodies.unshift([s, s + bodyHeights[k]]);
    s += bodyHeights[k];
  }
  // Centre s on the L3/L4 disc.
  const zero = discs[FIRST_LEVEL_DISC + 2].s;
  const shifted = discs.map((d) => ({ s: d.s - zero, height: d.height }));
  const shiftedBodies = bodies.map(([a, b]) => [a - zero, b - zero] as const);

  const rotation = rotationXYZ(rad(rng.normal(0, 5)), rad(rng.normal(0, 1.5)), rad(rng.normal(0, 2.5)));
  const up = normalize(mulMat(rotation, [0, 0, 1]));
  const post = normalize(mulMat(rotation, [0, 1, 0]));
  const left = cross(post, up);
  const aBack = rng.uniform(85, 125);
  const aFront = -rng.uniform(95, 150);
  const organs: Organ[] = [];
  for (let k = rng.int(6, 12); k > 0; k--) {
    organs.push({
      centre: [rng.uniform(-90, 90), rng.uniform(aFront + 20, -bodyHalfDepth - 20), rng.uniform(-120, 120)],
      radii: [rng.uniform(8, 35), rng.uniform(8, 25), rng.uniform(10, 45)],
      bright: rng.bool(0.5),
    });
  }
  return {
    origin: [rng.uniform(-20, 20), rng.uniform(-25, 25), rng.uniform(-40, 40)],
    up,
    post,
    left,
    radius: rng.bool(0.15) ? rng.uniform(1500, 4000) : rng.uniform(260, 700),
    bend: rng.bool(0.9) ? 1 : -1,
    bodyHalfWidth,
    bodyHalfDepth,
    corner: rng.uniform(2.5, 5),
    canalA: bodyHalfDepth + 1.5 + canalHalfDepth,
    canalHalfWidth,
    canalHalfDepth,
    discs: shifted,
    bodies: shiftedBodies,
    sacrumTop: shifted[shifted.length - 1].s - shifted[shifted.length - 1].height / 2,
    torso: { centreA: (aBack + aFront) / 2, halfX: rng.uniform(140, 185), halfA: (aBack - aFront) / 2 },
    organs,
  };
}

/** Spine coordinates -> patient LPS mm. */
export function toPatient(sp: CartoonSpine, x: number, a: number, s: number): Vec3 {
  const t = s / sp.radius;
  const c = Math.cos(t);
  const sn = Math.sin(t);
  // Centre line: C - bend R cos t post + R sin t up, with C = origin + bend R post.
  const along = sp.radius * sn;
  const across = sp.bend * sp.radius * (1 - c);
  // Posterior direction at s: cos t post - bend sin t up.
  const pa = a * c + across;
  const ua = along - sp.bend * a * sn;
  return add(add(add(sp.origin, scale(sp.post, pa)), scale(sp.up, ua)), scale(sp.left, x));
}

/** The arc's centre (patient mm); the inverse of toPatient (per pixel) is CartoonAnatomy.coordsFromCentre. */
export function arcCentre(sp: CartoonSpine): Vec3 {
  return add(sp.origin, scale(sp.post, sp.bend * sp.radius));
}

/** Superior unit tangent of the centre line at s (patient frame). */
export function tangentAt(sp: CartoonSpine, s: number): Vec3 {
  const t = s / sp.radius;
  return normalize(add(scale(sp.up, Math.cos(t)), scale(sp.post, sp.bend * Math.sin(t))));
}

/** Side 0 = patient left (+x), 1 = right. */
export const sideSign = (side: 0 | 1): 1 | -1 => (side === 0 ? 1 : -1);

/** What the labelled coordinates point at, per labelled level (0 = L1/L2), in spine coordinates. */
export function landmarks(sp: CartoonSpine, level: number) {
  const d = sp.discs[FIRST_LEVEL_DISC + level];
  return {
    discCentre: [0, 0, d.s] as Vec3,
    /** The canal behind the disc. */
    canal: [0, sp.canalA, d.s] as Vec3,
    /** The foramen, lateral to the canal, just above the disc, between the pedicles. */
    foramen: (side: 0 | 1) => [sideSign(side) * foramenX(sp), foramenA(sp), foramenS(d)] as Vec3,
    /** The lateral recess, beside the canal at the disc. */
    recess: (side: 0 | 1) =>
      [sideSign(side) * (sp.canalHalfWidth + 1), sp.canalA - 0.5 * sp.canalHalfDepth, d.s] as Vec3,
  };
}

export const foramenX = (sp: CartoonSpine) => sp.canalHalfWidth + 6.5;
export const foramenA = (sp: CartoonSpine) => sp.bodyHalfDepth + 5;
export const foramenS = (d: { s: number; height: number }) => d.s + d.height / 2 + 4.5;
/** The foramen's semi-axes in a and s (mm); laterally it reaches FORAMEN_HALF_X either side. */
export const FORAMEN_RADII = { a: 4.5, s: 6.5 } as const;
export const FORAMEN_HALF_X = 4.5;

const rad = (deg: number) => (deg * Math.PI) / 180;
