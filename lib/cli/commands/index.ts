import type { Command } from "commander";

/** Every `npx lumbar` command, one module each; keep alphabetical. */
export const COMMANDS: ReadonlyArray<() => Command> = [];
