/** Tiny dense symmetric-matrix helpers for the 25x25 label correlation (no dependency needed at this size). */

export type Matrix = number[][];

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: A = V diag(values) V^T. */
export function symmetricEigen(a: Matrix): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const m = a.map((r) => [...r]);
  const v: Matrix = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p][q] * m[p][q];
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-15) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p];
          const mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k];
          const mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: m.map((r, i) => r[i]), vectors: v };
}

/**
 * The correlation matrix nearest in spirit to `a`: eigenvalues clipped at `floor`, then rescaled to a
 * unit diagonal. Used because attenuation-corrected or noise-adjusted correlations need not be PSD.
 */
export function clipToCorrelation(a: Matrix, floor = 1e-3): Matrix {
  const n = a.length;
  const { values, vectors } = symmetricEigen(a);
  const lam = values.map((x) => Math.max(x, floor));
  const b: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i][k] * lam[k] * vectors[j][k];
      b[i][j] = s;
    }
  const d = b.map((r, i) => Math.sqrt(r[i]));
  return b.map((r, i) => r.map((x, j) => (i === j ? 1 : x / (d[i] * d[j]))));
}

/** Lower-triangular L with L L^T = a (a must be positive definite). */
export function cholesky(a: Matrix): Matrix {
  const n = a.length;
  const l: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (s <= 0) throw new RangeError(`matrix not positive definite at row ${i}`);
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  return l;
}
