import { Command } from "commander";
import { resolve } from "node:path";
import { withRun } from "../command";
import { REPORT_PAGE, writeRunReport } from "../../viz/report";

interface ReportOpts {
  run: string;
  out?: string;
}

/**
 * Write a run's report page at the end of `lumbar kernel` and `lumbar predict`. A failure is printed,
 * never fatal: the run's submission and report.json are already written.
 */
export async function writeReportPage(runDir: string): Promise<void> {
  try {
    console.log(`report: wrote ${await writeRunReport(runDir)}`);
  } catch (e) {
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    console.error(`lumbar: ${REPORT_PAGE} not written: ${why}`);
  }
}

/** `lumbar report --run OUT [--out FILE]`: (re)write a finished run's offline report page. */
export function reportCommand(): Command {
  const cmd = new Command("report")
    .description(`write a kernel or predict run's offline report page (default OUT/${REPORT_PAGE})`)
    .requiredOption("--run <dir>", "the run's output folder (report.json or predict-report.json)")
    .option("--out <file>", `where to write it (default RUN/${REPORT_PAGE})`);
  return withRun<ReportOpts>(cmd, async (opts) => {
    const file = await writeRunReport(resolve(opts.run), opts.out ? resolve(opts.out) : undefined);
    console.log(`report: wrote ${file}`);
    return 0;
  });
}
