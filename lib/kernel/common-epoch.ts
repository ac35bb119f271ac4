import { readState } from "../infer";
import { join } from "node:path";
import { CheckpointError } from "../models/weights-file";

/** One unit type's epoch, chosen from the mean validation curve of its folds (honest CV). */
export interface CommonEpoch {
  /** The epoch (0-based) every fold of the type is evaluated and predicts with. */
  readonly epoch: number;
  /** Mean validation score per epoch over the folds, for the epochs every fold trained. */
  readonly meanCurve: number[];
  /** Each fold's own best epoch (what the optimistic CV uses). */
  readonly foldBest: number[];
}

/**
 * The epoch with the lowest MEAN validation score across folds, over the epochs every fold has
 * (early stopping may cut folds at different epochs: the range ends at the shortest one). A fold's
 * score then never picks that fold's own epoch alone. Ties go to the earliest epoch; without a
 * finite mean (no validation studies) the last common epoch.
 */
export function commonEpoch(curves: readonly (readonly number[])[]): CommonEpoch {
  const n = Math.min(...curves.map((c) => c.length));
  if (!curves.length || n < 1) throw new Error("commonEpoch: a fold has no epoch trained");
  const meanCurve = Array.from({ length: n }, (_, e) => curves.reduce((s, c) => s + c[e], 0) / curves.length);
  let epoch = n - 1;
  let best = Infinity;
  meanCurve.forEach((v, e) => {
    if (Number.isFinite(v) && v < best) [best, epoch] = [v, e];
  });
  const foldBest = curves.map((c) => c.indexOf(Math.min(...c)));
  return { epoch, meanCurve, foldBest };
}

/** The validation curves of finished units, read from their state.json (checked against epochs). */
export function unitCurves(dirs: readonly string[]): number[][] {
  return dirs.map((dir) => {
    const s = readState(dir);
    if (!s.curve || s.curve.length !== s.epoch)
      throw new CheckpointError(
        join(dir, "state.json"),
        `no validation curve for its ${s.epoch} epochs (a checkpoint of an older version): delete the checkpoints folder and rerun`,
      );
    return [...s.curve];
  });
}
