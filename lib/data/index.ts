export * from "./schema";
export * from "./train-labels";
export * from "./coordinates";
export * from "./series-descriptions";
export * from "./submission-file";
export * from "./dataset";
export * from "./train-split";
export * from "./run-points";
