import { Command } from "commander";
import { UsageError } from "../util/errors";

/**
 * A CLI command: commander parses the arguments, `run` does the work and returns the exit status.
 * Only lib/cli/main.ts turns that status into the process exit code.
 */
export type RunFn<O> = (opts: O, args: string[]) => Promise<number>;

const ExitCodeKey = Symbol("lumbarExitCode");
type WithExit = Command & { [ExitCodeKey]?: number };

/** Attach `run` as the action of `cmd`; main.ts reads back the status it returned. */
export function withRun<O>(cmd: Command, run: RunFn<O>): Command {
  return cmd.action(async (...params: unknown[]) => {
    // commander passes positional args, then the options object, then the command itself.
    const self = params[params.length - 1] as WithExit;
    const opts = self.opts() as O;
    const positional = self.args;
    const root = rootOf(self) as WithExit;
    root[ExitCodeKey] = await run(opts, positional);
  });
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

export function exitCodeOf(program: Command): number {
  return (program as WithExit)[ExitCodeKey] ?? 0;
}

/**
 * Parse a non-negative integer option, for commander's argParser. A bad value is a UsageError: main
 * prints it on one line and exits 2.
 */
export function intOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value))
      throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
    return Number(value);
  };
}

/** Parse a finite number option (same errors as intOption). */
export function numberOption(name: string) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === "" || !Number.isFinite(x))
      throw new UsageError(`--${name} must be a number, got "${value}"`);
    return x;
  };
}
