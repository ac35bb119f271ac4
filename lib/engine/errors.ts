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

/** A saved model folder that is missing, truncated or does not match what loading expects. */
export class ModelFileError extends LumbarError {
  readonly name = "ModelFileError";
  constructor(
    readonly dir: string,
    readonly problem: string,
  ) {
    super(`${dir}: ${problem}`);
  }
}

/** A training call with inputs of the wrong shape/length, or a worker that failed. */
export class TrainerError extends LumbarError {
  readonly name = "TrainerError";
}
