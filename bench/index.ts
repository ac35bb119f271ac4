import type { Command } from "commander";
import { dicomBench } from "./dicom";
import { trainBench } from "./train";

/** Benchmarks run by `npx lumbar bench <name>`, one module each; keep alphabetical. */
export const BENCHES: ReadonlyArray<() => Command> = [dicomBench, trainBench];
