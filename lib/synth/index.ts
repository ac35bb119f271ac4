/** Synthetic lumbar MR studies in the competition's exact layout, with ground truth. */
export { generateDataset, SYNTH_VERSION, type GenerateOptions } from "./dataset";
export { GROUND_TRUTH_DIR } from "./layout";
export type { GeneratedDataset, SynthProgress, DatasetRequest } from "./writer";
export type { CoordinateRow } from "./tables";
export {
  ensureDemoDataset,
  ensureSmokeDataset,
  ensureCachedDataset,
  DEMO_PRESET,
  SMOKE_PRESET,
  type SynthPreset,
  type CachedDatasetOptions,
} from "./demo";
export {
  APPEARANCE_FAMILIES,
  APPEARANCE_MODES,
  isAppearanceFamily,
  isAppearanceMode,
  seriesAppearance,
  type AppearanceFamily,
  type AppearanceMode,
  type AppearanceOptions,
  type SeriesAppearance,
} from "./appearance";
export { PROTOCOLS, type Protocol, type ProtocolName } from "./protocol";
export { DEFAULT_QUIRKS, NO_QUIRKS, type Quirks } from "./quirks";
export { LabelModel, LABEL_STATS, DEFAULT_RATER_NOISE, type StudyLabels } from "./label-model";
export { planStudy, type StudyPlan, type SynthSize } from "./study";
export { projectToPixel, pixelToPatient, sliceNormal, type SlicePlan, type SeriesPlan } from "./plan";
export { encodeMrSlice, MR_IMAGE_STORAGE, EXPLICIT_VR_LITTLE_ENDIAN } from "./dicom-writer";
export { SynthError } from "./errors";
export {
  generateCartoonDataset,
  CARTOON_VERSION,
  CARTOON_STYLES,
  CARTOON_STYLE_NAMES,
  DEFAULT_CARTOON_QUIRKS,
  NO_CARTOON_QUIRKS,
  isCartoonStyle,
  type CartoonOptions,
  type CartoonQuirks,
  type CartoonStyle,
  type CartoonStyleName,
} from "./cartoon";
