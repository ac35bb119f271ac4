import { LumbarError } from "../util/errors";

/** The generator was asked for something it cannot do (bad option, an output folder it must not touch). */
export class SynthError extends LumbarError {
  readonly name = "SynthError";
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}
