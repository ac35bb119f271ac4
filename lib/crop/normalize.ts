/**
 * Normalised values are clipped to this range: the low percentile maps to 0, the high one to 1, and
 * the headroom either side keeps some contrast in the brightest and darkest 1% (stored crops are
 * quantised to bytes over exactly this range).
 */
export const NORMALIZED_RANGE = [-0.5, 1.5] as const;

/**
 * The one percentile normalisation (lib/crop crops, the stored training/inference crops, the
 * localizer's slice): in place, v -> (v - p_low) / (p_high - p_low), clipped to NORMALIZED_RANGE,
 * with the percentiles taken over the values where `valid` is 1 (all when omitted), so padding does
 * not move them. Invalid (padding) values become 0; a flat input becomes all 0. Percentiles
 * interpolate linearly between order statistics (numpy's default).
 */
export function percentileNormalize(
  values: Float32Array,
  lowPct: number,
  highPct: number,
  valid?: Uint8Array,
): Float32Array {
  const picked = new Float32Array(values.length);
  let n = 0;
  if (valid) {
    for (let i = 0; i < values.length; i++) if (valid[i] === 1) picked[n++] = values[i];
  } else {
    picked.set(values);
    n = values.length;
  }
  if (n === 0) return values.fill(0);
  const work = picked.subarray(0, n);
  const [lo, hi] = percentilePair(work, lowPct, highPct);
  const range = hi - lo;
  const scale = range > 0 ? 1 / range : 0;
  for (let i = 0; i < values.length; i++) {
    if ((valid && valid[i] !== 1) || scale === 0) {
      values[i] = 0;
      continue;
    }
    const v = (values[i] - lo) * scale;
    values[i] = v < CLIP_LO ? CLIP_LO : v > CLIP_HI ? CLIP_HI : v;
  }
  return values;
}

const [CLIP_LO, CLIP_HI] = NORMALIZED_RANGE;

/** The low and high percentiles of `work` (reordered in place). */
export function percentilePair(work: Float32Array, lowPct: number, highPct: number): [number, number] {
  return [quantileSelect(work, lowPct / 100), quantileSelect(work, highPct / 100)];
}

/** Linear-interpolated quantile of sorted values (numpy's default "linear" method). */
export function quantile(sorted: Float32Array, q: number): number {
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const i = Math.floor(pos);
  const j = Math.min(sorted.length - 1, i + 1);
  return sorted[i] + (sorted[j] - sorted[i]) * (pos - i);
}

/**
 * The same quantile without a full sort: quickselect the i-th order statistic (reorders `a`),
 * then the (i+1)-th is the minimum of the part above it. O(n) instead of O(n log n).
 */
export function quantileSelect(a: Float32Array, q: number): number {
  const pos = (a.length - 1) * Math.min(1, Math.max(0, q));
  const i = Math.floor(pos);
  const vi = select(a, i);
  if (i + 1 >= a.length || pos === i) return vi;
  let next = Infinity;
  for (let k = i + 1; k < a.length; k++) if (a[k] < next) next = a[k];
  return vi + (next - vi) * (pos - i);
}

/** Hoare quickselect: afterwards a[k] is the k-th smallest, smaller values before it, larger after. */
function select(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = median3(a[lo], a[(lo + hi) >> 1], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

function median3(x: number, y: number, z: number): number {
  return x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
}
