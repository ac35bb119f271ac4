/**
 * Gates: every optional part that can make a prediction worse (level chain, stage 1b per family,
 * canal-first placement, TTA, the cross-family fallback, rows from degraded inputs) earns its place
 * out of fold on the data the kernel is given; when nothing beats the simple baseline, the baseline
 * runs. Pure decisions on numbers; lib/kernel gathers the evidence, lib/infer applies the result.
 */
export * from "./margins";
export * from "./point-loss";
export * from "./refine-gate";
export * from "./shrink";
export * from "./gates";
export * from "./summary";
export * from "./audit";
