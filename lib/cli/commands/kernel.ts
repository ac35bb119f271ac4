import { Command } from "commander";
import { resolve } from "node:path";
import { writeReportPage } from "./report";
import { withRun, intOption } from "../command";
import { describeGates, GATE_MODES, type GateMode } from "../../gates";
import { UsageError } from "../../util/errors";
import { isProfile, PROFILES } from "../../config";
import { initBackend } from "../../engine";
import { localizerInitFile } from "../../models/shipped";
import { planKernel, runKernel, runUnit } from "../../kernel";
import { demoDataset } from "../../kernel/demo";

interface KernelOpts {
  data?: string;
  out: string;
  profile: string;
  seed?: number;
  threads?: number;
  quiet?: boolean;
  plan?: boolean;
  unit?: string;
  cache?: string;
  gates?: string;
  init?: string;
}

/** Pure argument check, testable without running anything. */
export function parseKernelOptions(opts: KernelOpts): {
  data: string | null;
  out: string;
  profile: (typeof PROFILES)[number];
  seed: number | undefined;
  threads: number | undefined;
  quiet: boolean;
  /** Where the training inputs' cache goes (lib/cache); null = OUT/cache. */
  cache: string | null;
  /** How the optional parts are chosen (lib/gates). */
  gates: GateMode;
  /** What stage 1's localizer starts from: "synthetic", an absolute weights path, null (a seeded random init), undefined (the profile's). */
  init: string | null | undefined;
  /** "plan": write OUT/plan.json and print the unit IDs; "unit": train one unit; "run": the whole kernel. */
  mode: { kind: "run" } | { kind: "plan" } | { kind: "unit"; id: string };
} {
  if (opts.threads !== undefined && opts.threads < 1)
    throw new UsageError(`--threads must be at least 1, got ${opts.threads}`);
  if (!isProfile(opts.profile))
    throw new UsageError(`--profile must be one of ${PROFILES.join("|")}, got "${opts.profile}"`);
  if (opts.plan && opts.unit !== undefined) throw new UsageError("--plan and --unit exclude each other");
  if (opts.unit !== undefined && !opts.unit.trim())
    throw new UsageError("--unit needs a unit ID (see --plan)");
  const gates = opts.gates ?? "auto";
  if (!(GATE_MODES as readonly string[]).includes(gates))
    throw new UsageError(`--gates must be one of ${GATE_MODES.join("|")}, got "${gates}"`);
  return {
    data: opts.data ? resolve(opts.data) : null,
    out: resolve(opts.out),
    profile: opts.profile,
    seed: opts.seed,
    threads: opts.threads,
    quiet: !!opts.quiet,
    cache: opts.cache ? resolve(opts.cache) : null,
    gates: gates as GateMode,
    init: opts.init === undefined ? undefined : localizerInit(opts.init),
    mode: opts.plan
      ? { kind: "plan" }
      : opts.unit !== undefined
        ? { kind: "unit", id: opts.unit.trim() }
        : { kind: "run" },
  };
}

/** "none" is no init; "synthetic" stays a name (config.json says what was used); a file becomes its absolute path. */
function localizerInit(init: string): string | null {
  if (init === "none") return null;
  const file = localizerInitFile(init);
  return init === "synthetic" ? init : file;
}

/**
 * `lumbar kernel [--data DIR] --out DIR [--profile smoke|quick|full] [--seed S] [--threads N]`: train both stages
 * on DIR's train split with k-fold CV, predict its test split, write OUT/submission.csv and
 * OUT/report.json. Without --data it generates (once, cached) the embedded demo set and uses it.
 * `--plan` writes OUT/plan.json and prints the run's unit IDs in an order they can run; `--unit ID`
 * trains that one unit into OUT (separate processes, other machines on a shared OUT); a plain run
 * afterwards loads the finished units and does the rest.
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
      "worker threads training folds concurrently, and placing pass 2's studies (default: one per core; 1 = in the main thread; same results either way)",
      intOption("threads"),
    )
    .option("--quiet", "no progress bars")
    .option(
      "--cache <dir>",
      "where the training inputs' cache (crops, localizer images) is built and reused (default OUT/cache)",
    )
    .option(
      "--gates <mode>",
      `${GATE_MODES.join("|")}: each optional part where it beats the simple baseline out of fold, every part, or none`,
      "auto",
    )
    .option(
      "--init <weights>",
      "start stage 1's localizer from these weights and fine-tune it: synthetic (the shipped one, trained on synthetic studies only, the quick profile's default; see models/README.md), a weights file, or none (a seeded random init)",
    )
    .option("--plan", "write OUT/plan.json and print the unit IDs, one per line, in an order they can run")
    .option(
      "--unit <id>",
      "train only this unit (an ID from --plan) into OUT; a plain run then does the rest",
    );
  return withRun<KernelOpts>(cmd, async (raw) => {
    const opts = parseKernelOptions(raw);
    // The engine must pick its backend before the first tensor exists.
    const backend = await initBackend();
    const data = opts.data ?? (await demoDataset());
    const kernelOpts = {
      data,
      out: opts.out,
      profile: opts.profile,
      seed: opts.seed,
      overrides: {
        gates: opts.gates,
        ...(opts.init !== undefined ? { localizer: { init: opts.init } } : {}),
        ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      },
      quiet: opts.quiet,
      ...(opts.cache !== null ? { cache: opts.cache } : {}),
      backend: { ...backend },
    };
    if (opts.mode.kind === "plan") {
      const plan = await planKernel(kernelOpts);
      for (const u of plan.units) console.log(u.id);
      return 0;
    }
    if (opts.mode.kind === "unit") {
      const done = await runUnit(kernelOpts, opts.mode.id);
      console.log(
        `unit ${done.unit}: finished (${done.epochs} epochs) in ${opts.out}/checkpoints/${done.unit}`,
      );
      return 0;
    }
    const report = await runKernel(kernelOpts);
    const fmt = (v: number | null) => (v === null ? "n/a" : v.toFixed(4));
    console.log(
      `kernel ${report.profile}: cv ${fmt(report.cvScore)} (best epoch per fold) honest cv ${fmt(report.cvHonestScore)} (common epoch) test ${fmt(report.testScore)} prior ${fmt(report.priorScore)} oracle ${fmt(report.oracleScore)}; ` +
        `fallback rows ${report.fallbacks.reduce((s, f) => s + f.rows, 0)}; unusable files ${report.unusableFiles}; peak RSS ${report.peakRssMb} MB; wrote ${opts.out}/submission.csv, points.csv, report.json`,
    );
    console.log(`gates: ${describeGates(report.gates.decisions)}`);
    for (const part of report.gates.unsupported) console.log(`  not supported out of fold: ${part}`);
    await writeReportPage(opts.out);
    return 0;
  });
}
