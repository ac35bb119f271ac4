/**
 * Clip to the [low, high] percentiles of the values where `valid` is 1 (all when omitted), then
 * scale to [0, 1] in place. Invalid (padding) values become 0. A flat crop becomes all 0.
 */
export function percentileNormalize(values: Float32Array, lowPct: number, highPct: number, valid?: Uint8Array): Float32Array {
  const picked = valid ? values.filter((_, i) => valid[i] === 1) : values.slice();
  if (picked.length === 0) return values.fill(0);
  picked.sort();
  const lo = quantile(picked, lowPct / 100);
  const hi = quantile(picked, highPct / 100);
  const range = hi - lo;
  for (let i = 0; i < values.length; i++) {
    if ((valid && valid[i] !== 1) || !(range > 0)) {
      values[i] = 0;
      continue;
    }
    const v = (values[i] - lo) / range;
    values[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return values;
}

/** Linear-interpolated quantile of sorted values (numpy's default "linear" method). */
export function quantile(sorted: Float32Array, q: number): number {
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const i = Math.floor(pos);
  const j = Math.min(sorted.length - 1, i + 1);
  return sorted[i] + (sorted[j] - sorted[i]) * (pos - i);
}
