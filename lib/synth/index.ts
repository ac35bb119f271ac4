/** Synthetic lumbar MR studies in the competition's exact layout, with ground truth. */
export {
  generateDataset,
  SYNTH_VERSION,
  GROUND_TRUTH_DIR,
  type GenerateOptions,
  type GeneratedDataset,
  type SynthProgress,
} from "./dataset";
export {
  ensureDemoDataset,
  ensureSmokeDataset,
  ensureCachedDataset,
  DEMO_PRESET,
  SMOKE_PRESET,
  type SynthPreset,
  type CachedDatasetOptions,
} from "./demo";
export { DEFAULT_QUIRKS, NO_QUIRKS, type Quirks } from "./quirks";
export { LabelModel, LABEL_STATS, DEFAULT_RATER_NOISE, type StudyLabels } from "./label-model";
export { planStudy, type StudyPlan, type CoordinateRow, type SynthSize } from "./study";
export { projectToPixel, pixelToPatient, sliceNormal, type SlicePlan, type SeriesPlan } from "./plan";
export { encodeMrSlice, MR_IMAGE_STORAGE, EXPLICIT_VR_LITTLE_ENDIAN } from "./dicom-writer";
export { SynthError } from "./errors";
