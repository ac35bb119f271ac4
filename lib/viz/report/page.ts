/**
 * OUT/report.html: one offline page per run from its report.json (or predict-report.json) and its
 * folder: scores per family against the prior and the oracle, training curves, the gates' evidence,
 * degradation groups, point errors, the worst out-of-fold studies with their pictures, fallbacks and
 * failures, time and memory. Sections whose inputs a run lacks are left out.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../util/atomic-write";
import { pageHtml, type Page, type PageSection } from "../html-page";
import { tableHtml } from "../table";
import { gatesSection } from "./gates";
import { pointsSection } from "./points";
import { problemsSection } from "./problems";
import { recordTableHtml } from "./record-table";
import { readRunFiles, type RunFiles } from "./run-files";
import { scoresSection } from "./scores";
import { studiesSection } from "./studies";
import { trainingSection } from "./training";

export const REPORT_PAGE = "report.html";

function runSection(run: RunFiles): PageSection {
  const { timings = {}, cpuSeconds = {}, memoryMb = {}, backend } = run.report;
  const stages = Object.keys(timings);
  const blocks = [
    {
      html: tableHtml(
        ["stage", "wall (s)", "CPU (s)", "RSS after (MB)", "peak RSS so far (MB)"],
        stages.map((s) => [s, timings[s], cpuSeconds[s], memoryMb[s]?.rss, memoryMb[s]?.peakRss]),
        { caption: `Time and memory per stage (peak RSS ${run.report.peakRssMb ?? "?"} MB)`, digits: 1 },
      ),
    },
  ];
  if (backend) blocks.push({ html: recordTableHtml(backend, { caption: "Backend", rowHeader: "" }) });
  return { title: "Run", intro: `Folder ${run.dir}.`, blocks };
}

export async function runReportPage(run: RunFiles): Promise<Page> {
  const r = run.report;
  const sections = [
    scoresSection(run),
    trainingSection(run),
    gatesSection(run),
    pointsSection(run),
    await studiesSection(run),
    problemsSection(run),
    runSection(run),
  ].filter((s): s is PageSection => s !== null);
  return {
    title: `${run.kind === "kernel" ? "Kernel" : "Predict"} run: profile ${r.profile ?? "?"}, seed ${r.seed ?? "?"}`,
    subtitle: [
      `data ${r.data ?? "?"}`,
      ...(r.weights ? [`weights ${r.weights}`] : []),
      `backend ${String(r.backend?.choice ?? r.backend?.tfBackend ?? "?")}`,
    ],
    sections,
  };
}

/** Write RUN/report.html from the run folder; returns its path. */
export async function writeRunReport(runDir: string, out = join(runDir, REPORT_PAGE)): Promise<string> {
  const page = await runReportPage(readRunFiles(runDir));
  writeFileAtomic(out, pageHtml(page));
  return out;
}
