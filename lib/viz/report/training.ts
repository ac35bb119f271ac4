/** The report's training section: every unit's curves and the common epochs chosen from them. */
import type { PageSection, PageBlock } from "../html-page";
import { tableHtml } from "../table";
import { trainingCurvesFigure } from "../train";
import type { RunFiles } from "./run-files";

export function trainingSection(run: RunFiles): PageSection | null {
  const blocks: PageBlock[] = [];
  if (run.log.length) blocks.push({ figure: trainingCurvesFigure(run.log) });
  const epochs = Object.entries(run.report.epochs ?? {});
  if (epochs.length)
    blocks.push({
      html: tableHtml(
        ["unit type", "common epoch", "mean validation there", "each fold's best epoch"],
        epochs.map(([unit, e]) => [
          unit,
          e.epoch + 1,
          e.meanCurve[e.epoch],
          e.foldBest.map((b) => b + 1).join(", "),
        ]),
        {
          caption: "Common epochs (1-based, as in the curves): the lowest mean validation over the folds",
          digits: 4,
        },
      ),
    });
  if (!blocks.length) return null;
  return {
    title: "Training",
    intro:
      "Train loss and validation score per epoch of every unit (train-log.jsonl); folds of a model share a colour.",
    blocks,
  };
}
