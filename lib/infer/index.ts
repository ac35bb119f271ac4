/**
 * Inference from a weights folder: its format (one versioned reader and writer per file), the stage
 * predictors (levels, severities), one study, the test-split loop, and predict-only runs. Imports
 * nothing from lib/train: a weights folder is all it needs.
 */
export {
  CONFIG_FILE,
  CROSS_FAMILY_FILE,
  EPOCHS_FILE,
  GATES_FILE,
  LEVEL_PRIOR_FILE,
  OFFSETS_FILE,
  PRIOR_FILE,
  checkpointsDir,
  readConfigFile,
  writeConfigFile,
  readGatesFile,
  writeEpochsFile,
  writeGatesFile,
  writeInferenceModels,
} from "./weights-folder";
export {
  INITIAL_STATE,
  epochWeightsFile,
  finalWeightsFile,
  readState,
  writeState,
  type UnitState,
} from "./unit-state";
export {
  buildFamilyClassifier,
  disposeTrained,
  loadTrained,
  type LoadedWeights,
  type Trained,
} from "./models";
export { predictLevels, predictScoredLevels, type ScoredLevels } from "./localize";
export { predictSamples, predictSamplesByTta } from "./classify";
export { localizationArrays, localizationFromArrays, type LocalizationArrays } from "./predict-threads";
export { predictStudy, type Fallback, type StudyPrediction } from "./predict-study";
export { POINTS_FILE, pointRow, writePointsCsv, type PointRow } from "./points-file";
export { predictTestSplit, type TestSplitPredictions } from "./test-split";
export { predictTest, type PredictReport, type PredictTestOptions } from "./predict-test";
export { groundTruthScores, readLevelCentres, type GroundTruthReport } from "./ground-truth";
export {
  buildSidePoints,
  predictPeaks,
  applyRefinement,
  memoizedCandidates,
  refineCandidates,
  refineSidePoints,
  type CandidateMemo,
  type CandidateResult,
  type RefineCandidate,
  type SidePointModels,
  type SidePointOutcome,
} from "./side-points";
export { exportWeights } from "./export-weights";
