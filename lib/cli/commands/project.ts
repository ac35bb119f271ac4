import * as path from "node:path";
import { Command } from "commander";
import { numberOption, withRun } from "../command";
import { projectPixelToSeries } from "../../dicom/cross-series";

/** `lumbar project --from FILE --col C --row R --to DIR [--json]`: a pixel into another series. */
export function projectCommand(): Command {
  const cmd = new Command("project")
    .description(
      "map pixel (col, row) of one image to patient LPS mm and to the nearest slice of another series",
    )
    .requiredOption("--from <file>", "source DICOM image")
    .requiredOption("--col <x>", "column (x) on the source image", numberOption("col"))
    .requiredOption("--row <y>", "row (y) on the source image", numberOption("row"))
    .requiredOption("--to <dir>", "target series folder")
    .option("--json", "print one JSON object");
  return withRun<{ from: string; col: number; row: number; to: string; json?: boolean }>(
    cmd,
    async (opts) => {
      const r = projectPixelToSeries(opts.from, opts.col, opts.row, opts.to);
      const out = {
        lps: r.lps,
        file: path.basename(r.file),
        col: r.col,
        row: r.row,
        distanceMm: r.distanceMm,
        instanceNumber: r.instanceNumber,
        stack: r.stack,
        slice: r.slice,
        inside: r.inside,
        sameFrameOfReference: r.sameFrameOfReference,
      };
      if (opts.json) console.log(JSON.stringify(out));
      else {
        console.log(
          `LPS [${r.lps.map((v) => v.toFixed(2)).join(", ")}] mm -> ${out.file} (instance ${r.instanceNumber})`,
        );
        console.log(
          `  col ${r.col.toFixed(2)} row ${r.row.toFixed(2)} distance ${r.distanceMm.toFixed(2)} mm${r.inside ? "" : " (outside the image)"}`,
        );
        if (!r.sameFrameOfReference) console.log("  warning: different FrameOfReferenceUID");
      }
      return 0;
    },
  );
}
