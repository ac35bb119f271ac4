import { Command } from "commander";
import { join, resolve } from "node:path";
import { intOption, withRun } from "../command";
import { isProfile, PROFILES, resolveConfig } from "../../config";
import { initBackend } from "../../engine";
import { demoDataset } from "../../kernel/demo";
import { buildShippedLocalizer } from "../../kernel/shipped-localizer";
import { labelledLocalizerSet, type LabelledSet } from "../../kernel/transfer";
import { SHIPPED_LOCALIZER } from "../../models/shipped";
import { UsageError } from "../../util/errors";
import { stageClock } from "../../util/stage-clock";

interface LocalizerOpts {
  data: string[];
  out: string;
  profile: string;
  seed: number;
  work: string;
  quiet?: boolean;
}

/**
 * `lumbar localizer --data DIR [--data DIR ...] [--out FILE]`: train one stage 1 localizer on the
 * labelled train studies of every DIR together and write its weights (with what it trained on and
 * its validation error in the file's meta): by default the shipped one, models/localizer-synthetic.weights,
 * which `kernel --init synthetic` starts from. Only ever give it synthetic sets (models/README.md).
 */
export function localizerCommand(): Command {
  const cmd = new Command("localizer")
    .description(
      "train one localizer on the train studies of one or more data sets: the weights `kernel --init` starts from",
    )
    .requiredOption(
      "--data <dir>",
      "competition-layout folder, or demo (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--out <file>", "weights file", SHIPPED_LOCALIZER)
    .option("--profile <name>", `whose localizer architecture and training: ${PROFILES.join("|")}`, "quick")
    .option("--seed <n>", "seed of the validation share, weights and batches", intOption("seed"), 42)
    .option("--work <dir>", "checkpoints and each set's cache (a rerun resumes)", join("out", "localizer"))
    .option("--quiet", "no progress bars");
  return withRun<LocalizerOpts>(cmd, async (opts) => {
    if (!isProfile(opts.profile))
      throw new UsageError(`--profile must be one of ${PROFILES.join("|")}, got "${opts.profile}"`);
    if (!opts.data.length) throw new UsageError("--data: at least one data set");
    await initBackend();
    const config = resolveConfig(opts.profile, { seed: opts.seed });
    const work = resolve(opts.work);
    const sets: LabelledSet[] = [];
    for (const [i, d] of opts.data.entries()) {
      const dir = d === "demo" ? await demoDataset() : resolve(d);
      const name = `${i}-${d === "demo" ? "demo" : dir.split("/").pop()}`;
      sets.push(
        await labelledLocalizerSet({
          name,
          data: dir,
          out: join(work, "prepare", name),
          cache: join(work, "cache", name),
          profile: opts.profile,
          overrides: { seed: opts.seed },
          quiet: true,
        }),
      );
    }
    const clock = stageClock();
    const { meta } = await clock.clock("train", () =>
      buildShippedLocalizer({
        sets,
        cfg: config.localizer,
        folds: config.folds,
        seed: config.seed,
        patience: config.patience,
        dir: join(work, "checkpoints"),
        file: resolve(opts.out),
        quiet: opts.quiet,
      }),
    );
    const v = meta.validation;
    console.log(
      `localizer: trained on ${meta.trainedOn.map((t) => `${t.set} ${t.train}`).join(", ")} studies; ` +
        `best epoch ${meta.epoch}; validation (${meta.trainedOn.reduce((s, t) => s + t.valid, 0)} studies) ` +
        `median ${v.medianMm?.toFixed(2)} mm, p90 ${v.p90Mm?.toFixed(2)} mm; ` +
        `${clock.timings.train.toFixed(0)} s wall, ${clock.cpuSeconds.train.toFixed(0)} CPU s; wrote ${resolve(opts.out)}`,
    );
    return 0;
  });
}
