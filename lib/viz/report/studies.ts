/**
 * The report's studies: a kernel run's worst out-of-fold studies by their own metric, a predict run's
 * test studies, each drawn with its points (lib/viz/study-points). A study that cannot be drawn is
 * named with the reason; the page is still written.
 */
import { existsSync } from "node:fs";
import { studyIdOfRow, type SeverityIndex } from "../../data/schema";
import { scoreSubmission, type MetricResult, type Probs3 } from "../../metric";
import type { PageBlock, PageSection } from "../html-page";
import { readDataLabels, studyPointsInputs, type DataLabels } from "../run-folder";
import { studyPointsFigure } from "../study-points";
import { escapeHtml, tableHtml } from "../table";
import { SCORE_TERMS } from "../train";
import type { RunFiles } from "./run-files";

/** Studies with a picture on the page (each embeds its slices). */
export const PICTURED_STUDIES = 3;
/** Rows of the worst-studies table. */
const LISTED_STUDIES = 10;

/** Each labelled study's metric on its own rows, worst first (ties by study id). */
export function studyScores(
  predictions: ReadonlyMap<string, Probs3>,
  labels: ReadonlyMap<string, SeverityIndex>,
): { studyId: number; result: MetricResult }[] {
  const byStudy = new Map<number, Map<string, SeverityIndex>>();
  for (const [id, label] of labels) {
    if (!predictions.has(id)) continue;
    const study = studyIdOfRow(id);
    const m = byStudy.get(study) ?? new Map<string, SeverityIndex>();
    m.set(id, label);
    byStudy.set(study, m);
  }
  return [...byStudy]
    .map(([studyId, mine]) => ({ studyId, result: scoreSubmission(mine, predictions) }))
    .sort((a, b) => b.result.score - a.result.score || a.studyId - b.studyId);
}

async function pictures(run: RunFiles, dataDir: string, labels: DataLabels, studyIds: readonly number[]) {
  const points = run.points ?? [];
  const probabilities = new Map([...(run.submission ?? []), ...(run.oof ?? [])]);
  const blocks: PageBlock[] = [];
  for (const studyId of studyIds) {
    try {
      const inputs = studyPointsInputs(dataDir, studyId, labels, { points, probabilities });
      blocks.push({ figure: await studyPointsFigure(inputs) });
    } catch (e) {
      blocks.push({ html: `<p>Study ${studyId} not drawn: ${escapeHtml((e as Error).message)}</p>` });
    }
  }
  return blocks;
}

export async function studiesSection(run: RunFiles): Promise<PageSection | null> {
  const dataDir = run.report.data;
  const haveData = typeof dataDir === "string" && existsSync(dataDir);
  const labels = haveData ? readDataLabels(dataDir) : null;
  const noData = {
    title: run.kind === "kernel" ? "Worst out-of-fold studies" : "Test studies",
    intro: `The data folder (${String(dataDir)}) is not here: no study pictures.`,
    blocks: [],
  };
  if (run.kind === "kernel") {
    if (!run.oof) return null;
    if (!labels) return noData;
    if (!labels.severities.size) return null;
    const ranked = studyScores(run.oof, labels.severities);
    const table = tableHtml(
      ["study", ...SCORE_TERMS],
      ranked.slice(0, LISTED_STUDIES).map((s) => [s.studyId, ...SCORE_TERMS.map((t) => s.result[t])]),
      { caption: `Worst out-of-fold studies by their own metric (of ${ranked.length})`, digits: 3 },
    );
    const shown = ranked.slice(0, PICTURED_STUDIES).map((s) => s.studyId);
    return {
      title: "Worst out-of-fold studies",
      intro:
        "Each study's out-of-fold rows scored alone. Pictures: the run's points (circles, each row's probabilities " +
        "normal/mild, moderate, severe in % and the labelled severity in brackets) and the labelled points (crosses).",
      blocks: [{ html: table }, ...(await pictures(run, dataDir!, labels, shown))],
    };
  }
  const testIds = [
    ...new Set([
      ...(run.points ?? []).map((p) => p.studyId),
      ...[...(run.submission?.keys() ?? [])].map(studyIdOfRow),
    ]),
  ].sort((a, b) => a - b);
  if (!testIds.length) return null;
  if (!labels) return noData;
  const shown = testIds.slice(0, PICTURED_STUDIES);
  return {
    title: "Test studies",
    intro: `The run's points on the first ${shown.length} of ${testIds.length} test studies, with each row's probabilities (normal/mild, moderate, severe in %).`,
    blocks: await pictures(run, dataDir!, labels, shown),
  };
}
