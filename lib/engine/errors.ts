import { LumbarError } from "../util/errors";

/** A backend that was asked for by name (option or LUMBAR_BACKEND) and cannot start here. */
export class BackendUnavailableError extends LumbarError {
  readonly name = "BackendUnavailableError";
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend "${backend}" is unavailable: ${reason}`);
  }
}

/** A training call with inputs of the wrong shape/length, or a worker that failed. */
export class TrainerError extends LumbarError {
  readonly name = "TrainerError";
}

/** A model the graph writer cannot express (a layer or option it has no rule for), or a bad graph. */
export class GraphBuildError extends LumbarError {
  readonly name = "GraphBuildError";
}
