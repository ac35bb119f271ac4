import { describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commonEpoch, unitCurves } from "../../lib/kernel/common-epoch";
import { CheckpointError } from "../../lib/models/weights-file";
import { tempDir } from "../helpers/tmp";

describe("commonEpoch", () => {
  it("picks the epoch of the lowest mean curve, not a fold's own early best", () => {
    // Fold 0 is best at epoch 1 (a noisy dip); the mean is lowest at epoch 3.
    const curves = [
      [0.9, 0.5, 0.7, 0.6, 0.65],
      [0.9, 0.8, 0.7, 0.55, 0.6],
      [1.0, 0.85, 0.75, 0.6, 0.62],
    ];
    const c = commonEpoch(curves);
    expect(c.foldBest).toEqual([1, 3, 3]);
    expect(c.epoch).toBe(3);
    expect(c.meanCurve[3]).toBeCloseTo((0.6 + 0.55 + 0.6) / 3, 12);
    expect(c.meanCurve).toHaveLength(5);
  });

  it("a single fold's deep early dip does not move the common epoch to it unless the mean follows", () => {
    const c = commonEpoch([
      [0.9, 0.2, 0.9, 0.9],
      [0.9, 0.9, 0.5, 0.5],
      [0.9, 0.9, 0.5, 0.4],
    ]);
    // epoch 1 mean 0.667, epoch 3 mean 0.6: fold 0's own best (epoch 1) is not picked
    expect(c.foldBest[0]).toBe(1);
    expect(c.epoch).toBe(3);
  });

  it("only epochs every fold trained count (early stopping cut one fold short)", () => {
    const c = commonEpoch([
      [0.9, 0.8, 0.7, 0.3],
      [0.9, 0.8, 0.6],
    ]);
    expect(c.meanCurve).toHaveLength(3);
    expect(c.epoch).toBe(2);
  });

  it("ties go to the earliest epoch; without finite scores, the last common epoch", () => {
    expect(commonEpoch([[0.5, 0.4, 0.4]]).epoch).toBe(1);
    expect(commonEpoch([[NaN, NaN, NaN]]).epoch).toBe(2);
    // no validation studies: fitUnit's fake score -epoch keeps the last epoch
    expect(commonEpoch([[-0, -1, -2]]).epoch).toBe(2);
  });
});

describe("unitCurves", () => {
  it("reads each unit's curve and refuses a state without one", () => {
    const root = tempDir("lumbar-curves-");
    const unit = (name: string, state: object) => {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "state.json"), JSON.stringify(state));
      return dir;
    };
    const ok = unit("a", {
      epoch: 2,
      bestScore: 0.4,
      bestEpoch: 1,
      done: true,
      last: null,
      curve: [0.5, 0.4],
    });
    expect(unitCurves([ok])).toEqual([[0.5, 0.4]]);
    const old = unit("b", { epoch: 2, bestScore: 0.4, bestEpoch: 1, done: true, last: null });
    expect(() => unitCurves([ok, old])).toThrow(CheckpointError);
  });
});
