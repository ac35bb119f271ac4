import { Command } from "commander";
import { intOption, withRun } from "../command";
import {
  APPEARANCE_FAMILIES,
  APPEARANCE_MODES,
  CARTOON_STYLE_NAMES,
  NO_CARTOON_QUIRKS,
  NO_QUIRKS,
  generateCartoonDataset,
  generateDataset,
  isAppearanceFamily,
  isAppearanceMode,
  isCartoonStyle,
  type AppearanceOptions,
  type DatasetRequest,
  type GeneratedDataset,
  type SynthProgress,
} from "../../synth";
import { UsageError } from "../../util/errors";
import { progressBar, type Progress } from "../../util/progress";

interface SynthOpts {
  out: string;
  train: number;
  test: number;
  seed: number;
  writer: string;
  size?: string;
  style?: string;
  appearance: string;
  families?: string;
  quirks: boolean;
  quiet?: boolean;
}

const WRITERS = ["phantom", "cartoon"] as const;

/**
 * `lumbar synth --out DIR --train N --test M --seed S [--writer phantom|cartoon]`: a synthetic
 * dataset, from the phantom (default; `--size`, `--appearance`, `--families`) or the cartoon writer
 * (`--style`).
 */
export function synthCommand(): Command {
  const cmd = new Command("synth")
    .description(
      "write synthetic lumbar MR studies in the competition layout, with ground_truth/ beside them",
    )
    .requiredOption("--out <dir>", "output folder (empty, or written by an earlier lumbar synth)")
    .option("--train <n>", "train studies", intOption("train"), 60)
    .option("--test <n>", "test studies", intOption("test"), 10)
    .option("--seed <s>", "random seed; same seed, same bytes", intOption("seed"), 2024)
    .option(
      "--writer <name>",
      `${WRITERS.join(" or ")}: the phantom, or cartoon anatomy (another source)`,
      "phantom",
    )
    .option("--size <size>", "phantom: small (matrices 160-256) or full (320-512); default small")
    .option(
      "--appearance <mode>",
      `phantom: ${APPEARANCE_MODES.join(" or ")}; random draws each series' contrast, bias, noise, blur, gamma and protocol (320-640 px, spine off-centre and rotated) and each study's anatomy (endplates, sacrum, discs, marrow)`,
      "fixed",
    )
    .option(
      "--families <list>",
      `phantom, random appearance: comma-separated contrast families to draw from (${APPEARANCE_FAMILIES.join(",")}); default all`,
    )
    .option(
      "--style <name>",
      `cartoon: ${CARTOON_STYLE_NAMES.join(" or ")}; default ${CARTOON_STYLE_NAMES[0]}`,
    )
    .option("--no-quirks", "regular layout: no missing series, split, signed or broken files")
    .option("--quiet", "no progress lines");
  return withRun<SynthOpts>(cmd, async (opts) => {
    let bar: Progress | undefined;
    const request = {
      out: opts.out,
      train: opts.train,
      test: opts.test,
      seed: opts.seed,
      // The kernel's progress bars: in place on a TTY, a line per 30 s in CI logs and notebooks.
      onProgress: (p: SynthProgress) => {
        bar ??= progressBar("synth studies", p.total, { quiet: opts.quiet });
        bar.tick(1, { last: `${p.split} ${p.studyId}` });
        if (p.done === p.total) bar.stop();
      },
    };
    const result = await generate(opts, request);
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

function generate(opts: SynthOpts, request: DatasetRequest): Promise<GeneratedDataset> {
  if (opts.writer === "cartoon") {
    if (opts.size !== undefined)
      throw new UsageError("--size is the phantom's; the cartoon's sizes come with --style");
    if (opts.appearance !== "fixed" || opts.families !== undefined)
      throw new UsageError(
        "--appearance and --families are the phantom's; the cartoon's looks come with --style",
      );
    const style = opts.style ?? CARTOON_STYLE_NAMES[0];
    if (!isCartoonStyle(style))
      throw new UsageError(`--style must be one of ${CARTOON_STYLE_NAMES.join(", ")}, got "${style}"`);
    return generateCartoonDataset({ ...request, style, quirks: opts.quirks ? undefined : NO_CARTOON_QUIRKS });
  }
  if (opts.writer !== "phantom")
    throw new UsageError(`--writer must be one of ${WRITERS.join(", ")}, got "${opts.writer}"`);
  if (opts.style !== undefined) throw new UsageError("--style is the cartoon writer's (--writer cartoon)");
  const size = opts.size ?? "small";
  if (size !== "small" && size !== "full")
    throw new UsageError(`--size must be small or full, got "${size}"`);
  const appearance = appearanceOptions(opts);
  return generateDataset({ ...request, size, appearance, quirks: opts.quirks ? undefined : NO_QUIRKS });
}

/** The phantom's --appearance and --families (and --size, which only the fixed appearance takes). */
export function appearanceOptions(
  opts: Pick<SynthOpts, "appearance" | "families" | "size">,
): AppearanceOptions {
  const mode = opts.appearance;
  if (!isAppearanceMode(mode))
    throw new UsageError(`--appearance must be one of ${APPEARANCE_MODES.join(", ")}, got "${mode}"`);
  if (mode === "random" && opts.size !== undefined)
    throw new UsageError(
      "--size is the fixed appearance's; --appearance random draws matrices of 320-640 px",
    );
  if (opts.families === undefined) return { mode };
  if (mode !== "random") throw new UsageError("--families needs --appearance random");
  const families = opts.families.split(",").map((f) => f.trim());
  const bad = families.filter((f) => !isAppearanceFamily(f));
  if (bad.length > 0)
    throw new UsageError(`--families takes ${APPEARANCE_FAMILIES.join(", ")}; got "${opts.families}"`);
  return { mode, families: families.filter(isAppearanceFamily) };
}
