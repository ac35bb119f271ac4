import { describe, expect, it } from "vitest";
import { TARGETS, rowId } from "../../lib/data/schema";
import {
  meanPredictionFigure,
  parseTrainLog,
  scoreTermsFigure,
  trainingCurvesFigure,
  unitKind,
} from "../../lib/viz/train";
import type { Probs3 } from "../../lib/viz/train";

describe("training figures", () => {
  const log = [
    { unit: "localizer f0", epoch: 0, trainLoss: 5, score: 12 },
    { unit: "spinal f0", epoch: 0, trainLoss: 1.5, score: 1.1 },
    { unit: "spinal f0", epoch: 1, trainLoss: 1.2, score: 0.9 },
    { event: "not an epoch" },
    // A resumed run logs epoch 1 again: the later record wins.
    { unit: "spinal f0", epoch: 1, trainLoss: 1.1, score: 0.8 },
  ]
    .map((r) => JSON.stringify(r))
    .join("\n");

  it("parses epoch records and skips other lines", () => {
    const recs = parseTrainLog(log + "\n\n");
    expect(recs).toHaveLength(4);
    expect(unitKind("subarticular f2")).toBe("subarticular");
    expect(unitKind("spinal points f0")).toBe("spinal points");
  });

  it("curves: one row of panels per stage, resumed epochs replaced", () => {
    const fig = trainingCurvesFigure(parseTrainLog(log));
    const spinalLoss = fig.data.find((t) => t.legendgroup === "spinal" && t.xaxis === "x3")!;
    expect(spinalLoss.x).toEqual([1, 2]);
    expect(spinalLoss.y).toEqual([1.5, 1.1]);
    const spinalScore = fig.data.find((t) => t.legendgroup === "spinal" && t.xaxis === "x4")!;
    expect(spinalScore.y).toEqual([1.1, 0.8]);
    const loc = fig.data.filter((t) => t.legendgroup === "localizer");
    expect(loc.map((t) => t.xaxis)).toEqual(["x", "x2"]);
    expect(String(loc[0].hovertemplate)).toMatch(/^localizer f0, epoch/);
  });

  it("curves: point nets (errors in mm) get their own row, between localizer and classifiers", () => {
    const withPoints =
      log + "\n" + JSON.stringify({ unit: "spinal points f1", epoch: 0, trainLoss: 0.4, score: 3.2 });
    const fig = trainingCurvesFigure(parseTrainLog(withPoints));
    expect(fig.data.filter((t) => t.legendgroup === "spinal points").map((t) => t.xaxis)).toEqual([
      "x3",
      "x4",
    ]);
    expect(fig.data.find((t) => t.legendgroup === "spinal")!.xaxis).toBe("x5");
    const titles = (fig.layout.annotations as { text: string }[]).map((a) => a.text.replace(/<[^>]+>/g, " "));
    expect(titles.filter((t) => t.includes("Point nets"))).toHaveLength(2);
  });

  it("curves: one legend entry per model kind, its folds grouped under it", () => {
    const folds = [0, 1, 2].map((f) =>
      JSON.stringify({ unit: `spinal f${f}`, epoch: 0, trainLoss: 1, score: 1 }),
    );
    const fig = trainingCurvesFigure(parseTrainLog(folds.join("\n")));
    expect(fig.data.filter((t) => t.showlegend !== false).map((t) => t.name)).toEqual(["spinal"]);
    expect(fig.data.every((t) => t.legendgroup === "spinal")).toBe(true);
  });

  it("score terms leave out missing results and keep the term order", () => {
    const r = { score: 0.5, spinal: 0.4, foraminal: 0.6, subarticular: 0.7, any_severe_spinal: 0.3 };
    const fig = scoreTermsFigure({ a: r, b: null, c: undefined }, "t");
    expect(fig.data).toHaveLength(1);
    expect(fig.data[0].x).toEqual(["score", "spinal", "foraminal", "subarticular", "any_severe_spinal"]);
    expect(fig.data[0].y).toEqual([0.5, 0.4, 0.6, 0.7, 0.3]);
  });

  it("mean prediction per target over the studies", () => {
    const preds = new Map<string, Probs3>();
    preds.set(rowId(1, TARGETS[0]), [1, 0, 0]);
    preds.set(rowId(2, TARGETS[0]), [0, 0.5, 0.5]);
    const fig = meanPredictionFigure(preds, [1, 2], "t");
    // First panel (spinal), level L1/L2 = TARGETS[0]: means 0.5 / 0.25 / 0.25 -> 50% / 25% / 25%.
    const panel = fig.data.filter((t) => t.xaxis === "x");
    expect(panel.map((t) => (t.customdata as number[])[0])).toEqual([0.5, 0.25, 0.25]);
    expect(panel.map((t) => (t.y as number[])[0])).toEqual([50, 25, 25]);
  });
});
