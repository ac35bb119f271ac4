import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const LIB = resolve(__dirname, "../lib");

/** Modules of lib/<folder> that import from lib/<other> (relative imports, resolved from the importing file). */
function importersOf(folder: string, other: string): string[] {
  const dir = join(LIB, folder);
  const target = join(LIB, other);
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const reaches = (file: string) =>
    [...readFileSync(file, "utf8").matchAll(/from "(\.\.?\/[^"]*)"/g)]
      .map((m) => resolve(dirname(file), m[1]))
      .some((p) => p === target || p.startsWith(target + sep));
  return files.filter((f) => reaches(join(dir, f))).map((f) => relative(LIB, join(dir, f)));
}

describe("lib/ layering: the flow study -> models -> train | infer -> kernel", () => {
  it("inference reads only a weights folder: lib/infer imports nothing from lib/train or lib/kernel", () => {
    expect(importersOf("infer", "train")).toEqual([]);
    expect(importersOf("infer", "kernel")).toEqual([]);
  });
  it("what a study reads is shared: lib/study imports neither training, inference nor the kernel", () => {
    for (const upper of ["train", "infer", "kernel"]) expect(importersOf("study", upper)).toEqual([]);
  });
  it("lib/viz runs no training and no kernel", () => {
    expect(importersOf("viz", "train")).toEqual([]);
    expect(importersOf("viz", "kernel")).toEqual([]);
  });
  it("the check sees imports (lib/kernel does import lib/train)", () => {
    expect(importersOf("kernel", "train").length).toBeGreaterThan(0);
  });
});
