import type { Rng } from "../util/rng";

/** A table of standard normals walked by a cheap generator: Box-Muller per pixel would dominate. */
export class NoiseSource {
  private readonly table: Float32Array;
  private state: number;
  constructor(rng: Rng, size = 1 << 16) {
    this.table = new Float32Array(size);
    for (let k = 0; k < size; k++) this.table[k] = rng.normal();
    this.state = rng.nextUint32() | 1;
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
