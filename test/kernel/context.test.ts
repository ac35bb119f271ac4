import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openRun } from "../../lib/kernel/context";
import { UsageError } from "../../lib/util/errors";
import { tempDir } from "../helpers/tmp";

/** Reverse the key order of every object: same configuration, different JSON text. */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reordered(x)]),
    );
  return v;
}

describe("openRun: config.json and the resume check", () => {
  const base = { data: "unused", profile: "smoke" as const, quiet: true, overrides: { threads: 1 } };

  it("resumes a folder whose config.json holds the same configuration in another key order", () => {
    const out = tempDir();
    openRun({ ...base, out });
    const file = join(out, "checkpoints", "config.json");
    const saved = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify(reordered(saved)));
    expect(JSON.stringify(reordered(saved))).not.toBe(JSON.stringify(saved));
    expect(() => openRun({ ...base, out })).not.toThrow();
  });

  it("refuses a folder trained with another configuration (threads excepted)", () => {
    const out = tempDir();
    openRun({ ...base, out });
    expect(() => openRun({ ...base, out, overrides: { threads: 2 } })).not.toThrow();
    expect(() => openRun({ ...base, out, seed: 7 })).toThrow(UsageError);
    expect(() => openRun({ ...base, out, seed: 7 })).toThrow(
      /different configuration \(profile smoke, seed 42\)/,
    );
  });
});
