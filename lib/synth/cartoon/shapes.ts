/**
 * Signed distances (mm, negative inside) to the cartoon's shapes, and the soft edge they are
 * painted with, shared by the anatomy and the signs.
 */

/** Width of the soft edge of every shape (mm): shapes blend over it instead of aliasing. */
export const EDGE_MM = 0.8;

/** Coverage of a shape at signed distance d (mm, negative inside). */
export const coverage = (d: number): number =>
  d <= -EDGE_MM / 2 ? 1 : d >= EDGE_MM / 2 ? 0 : 0.5 - d / EDGE_MM;
export const mix = (v: number, w: number, f: number): number => (f === 0 ? v : f === 1 ? w : v + (w - v) * f);

/** Signed distance to a box with rounded edges centred at the origin, half extents b, radius r. */
export function roundedBox(
  x: number,
  y: number,
  z: number,
  bx: number,
  by: number,
  bz: number,
  r: number,
): number {
  const qx = Math.abs(x) - bx + r;
  const qy = Math.abs(y) - by + r;
  const qz = Math.abs(z) - bz + r;
  const ox = Math.max(qx, 0);
  const oy = Math.max(qy, 0);
  const oz = Math.max(qz, 0);
  return Math.sqrt(ox * ox + oy * oy + oz * oz) + Math.min(Math.max(qx, qy, qz), 0) - r;
}

/** Rounded box given by its x centre and half width, and its a and s ranges. */
export function box(
  x: number,
  a: number,
  s: number,
  xc: number,
  halfX: number,
  a0: number,
  a1: number,
  s0: number,
  s1: number,
  r: number,
): number {
  return roundedBox(x - xc, a - (a0 + a1) / 2, s - (s0 + s1) / 2, halfX, (a1 - a0) / 2, (s1 - s0) / 2, r);
}

/** Approximate signed distance (mm) to an axis-aligned ellipsoid: scaled by its smallest radius. */
export function ellipsoid(x: number, y: number, z: number, rx: number, ry: number, rz: number): number {
  const k = Math.sqrt((x / rx) ** 2 + (y / ry) ** 2 + (z / rz) ** 2);
  return (k - 1) * Math.min(rx, ry, rz);
}

/** As ellipsoid, in a plane. */
export function ellipse(x: number, y: number, rx: number, ry: number): number {
  return (Math.sqrt((x / rx) ** 2 + (y / ry) ** 2) - 1) * Math.min(rx, ry);
}
