import * as path from "node:path";
import { Command } from "commander";
import { withRun } from "../command";
import { loadSeries } from "../../dicom/series";

/** `lumbar series-geometry DIR [--json]`: the stacks of a series folder, sorted along their normals. */
export function seriesGeometryCommand(): Command {
  const cmd = new Command("series-geometry")
    .description("group a series folder into stacks by orientation, sorted along the slice normal")
    .argument("<dir>", "series folder of DICOM files")
    .option("--json", "print one JSON object");
  return withRun<{ json?: boolean }>(cmd, async (opts, [dir]) => {
    const series = loadSeries(dir);
    const stacks = series.stacks.map((s) => ({
      orientation: s.orientation,
      normal: s.normal,
      files: s.files.map((f) => path.basename(f)),
      instanceNumbers: s.slices.map((x) => x.instanceNumber),
      positionsMm: s.positionsMm,
      spacingMm: s.spacingMm,
    }));
    if (opts.json) {
      console.log(JSON.stringify({ stacks, warnings: series.warnings }));
      return 0;
    }
    for (const [i, s] of stacks.entries()) {
      console.log(
        `stack ${i}: ${s.files.length} images, IOP [${s.orientation.join(", ")}], spacing ${s.spacingMm.toFixed(3)} mm`,
      );
      console.log(
        `  positions ${s.positionsMm[0]} .. ${s.positionsMm[s.positionsMm.length - 1]} mm; first ${s.files[0]}`,
      );
    }
    for (const w of series.warnings) console.log(`warning: ${w}`);
    return 0;
  });
}
