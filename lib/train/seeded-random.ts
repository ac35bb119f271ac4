import { Rng } from "../util/rng";

/**
 * Run `f` with Math.random drawing from a seeded Rng, then restore it. tfjs seeds its weight
 * initialisers and dropout masks from Math.random when no seed is given, which made every unit's
 * initial weights and dropout masks differ from run to run; scoping a seeded source around model
 * building and each epoch's steps makes a unit's weights a function of its seed only (in-process or
 * in a worker thread, resumed or not). `f` must be synchronous: an await inside would let unrelated
 * code draw from (and shift) the seeded stream.
 */
export function withSeededMathRandom<T>(seed: number, f: () => T): T {
  const rng = new Rng(seed);
  const saved = Math.random;
  Math.random = () => rng.next();
  try {
    const out = f();
    if (out instanceof Promise) throw new Error("withSeededMathRandom: f must be synchronous");
    return out;
  } finally {
    Math.random = saved;
  }
}

/** Seed of the Math.random stream of one unit's phase ("init" or an epoch), distinct from its batch Rng. */
export function mathRandomSeed(unitSeed: number, phase: "init" | number): number {
  const salt = phase === "init" ? 0x5eed : 0x10000 + phase;
  return new Rng(unitSeed ^ 0x6d2b79f5).fork(salt).nextUint32();
}
