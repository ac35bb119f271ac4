import type { Command } from "commander";
import { benchCommand } from "./bench";
import { kernelCommand } from "./kernel";
import { notebooksCommand } from "./notebooks";
import { scoreCommand } from "./score";
import { synthCommand } from "./synth";
import { validateSubmissionCommand } from "./validate-submission";

/** Every `npx lumbar` command, one module each; keep alphabetical. */
export const COMMANDS: ReadonlyArray<() => Command> = [benchCommand, kernelCommand, notebooksCommand, scoreCommand, synthCommand, validateSubmissionCommand];
