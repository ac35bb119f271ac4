import { Command } from "commander";
import { withRun } from "../command";
import { loadSampleSubmission } from "../../data/submission-file";
import { validateSubmissionFile } from "../../submit/validate";

/** `lumbar validate-submission --sample S --submission F`: exit 1 and list every problem. */
export function validateSubmissionCommand(): Command {
  const cmd = new Command("validate-submission")
    .description("check a submission against sample_submission.csv; exit 1 with a list of problems")
    .requiredOption("--sample <file>", "sample_submission.csv: the row_ids expected")
    .requiredOption("--submission <file>", "submission.csv to check");
  return withRun<{ sample: string; submission: string }>(cmd, async (opts) => {
    const problems = validateSubmissionFile(opts.submission, loadSampleSubmission(opts.sample).rowIds);
    if (problems.length === 0) {
      console.log(`${opts.submission}: valid`);
      return 0;
    }
    console.error(`${opts.submission}: ${problems.length} problem(s)`);
    for (const p of problems) console.error(`  ${p}`);
    return 1;
  });
}
