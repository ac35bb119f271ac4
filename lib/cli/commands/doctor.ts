import { Command } from "commander";
import { withRun } from "../command";
import { formatDoctor, runDoctor } from "../doctor";

/** `lumbar doctor [--json] [--data DIR]`: what this machine gives the kernel; exit 0 when it can run. */
export function doctorCommand(): Command {
  const cmd = new Command("doctor")
    .description("check the backend, TensorFlow, GPU/CUDA, threads, Chromium, Jupyter and data folders")
    .option("--json", "one JSON object (keys in the README)")
    .option("--data <dir>", "also check a competition data folder");
  return withRun<{ json?: boolean; data?: string }>(cmd, async (opts) => {
    const report = await runDoctor({ data: opts.data });
    console.log(opts.json ? JSON.stringify(report) : formatDoctor(report));
    return report.ok ? 0 : 1;
  });
}
