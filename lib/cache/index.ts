/**
 * The training inputs on disk: crops and localizer images as fixed-size records (lib/cache
 * record-file), built once per run folder under a key of what produced them, reused across folds,
 * unit processes and reruns; samples travel as record references and are read a batch at a time.
 */
export { cachedBuild, type CachedBuild } from "./build";
export { cacheKey, codeIdentity, studyIdentity, CACHE_FORMAT_VERSION } from "./key";
export { CacheFileError, RecordFileReader, RecordFileWriter, type RecordFileHeader } from "./record-file";
export {
  loadCropLikes,
  loadCrops,
  loadLocalizers,
  mapChunks,
  PREDICT_CHUNK,
  SampleStore,
  SampleWriter,
  type CropSampleLike,
  type CropSampleRef,
  type LocalizerSampleLike,
  type LocalizerSampleRef,
  type RecordRef,
  type SidePointSampleLike,
  type WithCropRef,
} from "./samples";
