import { describe, expect, it } from "vitest";
import { formatProfiles, type OpProfile } from "../../bench/train-profile";

const graph: OpProfile = {
  side: "graph",
  stepSeconds: [2.5, 2.4, 2.6],
  stepCpu: [2.45, 2.4, 2.5],
  ops: {
    _MklNativeConv2D: { ms: 640, runs: 7 },
    _MklNativeFusedBatchNormEx: { ms: 58.5, runs: 7 },
    Sub: { ms: 0.01, runs: 38 },
  },
};
const keras: OpProfile = {
  side: "keras",
  stepSeconds: [2.8, 2.9, 2.7],
  stepCpu: [2.7, 2.75, 2.72],
  ops: { _MklNativeConv2D: { ms: 650, runs: 7 }, Mul: { ms: 142.3, runs: 214 } },
};

describe("bench train --profile-ops's table", () => {
  const lines = formatProfiles("r25d", 1, [graph, keras]).split("\n");

  it("lists op types by their larger side, leaves out what neither side spends 0.05 ms on", () => {
    const types = lines.slice(2, -2).map((l) => l.split(/\s+/)[0]);
    expect(types).toEqual(["_MklNativeConv2D", "Mul", "_MklNativeFusedBatchNormEx"]);
    expect(lines[3]).toMatch(/^Mul\s+142\.3 ms x214$/);
  });

  it("sums every op type and gives each side's median untraced step", () => {
    expect(lines.at(-2)).toMatch(/^sum of ops\s+698\.5 ms\s+792\.3 ms$/);
    expect(lines.at(-1)).toBe(
      "untraced step, median: graph 2500 ms wall, 2450 ms CPU; keras 2800 ms wall, 2720 ms CPU",
    );
  });
});
