import type { Rng } from "./rng";

/**
 * Standard normals from a table walked by a cheap generator: Box-Muller per pixel would dominate
 * both the synthetic writer and stage 1's training noise. The table is drawn once; a walk is cheap
 * to start, so a training sample can have its own.
 */
export class NoiseSource {
  private constructor(
    private readonly table: Float32Array,
    private state: number,
  ) {}

  /** A table of `size` (a power of two) standard normals and a walk over it, both from rng. */
  static draw(rng: Rng, size = 1 << 16): NoiseSource {
    const table = new Float32Array(size);
    for (let k = 0; k < size; k++) table[k] = rng.normal();
    return new NoiseSource(table, rng.nextUint32() | 1);
  }

  /** Another walk over the same table, started from rng. */
  walk(rng: Rng): NoiseSource {
    return new NoiseSource(this.table, rng.nextUint32() | 1);
  }

  next(): number {
    // xorshift32
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return this.table[(x >>> 0) & (this.table.length - 1)];
  }
}

/** Rician noise in place: each value becomes the magnitude of itself plus complex Gaussian noise of sd `sd` per component. */
export function addRicianNoise(data: Float32Array, sd: number, noise: NoiseSource): void {
  for (let i = 0; i < data.length; i++) {
    const re = data[i] + sd * noise.next();
    const im = sd * noise.next();
    data[i] = Math.sqrt(re * re + im * im);
  }
}

/** Smooth lattice value noise in [0, 1], deterministic from a seed. */
export class ValueNoise {
  constructor(private readonly seed: number) {}
  private hash(x: number, y: number, z: number): number {
    let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ Math.imul(z, 1274126177) ^ this.seed;
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
  }
  at(x: number, y: number, z: number): number {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const z0 = Math.floor(z);
    const fx = smooth(x - x0);
    const fy = smooth(y - y0);
    const fz = smooth(z - z0);
    const c00 = lerp(this.hash(x0, y0, z0), this.hash(x0 + 1, y0, z0), fx);
    const c10 = lerp(this.hash(x0, y0 + 1, z0), this.hash(x0 + 1, y0 + 1, z0), fx);
    const c01 = lerp(this.hash(x0, y0, z0 + 1), this.hash(x0 + 1, y0, z0 + 1), fx);
    const c11 = lerp(this.hash(x0, y0 + 1, z0 + 1), this.hash(x0 + 1, y0 + 1, z0 + 1), fx);
    return lerp(lerp(c00, c10, fy), lerp(c01, c11, fy), fz);
  }
}
const smooth = (t: number) => t * t * (3 - 2 * t);
const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
