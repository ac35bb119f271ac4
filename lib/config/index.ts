/**
 * What a run is: the typed training configuration, its defaults, the named presets (smoke, quick,
 * full) as partial overrides, and the one resolver. Training and inference both read it (a weights
 * folder's config.json rebuilds the models), so it sits below both.
 */
export * from "./config";
