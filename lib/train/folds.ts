import { Rng } from "../util/rng";

/**
 * k folds grouped by study: every study's rows land in one fold. Studies are sorted first, so the
 * assignment depends only on the set of ids and the seed, not on input order.
 * Returns study id -> fold index (0..k-1); fold sizes differ by at most one.
 */
export function studyFolds(studyIds: readonly number[], k: number, seed: number): Map<number, number> {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer >= 2, got ${k}`);
  const ids = [...new Set(studyIds)].sort((a, b) => a - b);
  new Rng(seed).shuffle(ids);
  return new Map(ids.map((id, i) => [id, i % k]));
}

/** The train and validation study ids of fold `fold`, each sorted. */
export function foldSplit(
  folds: ReadonlyMap<number, number>,
  fold: number,
): { train: number[]; valid: number[] } {
  const train: number[] = [];
  const valid: number[] = [];
  for (const [id, f] of folds) (f === fold ? valid : train).push(id);
  const byId = (a: number, b: number) => a - b;
  return { train: train.sort(byId), valid: valid.sort(byId) };
}
