import { LumbarError } from "../../lib/util/errors";

/** A training call with inputs of the wrong shape/length, or a worker that failed. */
export class TrainerError extends LumbarError {
  readonly name = "TrainerError";
}
