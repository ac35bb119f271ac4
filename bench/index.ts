import type { Command } from "commander";

/** Benchmarks run by `npx lumbar bench <name>`, one module each; keep alphabetical. */
export const BENCHES: ReadonlyArray<() => Command> = [];
