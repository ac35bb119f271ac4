/**
 * What training and inference both read of a study: its series as lazily decoded stacks, the
 * localizer's mid-sagittal view, condition points (labelled, or placed from localized levels and
 * projected into each series), the stored 2.5D crops cut through lib/crop, and the model inputs
 * rendered from them.
 */
export {
  findInstance,
  goodSlice,
  goodSource,
  loadSeriesStacks,
  projectPoint,
  withUnreadableSlices,
  type LoadedSeries,
  type SeriesStack,
  type StackPixels,
} from "./stacks";
export {
  decodeProblems,
  loadStudy,
  localizerStack,
  stacksOf,
  unusableFiles,
  withUnreadable,
  withoutSeries,
  type StudyImages,
  type UnusableStudyFile,
} from "./study";
export {
  addFailures,
  failureReport,
  fileFailures,
  FAILURES_LISTED,
  NO_CODE,
  type Failure,
  type FailureReport,
} from "./failures";
export {
  bilinearZero,
  frameToLps,
  fromFrame,
  lpsToFrame,
  midSlice,
  sampleFrame,
  squareFrame,
  toFrame,
  type LocalizerInput,
  type LocalizerSample,
  type MidSlice,
  type SquareFrame,
} from "./mid-slice";
export {
  fallbackPoints,
  fitOffsets,
  groundTruthPoints,
  placePoints,
  pointErrors,
  type Levels,
  type LpsPoint,
  type OffsetModel,
  type PlacedBy,
  type PlacedPoint,
  type PointLocation,
} from "./points";
export { cropInputKind, levelsInputKind, offSliceMm, type LevelsInputKind } from "./provenance";
export {
  CROP_MARGIN,
  cropStack,
  cropsAt,
  familyOf,
  labelOf,
  localizedCrops,
  placeRefined,
  quantizeCrop,
  sampleKey,
  storedCropFor,
  type CropSample,
  type LocalizedCropsOptions,
  type Placement,
  type RefineOutcomes,
  type RefinePoints,
  type StoredCrop,
} from "./crops";
export { IDENTITY_VIEW, mirrorKind, renderCrop, renderInputs, type CropView } from "./view";
export {
  SIDE_FAMILIES,
  mirrorsWindow,
  sidePointSamples,
  sideWindow,
  sliceDistanceMm,
  storedWindowPx,
  windowToImage,
  type SideFamily,
  type SidePointSample,
} from "./side-points";
