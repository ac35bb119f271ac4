import { Command } from "commander";
import { intOption, withRun } from "../command";
import { generateDataset, NO_QUIRKS, type Quirks } from "../../synth";
import { UsageError } from "../../util/errors";
import { progressBar, type Progress } from "../../util/progress";

interface SynthOpts {
  out: string;
  train: number;
  test: number;
  seed: number;
  size: string;
  quirks: boolean;
  quiet?: boolean;
}

/** `lumbar synth --out DIR --train N --test M --seed S [--size small|full]`: a synthetic dataset. */
export function synthCommand(): Command {
  const cmd = new Command("synth")
    .description(
      "write synthetic lumbar MR studies in the competition layout, with ground_truth/ beside them",
    )
    .requiredOption("--out <dir>", "output folder (empty, or written by an earlier lumbar synth)")
    .option("--train <n>", "train studies", intOption("train"), 60)
    .option("--test <n>", "test studies", intOption("test"), 10)
    .option("--seed <s>", "random seed; same seed, same bytes", intOption("seed"), 2024)
    .option("--size <size>", "small (matrices 160-256) or full (320-512)", "small")
    .option("--no-quirks", "regular layout: no missing series, split or signed series")
    .option("--quiet", "no progress lines");
  return withRun<SynthOpts>(cmd, async (opts) => {
    if (opts.size !== "small" && opts.size !== "full")
      throw new UsageError(`--size must be small or full, got "${opts.size}"`);
    const quirks: Partial<Quirks> | undefined = opts.quirks ? undefined : NO_QUIRKS;
    let bar: Progress | undefined;
    const result = await generateDataset({
      out: opts.out,
      train: opts.train,
      test: opts.test,
      seed: opts.seed,
      size: opts.size,
      quirks,
      // The kernel's progress bars: in place on a TTY, a line per 30 s in CI logs and notebooks.
      onProgress: (p) => {
        bar ??= progressBar("synth studies", p.total, { quiet: opts.quiet });
        bar.tick(1, { last: `${p.split} ${p.studyId}` });
        if (p.done === p.total) bar.stop();
      },
    });
    console.log(
      JSON.stringify({
        dir: result.dir,
        train: result.trainStudies.length,
        test: result.testStudies.length,
        files: result.files,
        megabytes: Math.round(result.bytes / 1e5) / 10,
        seconds: result.seconds,
      }),
    );
    return 0;
  });
}
