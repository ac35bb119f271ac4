import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../util/errors";

/**
 * The localizer the project ships: trained on synthetic studies only (never on real data), in the
 * quick profile's architecture, built by `lumbar localizer` (models/README.md says from what). A
 * run starts stage 1 from it with `kernel --init synthetic`.
 */
export const SHIPPED_LOCALIZER = join(__dirname, "..", "..", "models", "localizer-synthetic.weights");

/** The weights file a localizer `init` names: "synthetic" (the shipped one) or a path. */
export function localizerInitFile(init: string): string {
  const file = init === "synthetic" ? SHIPPED_LOCALIZER : resolve(init);
  if (!existsSync(file))
    throw new UsageError(
      init === "synthetic"
        ? `the shipped localizer ${file} is missing (build it with \`lumbar localizer\`, see models/README.md)`
        : `localizer init: no weights file ${file}`,
    );
  return file;
}
