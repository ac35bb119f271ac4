import { Command } from "commander";
import { withRun } from "../command";
import { initBackend } from "../../engine";
import { exportWeights } from "../../infer";

/**
 * `lumbar export-weights --weights RUN --out DIR`: the part of a kernel run's checkpoints that
 * `lumbar predict` reads, copied into DIR (for a Kaggle weights dataset).
 */
export function exportWeightsCommand(): Command {
  const cmd = new Command("export-weights")
    .description("copy what `lumbar predict` reads of a kernel run's checkpoints into a new folder")
    .requiredOption("--weights <dir>", "checkpoints folder of a kernel run (or the kernel's --out folder)")
    .requiredOption("--out <dir>", "new (or empty) folder to write");
  return withRun<{ weights: string; out: string }>(cmd, async (opts) => {
    // Loading the weights checks them; the engine must pick its backend before the first tensor.
    await initBackend({ log: false });
    const r = exportWeights(opts.weights, opts.out);
    const mb = (b: number) => (b / 1e6).toFixed(1);
    console.log(
      `export-weights: ${r.files.length} files, ${mb(r.bytes)} MB of ${mb(r.sourceBytes)} MB, in ${opts.out}`,
    );
    return 0;
  });
}
