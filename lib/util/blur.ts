/**
 * Separable Gaussian blur in place of `depth` row-major slices of rows x cols, sd in pixels down the
 * columns (sdRows) and along the rows (sdCols); edges clamp, kernel radius ceil(3 sd), a pass with sd
 * under 0.05 px is skipped. The synthetic writer's point spread and stage 1's training blur.
 */
export function gaussianBlur(
  img: Float32Array,
  rows: number,
  cols: number,
  sdRows: number,
  sdCols: number,
  depth = 1,
): void {
  for (let s = 0; s < depth; s++) {
    const base = s * rows * cols;
    pass(img, sdCols, cols, rows, (i, j) => base + i * cols + j);
    pass(img, sdRows, rows, cols, (j, i) => base + i * cols + j);
  }
}

/** One 1D pass over `lines` lines of n values, `at(line, k)` the index of value k of a line. */
function pass(
  img: Float32Array,
  sd: number,
  n: number,
  lines: number,
  at: (line: number, k: number) => number,
): void {
  if (sd < 0.05) return;
  const radius = Math.ceil(3 * sd);
  const w = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += w[k + radius] = Math.exp(-(k * k) / (2 * sd * sd));
  for (let k = 0; k < w.length; k++) w[k] /= sum;
  const tmp = new Float32Array(n);
  for (let line = 0; line < lines; line++) {
    for (let k = 0; k < n; k++) tmp[k] = img[at(line, k)];
    for (let k = 0; k < n; k++) {
      let acc = 0;
      for (let t = -radius; t <= radius; t++) acc += w[t + radius] * tmp[Math.min(n - 1, Math.max(0, k + t))];
      img[at(line, k)] = acc;
    }
  }
}
