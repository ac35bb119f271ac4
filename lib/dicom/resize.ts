/**
 * Bilinear resize of one image [rows, cols] to [outRows, outCols], corners aligned (pixel 0 maps
 * to 0 and the last to the last), so the physical extent between first and last pixel centres is kept.
 */
export function resizeBilinear(
  src: Float32Array,
  rows: number,
  cols: number,
  outRows: number,
  outCols: number,
): Float32Array {
  const out = new Float32Array(outRows * outCols);
  const sy = outRows > 1 ? (rows - 1) / (outRows - 1) : 0;
  const sx = outCols > 1 ? (cols - 1) / (outCols - 1) : 0;
  for (let y = 0; y < outRows; y++) {
    const fy = y * sy;
    const y0 = Math.min(rows - 1, Math.floor(fy));
    const y1 = Math.min(rows - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outCols; x++) {
      const fx = x * sx;
      const x0 = Math.min(cols - 1, Math.floor(fx));
      const x1 = Math.min(cols - 1, x0 + 1);
      const wx = fx - x0;
      const top = src[y0 * cols + x0] * (1 - wx) + src[y0 * cols + x1] * wx;
      const bot = src[y1 * cols + x0] * (1 - wx) + src[y1 * cols + x1] * wx;
      out[y * outCols + x] = top * (1 - wy) + bot * wy;
    }
  }
  return out;
}
