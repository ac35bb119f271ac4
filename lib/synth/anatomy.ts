import { LEVELS } from "../data/schema";
import type { Rng } from "../util/rng";
import type { AnatomyVariation } from "./variation";
import { add, column, mulMat, mulMatT, rotationXYZ, type Mat3, type Vec3 } from "./vec";

/**
 * A lumbar spine phantom in a curved "spine frame": s = arc length along the vertebral-body centre
 * line (mm, superior positive, 0 at the S1 upper endplate), a = offset along the curve normal
 * (mm, posterior positive), x = lateral (mm, patient left positive). The centre line is the parabola
 * y = κ (z − zApex)² in body coordinates (lordosis); the body frame is rotated and shifted into the
 * scanner's LPS frame, so every series samples one consistent 3D object.
 */

/** The discs drawn, superior to inferior; the last five are the labelled levels. */
export const DISC_NAMES = ["T11/T12", "T12/L1", "L1/L2", "L2/L3", "L3/L4", "L4/L5", "L5/S1"] as const;
export const FIRST_LABELLED_DISC = 2;

export interface DiscAnatomy {
  /** Arc-length position of the disc centre. */
  readonly s: number;
  readonly height: number;
  /** 0 healthy .. 1 desiccated (nucleus T2 signal, height loss, bulge). */
  readonly degeneration: number;
  readonly spinal: number;
  /** [left, right] narrowings in [0, 1]. */
  readonly foraminal: readonly [number, number];
  readonly subarticular: readonly [number, number];
  /** Half-width of the along-spine profile of the narrowing. */
  readonly reach: number;
}

export interface Anatomy {
  readonly kappa: number;
  readonly zApex: number;
  /** Vertebral body half width (x) and half depth (a). */
  readonly rx: number;
  readonly ra: number;
  /** Thecal sac half depth and half width. */
  readonly sacAp: number;
  readonly sacLat: number;
  readonly discs: readonly DiscAnatomy[];
  /** Vertebral bodies T11..L5 as [s0 (inferior endplate), s1 (superior endplate)]. */
  readonly vertebrae: readonly (readonly [number, number])[];
  readonly skin: { readonly halfWidth: number; readonly posterior: number; readonly anterior: number };
  readonly muscleDepth: number;
  /** Body frame -> scanner: p_scanner = rotation · p_body + origin. */
  readonly rotation: Mat3;
  readonly origin: Vec3;
  /** s of the conus tip (spinal cord ends about L1). */
  readonly conus: number;
  readonly coilFalloff: number;
  readonly biasSlope: number;
  readonly textureSeed: number;
  /** The anatomy the random appearance varies (lib/synth/variation.ts); null: the fixed phantom. */
  readonly variation: AnatomyVariation | null;
}

/** Narrowings per labelled level, from the label model, TARGETS order (condition-major); lordosis κ from kappaRange. */
export function buildAnatomy(
  rng: Rng,
  narrowing: readonly number[],
  kappaRange: readonly [number, number],
): Anatomy {
  const kappa = rng.uniform(kappaRange[0], kappaRange[1]);
  const zApex = rng.uniform(-8, 8);
  const rx = rng.uniform(20, 24);
  const ra = rng.uniform(14, 17);
  const sacAp = rng.uniform(6, 7.8);
  const sacLat = rng.uniform(9, 11.5);
  const n = (c: number, level: number) => narrowing[c * LEVELS.length + level];

  // Stack discs and bodies upward from the S1 endplate (s = 0).
  const discs: DiscAnatomy[] = [];
  const vertebrae: [number, number][] = [];
  let s = 0;
  for (let k = DISC_NAMES.length - 1; k >= 0; k--) {
    const lv = k - FIRST_LABELLED_DISC;
    const spinal = lv >= 0 ? n(0, lv) : rng.uniform(0, 0.1);
    const foraminal: [number, number] =
      lv >= 0 ? [n(1, lv), n(2, lv)] : [rng.uniform(0, 0.1), rng.uniform(0, 0.1)];
    const subarticular: [number, number] =
      lv >= 0 ? [n(3, lv), n(4, lv)] : [rng.uniform(0, 0.1), rng.uniform(0, 0.1)];
    const mean = (spinal + (foraminal[0] + foraminal[1] + subarticular[0] + subarticular[1]) / 4) / 2;
    const degeneration = clamp01(0.1 + 0.9 * mean + rng.normal(0, 0.08));
    const height =
      rng.uniform(8.5, 11) * (k === DISC_NAMES.length - 1 ? 0.95 : 1) * (1 - 0.35 * degeneration);
    discs.unshift({
      s: s + height / 2,
      height,
      degeneration,
      spinal,
      foraminal,
      subarticular,
      reach: height / 2 + 3.5,
    });
    s += height;
    const body = rng.uniform(25, 29);
    vertebrae.unshift([s, s + body]);
    s += body;
  }
  const posterior = ra + 1.5 + 2 * sacAp + 8 + rng.uniform(38, 52) + rng.uniform(8, 35);
  const rotation = rotationXYZ(rad(rng.normal(0, 2.5)), rad(rng.normal(0, 2)), rad(rng.normal(0, 3)));
  const origin: Vec3 = [rng.uniform(-15, 15), rng.uniform(-10, 25), rng.uniform(-30, 30)];
  return {
    kappa,
    zApex,
    rx,
    ra,
    sacAp,
    sacLat,
    discs,
    vertebrae,
    skin: { halfWidth: rng.uniform(125, 170), posterior, anterior: -ra - rng.uniform(110, 170) },
    muscleDepth: posterior - rng.uniform(8, 35) - (ra + 1.5 + 2 * sacAp + 8),
    rotation,
    origin,
    conus: (vertebrae[2][0] + vertebrae[2][1]) / 2 + rng.uniform(-8, 8),
    coilFalloff: rng.uniform(90, 150),
    biasSlope: rng.uniform(-0.15, 0.15),
    textureSeed: rng.nextUint32(),
    variation: null,
  };
}

export function toScanner(an: Anatomy, body: Vec3): Vec3 {
  return add(mulMat(an.rotation, body), an.origin);
}
export function toBody(an: Anatomy, p: Vec3): Vec3 {
  return mulMatT(an.rotation, [p[0] - an.origin[0], p[1] - an.origin[1], p[2] - an.origin[2]]);
}
/** Direction of a body axis in scanner coordinates. */
export function bodyAxis(an: Anatomy, axis: 0 | 1 | 2): Vec3 {
  return column(an.rotation, axis);
}

/** The anatomical landmarks the label coordinates point at, in spine coordinates (x, a, s). */
export function landmarks(an: Anatomy, disc: number) {
  const d = an.discs[disc];
  const ac = canalCentre(an);
  return {
    discCentre: [0, 0, d.s + discCentreOffset(an, disc)] as Vec3,
    canal: [0, ac, d.s] as Vec3,
    foramen: (side: 0 | 1) => [sideSign(side) * (an.sacLat + 9), an.ra + 4.5, foramenCentreS(d)] as Vec3,
    recess: (side: 0 | 1) => [sideSign(side) * (an.sacLat + 0.5), an.ra + 3, d.s] as Vec3,
  };
}

/**
 * How far (arc mm) the middle of a disc's extent along the centre line lies from its arc position:
 * the sacral tilt drops the S1 endplate by ra·tan θ there, so a lordotic L5/S1 wedge's middle sits
 * lower; every other disc (concave endplates are the same above and below) is centred on it.
 */
export function discCentreOffset(an: Anatomy, disc: number): number {
  if (an.variation === null || disc !== an.discs.length - 1) return 0;
  return (-an.ra * Math.tan(an.variation.sacralTilt)) / 2;
}

export const canalCentre = (an: Pick<Anatomy, "ra" | "sacAp">) => an.ra + 1.5 + an.sacAp;
/** Side 0 = patient left = +x; side 1 = right = −x. */
export const sideSign = (side: 0 | 1) => (side === 0 ? 1 : -1);
export const foramenCentreS = (d: DiscAnatomy) => d.s + d.height / 2 + 4;

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));
const rad = (deg: number) => (deg * Math.PI) / 180;
