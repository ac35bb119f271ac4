import type { Command } from "commander";
import { benchCommand } from "./bench";
import { scoreCommand } from "./score";
import { validateSubmissionCommand } from "./validate-submission";

/** Every `npx lumbar` command, one module each; keep alphabetical. */
export const COMMANDS: ReadonlyArray<() => Command> = [benchCommand, scoreCommand, validateSubmissionCommand];
