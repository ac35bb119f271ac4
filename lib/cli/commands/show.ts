import { Command } from "commander";
import { extname, resolve } from "node:path";
import { intOption, withRun } from "../command";
import { UsageError } from "../../util/errors";
import { writeFileAtomic } from "../../util/atomic-write";
import { figureTitle } from "../../viz/figure";
import { pageHtml } from "../../viz/html-page";
import { renderPng, sharedRenderer } from "../../viz/render";
import { readDataLabels, readRunPoints, studyPointsInputs } from "../../viz/run-folder";
import { studyPointsFigure } from "../../viz/study-points";

interface ShowOpts {
  data: string;
  study: number;
  run?: string;
  out: string;
}

/** Pure argument check, testable without running anything. */
export function parseShowOptions(opts: ShowOpts): {
  data: string;
  study: number;
  run: string | null;
  out: string;
  format: "png" | "html";
} {
  const ext = extname(opts.out).toLowerCase();
  if (ext !== ".png" && ext !== ".html")
    throw new UsageError(`--out must end in .png or .html, got "${opts.out}"`);
  return {
    data: resolve(opts.data),
    study: opts.study,
    run: opts.run ? resolve(opts.run) : null,
    out: resolve(opts.out),
    format: ext === ".png" ? "png" : "html",
  };
}

/**
 * `lumbar show --data DIR --study ID [--run OUT] --out FILE.png|.html`: one study's slices with the
 * points a run placed (OUT/points.csv, each row's probabilities from OUT's submission.csv / oof.csv)
 * and the labelled points when DIR has them: a PNG, or an offline HTML page with the interactive figure.
 */
export function showCommand(): Command {
  const cmd = new Command("show")
    .description("draw a study's slices with a run's points and the labelled ones: FILE.png or FILE.html")
    .requiredOption("--data <dir>", "competition-layout folder holding the study")
    .requiredOption("--study <id>", "study_id", intOption("study"))
    .option("--run <dir>", "a kernel or predict output folder (its points.csv, submission.csv, oof.csv)")
    .requiredOption("--out <file>", "FILE.png or FILE.html");
  return withRun<ShowOpts>(cmd, async (raw) => {
    const opts = parseShowOptions(raw);
    const run = opts.run ? readRunPoints(opts.run) : undefined;
    const fig = await studyPointsFigure(
      studyPointsInputs(opts.data, opts.study, readDataLabels(opts.data), run),
    );
    if (opts.format === "png") {
      try {
        writeFileAtomic(opts.out, await renderPng(fig, { scale: 1.5 }));
      } finally {
        await sharedRenderer().close();
      }
    } else {
      writeFileAtomic(
        opts.out,
        pageHtml({ title: figureTitle(fig), sections: [{ title: "Points", blocks: [{ figure: fig }] }] }),
      );
    }
    console.log(`show: wrote ${opts.out}`);
    return 0;
  });
}
