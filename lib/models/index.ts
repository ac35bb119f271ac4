export { buildLocalizer, heatmapSize, gaussianTargets, type LocalizerSpec } from "./localizer";
export { buildClassifier, metaVector, META_SIZE, type ClassifierSpec } from "./classifier";
export { weightedCrossEntropy, anySevereSpinalLoss, spatialSoftmaxCe } from "./losses";
export {
  decodeLevelChain,
  decodeLevels,
  type DecodedLevel,
  fitLevelChainPrior,
  channelCandidates,
  bestChain,
  MIN_GAP_SD_MM,
  type LevelChainPrior,
  type LevelGap,
  type ChainSample,
  type Candidate,
} from "./level-chain";
export {
  buildSidePointNet,
  decodePeak,
  sidePointLoss,
  sidePointMapSize,
  sidePointTargets,
  type SidePointSpec,
} from "./side-point-net";
