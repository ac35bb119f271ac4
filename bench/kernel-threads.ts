import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { initBackend } from "../lib/engine";
import { isProfile, localizerTrainingConfig, PROFILES } from "../lib/config";
import { demoDataset } from "../lib/kernel/demo";
import { runKernel } from "../lib/kernel";
import { defaultThreads } from "../lib/engine";
import { stepKind } from "../lib/train/step";
import { UsageError } from "../lib/util/errors";

interface Opts {
  data?: string;
  out: string;
  profile: string;
  threads: string;
  locEpochs?: number;
  clsEpochs?: number;
  json?: boolean;
}

export interface KernelThreadsRow {
  threads: number;
  trainLocalizerS: number;
  trainClassifiersS: number;
  /** trainLocalizer + trainClassifiers: the part worker threads parallelise. */
  trainS: number;
  /** Wall time of trainS relative to the first thread count listed (the peer, 1 by default). */
  ratio: number;
  /** Pass 2 (stage 1b's nets on every out-of-fold study; helper threads beside the kernel's). */
  pass2S: number;
  /** pass2S relative to the first thread count listed. */
  pass2Ratio: number;
  /**
   * CPU seconds of the whole run (all threads; data preparation and inference included, which are
   * the same work at any thread count): the work done, whatever share of the cores it got.
   */
  cpuS: number;
  /** Wall seconds of the whole run. */
  wallS: number;
  /**
   * 1-minute load average before and after the run: above the core count means contended figures
   * (and with sched_autogroup, as on our shared VMs, a busy machine gives each session the same
   * share whatever its thread count).
   */
  load1Start: number;
  load1End: number;
  cores: number;
  /** The backend the units trained on, and its TensorFlow intra-op threads (1 off TensorFlow). */
  backend: string;
  intraOpThreads: number;
  /** How units trained: one TensorFlow graph call per batch, or tfjs's eager ops (LUMBAR_TRAIN=eager, wasm, cpu). */
  trainPath: "graph" | "eager";
  /** Epochs each unit trained (the profile's own unless cut by --loc-epochs / --cls-epochs). */
  locEpochs: number;
  clsEpochs: number;
  /** Epochs trained over all units (train-log.jsonl), for time per epoch whatever early stopping did. */
  locEpochsTrained: number;
  clsEpochsTrained: number;
  inferenceS: number;
  cvScore: number | null;
  testScore: number | null;
  submissionSha256: string;
}

/**
 * `lumbar bench kernel-threads`: the kernel's training wall time with its units trained in the main
 * thread (the peer, threads 1) and on worker threads, and pass 2's with and without helper threads, in one command on the same data and config,
 * each from empty checkpoints. Epochs are cut (default 4 + 4) so a run takes minutes, not the
 * profile's full schedule; the submissions must be identical (units are independently seeded).
 */
export function kernelThreadsBench(): Command {
  const cmd = new Command("kernel-threads")
    .description("kernel training wall time, units in the main thread vs on worker threads")
    .option("--data <dir>", "competition-layout folder (default: the cached demo set)")
    .option("--out <dir>", "scratch folder (emptied per run)", path.join("out", "bench-kernel-threads"))
    .option("--profile <name>", PROFILES.join("|"), "quick")
    .option(
      "--threads <list>",
      'comma-separated thread counts ("default": the kernel\'s for this backend); the first is the reference',
      `1,${os.cpus().length}`,
    )
    .option("--loc-epochs <n>", "localizer epochs (default: the profile's)", intOption("loc-epochs"))
    .option("--cls-epochs <n>", "classifier epochs (default: the profile's)", intOption("cls-epochs"))
    .option("--json", "one JSON object per line per thread count");
  return withRun<Opts>(cmd, async (opts) => {
    if (!isProfile(opts.profile)) throw new UsageError(`--profile must be one of ${PROFILES.join("|")}`);
    const backend = await initBackend();
    const counts = opts.threads
      .split(",")
      .map((s) => (s.trim() === "default" ? defaultThreads() : Number(s.trim())));
    if (!counts.length || counts.some((n) => !Number.isInteger(n) || n < 1))
      throw new UsageError(`--threads must list positive integers or "default", got "${opts.threads}"`);
    const data = opts.data ? path.resolve(opts.data) : await demoDataset();
    const rows: KernelThreadsRow[] = [];
    for (const threads of counts) {
      const out = path.resolve(opts.out, `t${threads}`);
      rmSync(out, { recursive: true, force: true });
      const load1Start = os.loadavg()[0];
      const cpu0 = process.cpuUsage();
      const wall0 = Date.now();
      const report = await runKernel({
        data,
        out,
        profile: opts.profile,
        overrides: {
          threads,
          // From a shipped start (quick) the localizer trains fineTuneEpochs: --loc-epochs cuts either.
          localizer: { epochs: opts.locEpochs, fineTuneEpochs: opts.locEpochs },
          classifier: { epochs: opts.clsEpochs },
        },
        quiet: true,
        backend: { ...backend },
      });
      const cpu = process.cpuUsage(cpu0);
      const t = report.timings;
      const trainS = t.trainLocalizer + t.trainClassifiers;
      const row: KernelThreadsRow = {
        threads,
        trainLocalizerS: round(t.trainLocalizer),
        trainClassifiersS: round(t.trainClassifiers),
        trainS: round(trainS),
        ratio: rows.length ? round(trainS / rows[0].trainS, 3) : 1,
        pass2S: round(t.prepareLocalized),
        pass2Ratio: rows.length ? round(t.prepareLocalized / rows[0].pass2S, 3) : 1,
        cpuS: round((cpu.user + cpu.system) / 1e6),
        wallS: round((Date.now() - wall0) / 1000),
        load1Start: round(load1Start),
        load1End: round(os.loadavg()[0]),
        cores: os.cpus().length,
        backend: backend.choice,
        intraOpThreads: backend.threads,
        trainPath: stepKind(),
        locEpochs: localizerTrainingConfig(report.config.localizer).epochs,
        clsEpochs: report.config.classifier.epochs,
        ...epochsTrained(path.join(out, "train-log.jsonl")),
        inferenceS: round(t.inference ?? 0),
        cvScore: report.cvScore,
        testScore: report.testScore,
        submissionSha256: createHash("sha256")
          .update(readFileSync(path.join(out, "submission.csv")))
          .digest("hex"),
      };
      rows.push(row);
      console.log(
        opts.json
          ? JSON.stringify(row)
          : `threads ${row.threads}: localizers ${row.trainLocalizerS} s + classifiers ${row.trainClassifiersS} s = ` +
              `${row.trainS} s (x${row.ratio} of threads ${counts[0]}); pass 2 ${row.pass2S} s (x${row.pass2Ratio}), ` +
              `inference ${row.inferenceS} s; whole run ${row.wallS} s wall, ${row.cpuS} s cpu; ` +
              `load ${row.load1Start} -> ${row.load1End} ` +
              `on ${row.cores} cores, submission ${row.submissionSha256.slice(0, 12)}`,
      );
    }
    const same = rows.every((r) => r.submissionSha256 === rows[0].submissionSha256);
    if (!opts.json) console.log(`submissions ${same ? "identical" : "DIFFER"} across thread counts`);
    return same ? 0 : 1;
  });
}

/** Epoch records in a kernel's train log, localizer units apart from classifier units. */
function epochsTrained(logFile: string): { locEpochsTrained: number; clsEpochsTrained: number } {
  const units = readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => String((JSON.parse(l) as { unit: unknown }).unit));
  const loc = units.filter((u) => u.startsWith("localizer")).length;
  return { locEpochsTrained: loc, clsEpochsTrained: units.length - loc };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
