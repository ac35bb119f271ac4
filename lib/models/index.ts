export {
  buildLocalizer,
  heatmapSize,
  gaussianTargets,
  decodeHeatmaps,
  type LocalizerSpec,
} from "./localizer";
export { buildClassifier, metaVector, META_SIZE, type ClassifierSpec } from "./classifier";
export { weightedCrossEntropy, anySevereSpinalLoss, spatialSoftmaxCe } from "./losses";
export { SeededDropout, reseedDropout, type SeededDropoutArgs } from "./seeded-dropout";
export { seedInitialWeights } from "./seeded-init";
