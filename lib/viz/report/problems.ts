/** The report's problems: rows not predicted from their own images, and the files that could not be used. */
import type { PageBlock, PageSection } from "../html-page";
import { tableHtml } from "../table";
import { recordTableHtml } from "./record-table";
import type { RunFiles } from "./run-files";

/** Failures listed on the page (report.json lists up to 500; its summary counts all). */
const LISTED_FAILURES = 100;

export function problemsSection(run: RunFiles): PageSection | null {
  const { fallbacks = [], failures = [], failureSummary, failuresOmitted = 0, unusableFiles } = run.report;
  const blocks: PageBlock[] = [];
  const rows = fallbacks.reduce((s, f) => s + f.rows, 0);
  blocks.push({
    html: tableHtml(
      ["study", "rows", "reason"],
      fallbacks.map((f) => [f.studyId, f.rows, f.reason]),
      { caption: `Fallbacks: ${rows} test rows not predicted from their own images`, maxRows: 200 },
    ),
  });
  if (failureSummary && Object.keys(failureSummary).length)
    blocks.push({
      html: recordTableHtml(failureSummary, {
        caption: `Failures by stage and code (${unusableFiles ?? 0} unusable files)`,
        rowHeader: "stage",
      }),
    });
  if (failures.length)
    blocks.push({
      html: tableHtml(
        ["study", "stage", "code", "file", "reason"],
        failures.map((f) => [f.studyId, f.stage, f.code ?? "", f.file ?? "", f.reason]),
        {
          caption: `Failures (${failures.length + failuresOmitted} in all)`,
          maxRows: LISTED_FAILURES,
        },
      ),
    });
  if (!fallbacks.length && !failures.length)
    return { title: "Fallbacks and failures", intro: "None.", blocks: [] };
  return {
    title: "Fallbacks and failures",
    intro:
      "Rows predicted by the cross-family model or the prior, with the reason; files that could not be read.",
    blocks,
  };
}
