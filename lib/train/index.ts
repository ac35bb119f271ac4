/**
 * Training, cross-validation, localization and the end-to-end kernel flow (stage 1: level
 * localization, stage 2: severity classification per condition family).
 */
export {
  DEFAULT_CONFIG,
  PRESETS,
  PROFILES,
  isProfile,
  readConfigJson,
  resolveConfig,
  writeConfigJson,
  weightsConfig,
  type ClassifierConfig,
  type CropSpec,
  type LocalizerConfig,
  type Profile,
  type TrainConfig,
  type TrainOverrides,
  type WeightsConfig,
} from "./config";
export { runKernel, type KernelOptions, type KernelReport } from "./kernel";
export {
  checkpointsDir,
  disposeTrained,
  loadTrained,
  predictStudy,
  predictTest,
  writeInferenceModels,
  type LoadedWeights,
  type PredictOptions,
  type PredictReport,
  type Trained,
} from "./predict";
export { studyFolds, foldSplit } from "./folds";
export { fitUnit, trainStep, cosineLr, type Batch, type FitTask } from "./fit";
export {
  CheckpointError,
  loadModelWeights,
  saveModelWeights,
  readState,
  writeState,
  readTensorBundle,
  writeTensorBundle,
  type UnitState,
} from "./checkpoint";
export { JsonlLog } from "./log";
export {
  formatSeconds,
  progressBar,
  reportUnit,
  type Progress,
  type ProgressOptions,
  type ProgressStream,
  type UnitSummary,
} from "./progress";
export { fitLocalizer, predictLevels, meanPointError, type LocalizerSample } from "./localizer";
export {
  fitClassifier,
  predictSamples,
  familyScore,
  mirrorKind,
  renderInputs,
  type CropSample,
} from "./classifier";
export {
  IDENTITY_VIEW,
  quantizeCrop,
  randomView,
  renderCrop,
  type CropView,
  type StoredCrop,
} from "./augment";
export {
  CROP_RANGE,
  cropStack,
  findInstance,
  goodSlice,
  loadSeriesStacks,
  projectPoint,
  type LoadedSeries,
  type Stack,
} from "./volume";
export {
  decodeProblems,
  fitOffsets,
  groundTruthPoints,
  loadStudy,
  localizerStack,
  midSlice,
  placePoints,
  storedCropFor,
  type OffsetModel,
  type PointLocation,
  type StudyImages,
} from "./study";
export { errorSummary, pointErrors, prepareTrainStudies, localizedCrops, type Failure } from "./prepare";
export { groundTruthScores, readLevelCentres, type GroundTruthReport } from "./ground-truth";
export { demoDataset } from "./demo";
export { defaultThreads, trainUnits, type TrainUnitsOptions } from "./unit-pool";
export {
  fitJob,
  loadFinishedJob,
  UnitTrainingError,
  type ClassifierJob,
  type LocalizerJob,
  type UnitJob,
} from "./unit-job";
export { withSeededMathRandom } from "./seeded-random";
