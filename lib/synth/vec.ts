/** Small 3-vector and 3x3-rotation helpers (patient LPS millimetres). */

export type Vec3 = readonly [number, number, number];
/** Row-major 3x3 matrix; columns are the images of the x, y, z unit vectors. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

// Vector arithmetic is lib/geometry's; this file adds the rotations the phantom needs.
export { add, sub, scale, dot, cross, norm, normalize } from "../geometry/vec";

export function mulMat(m: Mat3, v: Vec3): Vec3 {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** Transpose-multiply: for a rotation, the inverse mapping. */
export function mulMatT(m: Mat3, v: Vec3): Vec3 {
  return [
    m[0] * v[0] + m[3] * v[1] + m[6] * v[2],
    m[1] * v[0] + m[4] * v[1] + m[7] * v[2],
    m[2] * v[0] + m[5] * v[1] + m[8] * v[2],
  ];
}

export function matMul(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  return r as unknown as Mat3;
}

/** Rotation by small angles (radians) about x, then y, then z. */
export function rotationXYZ(ax: number, ay: number, az: number): Mat3 {
  const [cx, sx, cy, sy, cz, sz] = [
    Math.cos(ax),
    Math.sin(ax),
    Math.cos(ay),
    Math.sin(ay),
    Math.cos(az),
    Math.sin(az),
  ];
  const rx: Mat3 = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry: Mat3 = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz: Mat3 = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  return matMul(rz, matMul(ry, rx));
}

export const column = (m: Mat3, j: number): Vec3 => [m[j], m[3 + j], m[6 + j]];
