/**
 * Coordinate-guided 2.5D crops: [depth, H, W] float32 around (slice, x, y) of a stack volume,
 * resampled bilinearly in mm so every pixel spacing gives the same anatomy size.
 */
export { cropVolume, volumeSource, type CropSource } from "./crop";
export { NORMALIZED_RANGE, percentileNormalize, quantile, quantileSelect } from "./normalize";
export {
  FAMILY_CROP_SPECS,
  NORMALIZE_PERCENTILES,
  cropShape,
  type CropCentre,
  type CropSpec,
  type FamilyCrop,
} from "./spec";
export { cropTargets, type CropTarget, type StudyCrops } from "./study";
export { cropBatchTf } from "./tf";
