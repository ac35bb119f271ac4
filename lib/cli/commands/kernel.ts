import { Command } from "commander";
import { resolve } from "node:path";
import { withRun, intOption } from "../command";
import { UsageError } from "../../util/errors";
import { isProfile, PROFILES } from "../../config";
import { initBackend } from "../../engine";
import { runKernel } from "../../kernel";
import { demoDataset } from "../../kernel/demo";

interface KernelOpts {
  data?: string;
  out: string;
  profile: string;
  seed?: number;
  threads?: number;
  quiet?: boolean;
}

/** Pure argument check, testable without running anything. */
export function parseKernelOptions(opts: KernelOpts): {
  data: string | null;
  out: string;
  profile: (typeof PROFILES)[number];
  seed: number | undefined;
  threads: number | undefined;
  quiet: boolean;
} {
  if (opts.threads !== undefined && opts.threads < 1)
    throw new UsageError(`--threads must be at least 1, got ${opts.threads}`);
  if (!isProfile(opts.profile))
    throw new UsageError(`--profile must be one of ${PROFILES.join("|")}, got "${opts.profile}"`);
  return {
    data: opts.data ? resolve(opts.data) : null,
    out: resolve(opts.out),
    profile: opts.profile,
    seed: opts.seed,
    threads: opts.threads,
    quiet: !!opts.quiet,
  };
}

/**
 * `lumbar kernel [--data DIR] --out DIR [--profile smoke|quick|full] [--seed S] [--threads N]`: train both stages
 * on DIR's train split with k-fold CV, predict its test split, write OUT/submission.csv and
 * OUT/report.json. Without --data it generates (once, cached) the embedded demo set and uses it.
 */
export function kernelCommand(): Command {
  const cmd = new Command("kernel")
    .description("train (k-fold CV) and predict: OUT/submission.csv + OUT/report.json")
    .option(
      "--data <dir>",
      "competition-layout folder (default: the cached demo set, generated on first use)",
    )
    .requiredOption("--out <dir>", "output folder (checkpoints make a rerun resume)")
    .option("--profile <name>", `${PROFILES.join("|")}`, "quick")
    .option("--seed <n>", "seed of folds, augmentation and shuffles", intOption("seed"))
    .option(
      "--threads <n>",
      "worker threads training folds concurrently (default: one per core; 1 = in the main thread; same weights either way)",
      intOption("threads"),
    )
    .option("--quiet", "no progress bars");
  return withRun<KernelOpts>(cmd, async (raw) => {
    const opts = parseKernelOptions(raw);
    // The engine must pick its backend before the first tensor exists.
    const backend = await initBackend();
    const data = opts.data ?? (await demoDataset());
    const report = await runKernel({
      data,
      out: opts.out,
      profile: opts.profile,
      seed: opts.seed,
      overrides: opts.threads !== undefined ? { threads: opts.threads } : undefined,
      quiet: opts.quiet,
      backend: { ...backend },
    });
    const fmt = (v: number | null) => (v === null ? "n/a" : v.toFixed(4));
    console.log(
      `kernel ${report.profile}: cv ${fmt(report.cvScore)} (best epoch per fold) honest cv ${fmt(report.cvHonestScore)} (common epoch) test ${fmt(report.testScore)} prior ${fmt(report.priorScore)} oracle ${fmt(report.oracleScore)}; ` +
        `fallback rows ${report.fallbacks.reduce((s, f) => s + f.rows, 0)}; unusable files ${report.unusableFiles}; peak RSS ${report.peakRssMb} MB; wrote ${opts.out}/submission.csv, report.json`,
    );
    return 0;
  });
}
