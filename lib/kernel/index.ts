/**
 * The batch kernel: one run from a competition-layout folder to OUT/submission.csv and
 * OUT/report.json, as a sequence of stages with typed results (train split -> localizer folds ->
 * localized pass -> classifier folds -> CV -> test predictions -> report); each unit type predicts at
 * the common epoch chosen from its folds' mean validation curve (honest CV).
 */
export { runKernel } from "./run";
export type { KernelContext, KernelOptions } from "./context";
export type { KernelReport } from "./report";
export type { PreparedTrain } from "./train-split";
export type { LocalizerStage } from "./localizer-stage";
export type { LocalizedPass } from "./localized-pass";
export type { ClassifierStage } from "./classifier-stage";
export type { CvScores } from "./cv";
export { commonEpoch, type CommonEpoch } from "./common-epoch";
export { demoDataset } from "./demo";
export {
  planKernel,
  runUnit,
  PLAN_FILE,
  UnitNotReadyError,
  UnknownUnitError,
  type KernelPlan,
} from "./units";
export type { PlannedUnit } from "./unit-ids";
