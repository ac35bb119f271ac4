/** The report's scores: the metric and its terms per family, against the prior and the oracle. */
import type { MetricResult } from "../../metric";
import type { PageSection } from "../html-page";
import { tableHtml } from "../table";
import { SCORE_TERMS, scoreTermsFigure } from "../train";
import { recordTableHtml } from "./record-table";
import type { RunFiles } from "./run-files";

type Named = Record<string, MetricResult | null | undefined>;

function scoreTable(results: Named, caption: string): string {
  const rows = Object.entries(results)
    .filter((e): e is [string, MetricResult] => !!e[1])
    .map(([name, r]) => [name, ...SCORE_TERMS.map((t) => r[t]), r.rows_scored]);
  return tableHtml(["", ...SCORE_TERMS, "rows scored"], rows, { caption, digits: 4 });
}

export function scoresSection(run: RunFiles): PageSection | null {
  const { cv, test } = run.report;
  const cvResults: Named = {
    prior: cv?.prior,
    "honest CV (common epoch)": cv?.honest,
    "CV (each fold's best epoch)": cv?.localized,
    "CV at the labelled points": cv?.groundTruthCoords,
  };
  const testResults: Named = { prior: test?.prior, "this run": test?.test, "oracle (Bayes)": test?.oracle };
  const blocks = [];
  if (Object.values(cvResults).some(Boolean)) {
    blocks.push({ html: scoreTable(cvResults, `Out of fold, ${cv?.studies ?? "?"} train studies`) });
    blocks.push({ figure: scoreTermsFigure(cvResults, "Out of fold: score and terms") });
  }
  if (test?.test) {
    blocks.push({ html: scoreTable(testResults, `Test split, ${test.studies ?? "?"} studies`) });
    blocks.push({ figure: scoreTermsFigure(testResults, "Test split: score and terms") });
  }
  if (cv?.crossFamily)
    blocks.push({
      html: recordTableHtml(cv.crossFamily, {
        caption: "Cross-family model as if every study lacked the family's series (out of fold)",
        rowHeader: "family",
      }),
    });
  if (!blocks.length) return null;
  return {
    title: "Scores",
    intro:
      "The competition metric (lower is better) and its four terms. Test scores need the data folder's ground_truth/ " +
      "(the synthetic sets); a Kaggle test split has none.",
    blocks,
  };
}
