import { Command } from "commander";
import { resolve } from "node:path";
import { writeReportPage } from "./report";
import { withRun, intOption } from "../command";
import { UsageError } from "../../util/errors";
import { isProfile, PROFILES, type Profile } from "../../config";
import { initBackend } from "../../engine";
import { describeGates } from "../../gates";
import { predictTest } from "../../infer";

interface PredictOpts {
  data: string;
  weights: string;
  out: string;
  profile?: string;
  threads?: number;
  quiet?: boolean;
}

/** Pure argument check, testable without running anything. */
export function parsePredictOptions(opts: PredictOpts): {
  data: string;
  weights: string;
  out: string;
  profile: Profile | undefined;
  threads: number | undefined;
  quiet: boolean;
} {
  if (opts.profile !== undefined && !isProfile(opts.profile))
    throw new UsageError(`--profile must be one of ${PROFILES.join("|")}, got "${opts.profile}"`);
  return {
    data: resolve(opts.data),
    weights: resolve(opts.weights),
    out: resolve(opts.out),
    profile: opts.profile,
    threads: opts.threads,
    quiet: !!opts.quiet,
  };
}

/**
 * `lumbar predict --data DIR --weights DIR --out DIR`: predict DIR's test split with the models of a
 * finished `lumbar kernel` run (its checkpoints folder, or its --out folder), without training and
 * without train.csv; writes OUT/submission.csv and OUT/predict-report.json.
 */
export function predictCommand(): Command {
  const cmd = new Command("predict")
    .description("predict the test split with trained weights: OUT/submission.csv + OUT/predict-report.json")
    .requiredOption("--data <dir>", "competition-layout folder (its test split is predicted)")
    .requiredOption("--weights <dir>", "checkpoints folder of a kernel run (or the kernel's --out folder)")
    .requiredOption("--out <dir>", "output folder")
    .option(
      "--profile <name>",
      `fail unless the weights were trained with this profile (${PROFILES.join("|")})`,
    )
    .option(
      "--threads <n>",
      "threads predicting studies at once (default: one per core, 1 on a GPU; the same submission for any)",
      intOption("threads"),
    )
    .option("--quiet", "no progress bars");
  return withRun<PredictOpts>(cmd, async (raw) => {
    const opts = parsePredictOptions(raw);
    // The engine must pick its backend before the first tensor exists.
    const backend = await initBackend();
    const report = await predictTest({ ...opts, backend: { ...backend } });
    const fmt = (v: number | null) => (v === null ? "n/a" : v.toFixed(4));
    console.log(
      `predict (${report.profile} weights, ${report.test.studies} studies): test ${fmt(report.testScore)} prior ${fmt(report.priorScore)} oracle ${fmt(report.oracleScore)}; ` +
        `fallback rows ${report.fallbacks.reduce((s, f) => s + f.rows, 0)}; unusable files ${report.unusableFiles}; peak RSS ${report.peakRssMb} MB; wrote ${opts.out}/submission.csv, points.csv, predict-report.json`,
    );
    console.log(`gates: ${describeGates(report.gates)}`);
    await writeReportPage(opts.out);
    return 0;
  });
}
