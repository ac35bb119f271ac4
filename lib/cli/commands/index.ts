import type { Command } from "commander";
import { benchCommand } from "./bench";

/** Every `npx lumbar` command, one module each; keep alphabetical. */
export const COMMANDS: ReadonlyArray<() => Command> = [benchCommand];
