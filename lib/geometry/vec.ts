/** A point or direction in patient LPS coordinates, mm (x to patient Left, y Posterior, z Superior). */
export type Vec3 = [number, number, number];
/** ImageOrientationPatient: row direction cosines (column index x grows along it), then column direction cosines (row index y grows along it). */
export type Orientation = [number, number, number, number, number, number];

/** Read-only view accepted by the helpers, so callers with `readonly` tuples can use them too. */
export type ReadonlyVec3 = readonly [number, number, number];

export const add = (a: ReadonlyVec3, b: ReadonlyVec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: ReadonlyVec3, b: ReadonlyVec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: ReadonlyVec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a: ReadonlyVec3, b: ReadonlyVec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: ReadonlyVec3, b: ReadonlyVec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const norm = (a: ReadonlyVec3): number => Math.hypot(a[0], a[1], a[2]);
export function normalize(a: ReadonlyVec3): Vec3 {
  const n = norm(a);
  return n === 0 ? [0, 0, 0] : scale(a, 1 / n);
}

/** Row direction (x), column direction (y) and their normal rowDir x colDir (slice direction). */
export function orientationAxes(o: Orientation): { rowDir: Vec3; colDir: Vec3; normal: Vec3 } {
  const rowDir = normalize([o[0], o[1], o[2]]);
  const colDir = normalize([o[3], o[4], o[5]]);
  return { rowDir, colDir, normal: normalize(cross(rowDir, colDir)) };
}

/** The slice normal of an ImageOrientationPatient, unit length. */
export function sliceNormal(o: Orientation): Vec3 {
  return orientationAxes(o).normal;
}

/** Largest absolute component difference: two orientations within `tol` belong to one stack. */
export function orientationDistance(a: Orientation, b: Orientation): number {
  let d = 0;
  for (let i = 0; i < 6; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Which anatomical plane an orientation is closest to, by the dominant component of its normal. */
export function planeKind(o: Orientation): "sagittal" | "coronal" | "axial" {
  const n = sliceNormal(o).map(Math.abs);
  if (n[0] >= n[1] && n[0] >= n[2]) return "sagittal";
  return n[1] >= n[2] ? "coronal" : "axial";
}
