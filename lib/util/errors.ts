/** Base of every typed error the kernel throws on bad input. `name` is a literal per subclass. */
export abstract class LumbarError extends Error {
  abstract override readonly name: string;
}

/** A CSV file of the competition layout that does not parse: names file and 1-based line. */
export class DataFormatError extends LumbarError {
  readonly name = "DataFormatError";
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(`${file}${line === null ? "" : `:${line}`}: ${problem}`);
  }
}

/** A submission or prediction table that breaks the rules of the competition. */
export class SubmissionError extends LumbarError {
  readonly name = "SubmissionError";
  constructor(
    readonly problems: readonly string[],
    readonly file?: string,
  ) {
    const head = problems.slice(0, 20).join("\n  ");
    const more = problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : "";
    super(`${file ? file + ": " : ""}${problems.length} problem(s):\n  ${head}${more}`);
  }
}

/** Predictions the metric cannot score (non-finite, negative, wrong shape). */
export class MetricInputError extends LumbarError {
  readonly name = "MetricInputError";
}

/** A command-line usage problem: exit status 2 with the message. */
export class UsageError extends LumbarError {
  readonly name = "UsageError";
}

export function isLumbarError(e: unknown): e is LumbarError {
  return e instanceof LumbarError;
}
