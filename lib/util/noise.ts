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
