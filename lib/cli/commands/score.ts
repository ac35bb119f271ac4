import { Command } from "commander";
import { withRun } from "../command";
import { labelsByRowId, loadTrainLabels } from "../../data/train-labels";
import { scoreSubmission } from "../../metric/score";
import { readPredictions } from "../../submit/validate";

/** `lumbar score --labels LABELS.csv --submission SUB.csv`: the competition metric as one JSON line. */
export function scoreCommand(): Command {
  const cmd = new Command("score")
    .description("score a submission against labels in train.csv format; prints JSON")
    .requiredOption("--labels <file>", "labels in train.csv format (study_id + 25 columns)")
    .requiredOption("--submission <file>", "submission.csv (row_id,normal_mild,moderate,severe)");
  return withRun<{ labels: string; submission: string }>(cmd, async (opts) => {
    const result = scoreSubmission(
      labelsByRowId(loadTrainLabels(opts.labels)),
      readPredictions(opts.submission),
    );
    console.log(JSON.stringify(result));
    return 0;
  });
}
