import { LumbarError } from "../util/errors";

/** No Chromium binary to render figures with; names every path tried. */
export class ChromiumNotFoundError extends LumbarError {
  readonly name = "ChromiumNotFoundError";
  constructor(readonly tried: readonly string[]) {
    super(
      `no Chromium found to render figures (tried ${tried.join(", ")}); ` +
        "install Debian's chromium (apt-get install --no-install-recommends chromium) or set LUMBAR_CHROMIUM",
    );
  }
}

/** plotly.js in the browser could not draw a figure (bad trace JSON, unknown trace type...). */
export class FigureRenderError extends LumbarError {
  readonly name = "FigureRenderError";
  constructor(
    readonly title: string,
    readonly problem: string,
  ) {
    super(`could not render figure "${title}": ${problem}`);
  }
}

/** A run folder lacks a file a picture or the report page needs, or holds a bad one. */
export class RunFolderError extends LumbarError {
  readonly name = "RunFolderError";
  constructor(
    readonly runDir: string,
    readonly problem: string,
  ) {
    super(`run folder ${runDir}: ${problem}`);
  }
}
