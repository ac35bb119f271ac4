import type { Command } from "commander";
import { benchCommand } from "./bench";
import { dicomInfoCommand } from "./dicom-info";
import { doctorCommand } from "./doctor";
import { exportWeightsCommand } from "./export-weights";
import { kernelCommand } from "./kernel";
import { localizerCommand } from "./localizer";
import { notebooksCommand } from "./notebooks";
import { predictCommand } from "./predict";
import { projectCommand } from "./project";
import { reportCommand } from "./report";
import { scoreCommand } from "./score";
import { seriesGeometryCommand } from "./series-geometry";
import { showCommand } from "./show";
import { synthCommand } from "./synth";
import { validateSubmissionCommand } from "./validate-submission";

/** Every `npx lumbar` command, one module each; keep alphabetical. */
export const COMMANDS: ReadonlyArray<() => Command> = [
  benchCommand,
  dicomInfoCommand,
  doctorCommand,
  exportWeightsCommand,
  kernelCommand,
  localizerCommand,
  notebooksCommand,
  predictCommand,
  projectCommand,
  reportCommand,
  scoreCommand,
  seriesGeometryCommand,
  showCommand,
  synthCommand,
  validateSubmissionCommand,
];
