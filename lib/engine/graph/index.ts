export { Graph, tensorInfo, tensorName, type Dim, type Ref, type OpRecord } from "./graph";
export { gradients } from "./autodiff";
export { buildTrainingGraph, SIGNATURES, type GraphLoss, type TrainingGraph } from "./training-graph";
export { GraphSession, writeSavedModel, type GraphProgram } from "./session";
export { adamHyper, GraphTrainer, type NamedTensor } from "./trainer";
export * as ops from "./ops";
