import { Command, CommanderError } from "commander";
import { COMMANDS } from "./commands";
import { exitCodeOf } from "./command";
import { isLumbarError } from "../util/errors";

export function buildProgram(): Command {
  const program = new Command("lumbar")
    .description("RSNA 2024 lumbar spine kernel: DICOM studies to a scored submission.csv")
    .exitOverride()
    .showHelpAfterError();
  for (const build of COMMANDS) program.addCommand(build().exitOverride());
  return program;
}

/** Entry of `npx lumbar`: returns the exit status, never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCodeOf(program);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isLumbarError(e)) {
      console.error(`lumbar: ${e.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
