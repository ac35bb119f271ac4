/**
 * Fitting: the per-unit fit loop with resumable checkpoints, the two stages' training (localizer
 * heatmaps, per-family classifiers with augmentation), pass 1 over the train studies, folds, and the
 * unit pool that trains units on worker threads. Presets and the config types are in lib/config;
 * what a trained model predicts is in lib/infer.
 */
export { studyFolds, foldSplit } from "./folds";
export { fitUnit, cosineLr, type FitTask } from "./fit";
export { createStepper, eagerStep, stepKind, type Batch, type Stepper, type TrainLoss } from "./step";
export { readOptimizer, saveOptimizer } from "./checkpoint";
export { JsonlLog } from "./log";
export { fitLocalizer, levelPointErrors, localizerLoss, meanPointError } from "./localizer";
export { drawWindow, fitSidePoints, sidePointError, sidePointTrainLoss } from "./side-points";
export { classifierLoss, fitClassifier, familyScore } from "./classifier";
export { randomView } from "./augment";
export { prepareTrainStudies, type PreparedStudy } from "./prepare";
export { trainUnits, type TrainUnitsOptions } from "./unit-pool";
export {
  fitJob,
  loadFinishedJob,
  UnitTrainingError,
  type ClassifierJob,
  type LocalizerJob,
  type SidePointJob,
  type UnitJob,
} from "./unit-job";
export { withSeededMathRandom } from "./seeded-random";
