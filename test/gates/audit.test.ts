import { describe, expect, it } from "vitest";
import { unsupportedParts, type GateSummaryRow, type ScoredGroup } from "../../lib/gates";

const row = (part: GateSummaryRow["part"], without: number | null, withPart: number | null, on: boolean) =>
  ({
    part,
    family: "foraminal",
    measure: part === "TTA" || part === "cross-family" ? "weighted log loss" : "clipped mean mm",
    without,
    with: withPart,
    on,
  }) as GateSummaryRow;
const group = (chosen: number | null, prior: number | null): ScoredGroup => ({
  kind: "substituted-slice",
  family: "spinal",
  oofRows: 40,
  chosen,
  prior,
});

describe("what a run did that its evidence does not support", () => {
  it("accepts parts on that beat running without them by the margin, and parts off whatever their figures", () => {
    // points: 3.9 < 4 x 0.98 = 3.92; scores: 0.3 < 0.31 x 0.995 = 0.30845
    const rows = [
      row("stage 1b", 4, 3.9, true),
      row("TTA", 0.31, 0.3, true),
      row("cross-family", 1, 2, false),
    ];
    expect(unsupportedParts(rows, [group(0.6, 0.6), group(0.5, 0.6)])).toEqual([]);
  });

  it("names a part on inside the margin, on without evidence, and a group worse than the prior", () => {
    const rows = [
      row("stage 1b", 4, 3.95, true), // 3.95 > 3.92: inside the margin
      row("cross-family", 1.0472, 1.0484, true), // the foraminal check: worse than the prior
      row("canal-first", null, null, true),
    ];
    expect(unsupportedParts(rows, [group(0.6001, 0.6), group(null, 0.6)])).toEqual([
      "stage 1b foraminal on: 3.9500 with, 4.0000 without (clipped mean mm)",
      "cross-family foraminal on: 1.0484 with, 1.0472 without (weighted log loss)",
      "canal-first foraminal on: n/a with, n/a without (clipped mean mm)",
      "substituted-slice spinal rows (40): 0.6001 against the prior's 0.6000",
    ]);
  });
});
