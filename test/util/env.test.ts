import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ENV_VARS, readEnv, readEnvNumber, type EnvName } from "../../lib/util/env";

const ROOT = resolve(__dirname, "../..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("LUMBAR_* environment variables", () => {
  it("are read only through lib/util/env.ts", () => {
    // A read is process.env.LUMBAR_X or env.LUMBAR_X that is not assigned or deleted (the notebook
    // runner writes its children's variables).
    const read = /process\.env\.LUMBAR_|(?<!delete )\benv\.LUMBAR_\w+\b(?!\s*=(?!=))/;
    const offenders = tsFiles(join(ROOT, "lib"))
      .filter((f) => !f.endsWith(join("util", "env.ts")))
      .filter((f) => read.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it("are all listed in the README with their defaults", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const missing = Object.entries(ENV_VARS)
      .filter(([name, v]) => !readme.includes(`| \`${name}\` | ${v.default} |`))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it("read trimmed, empty as unset, numbers only when finite", () => {
    const env = { LUMBAR_SEED: " 7 ", LUMBAR_OUT: "", LUMBAR_BPF_CHUNK: "lots" };
    expect(readEnv("LUMBAR_SEED", env)).toBe("7");
    expect(readEnv("LUMBAR_OUT", env)).toBeUndefined();
    expect(readEnvNumber("LUMBAR_SEED", env)).toBe(7);
    expect(readEnvNumber("LUMBAR_BPF_CHUNK", env)).toBeUndefined();
    expect(readEnv("LUMBAR_DATA" as EnvName, {})).toBeUndefined();
  });
});
