import type { Command } from "commander";
import { dicomBench } from "./dicom";
import { figurePngBench } from "./figure-png";
import { gatesBench } from "./gates";
import { kernelBackendsBench } from "./kernel-backends";
import { kernelMemoryBench } from "./kernel-memory";
import { kernelThreadsBench } from "./kernel-threads";
import { trainBench } from "./train";
import { trainStepBench } from "./train-step";
import { transferBench } from "./transfer";

/** Benchmarks run by `npx lumbar bench <name>`, one module each; keep alphabetical. */
export const BENCHES: ReadonlyArray<() => Command> = [
  dicomBench,
  figurePngBench,
  gatesBench,
  kernelBackendsBench,
  kernelMemoryBench,
  kernelThreadsBench,
  trainBench,
  trainStepBench,
  transferBench,
];
