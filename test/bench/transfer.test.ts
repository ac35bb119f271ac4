import { describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { parseSets } from "../../bench/transfer";
import { UsageError } from "../../lib/util/errors";

describe("bench transfer --sets", () => {
  it("names a set NAME=DIR, or by its folder", async () => {
    expect(await parseSets("bright=/data/cartoon-bright, /data/cd-small")).toEqual([
      { name: "bright", dir: resolve("/data/cartoon-bright") },
      { name: "cd-small", dir: resolve("/data/cd-small") },
    ]);
  });

  it("a name given twice is a UsageError", async () => {
    await expect(parseSets("a=/x,/y/a")).rejects.toThrow(UsageError);
    await expect(parseSets("a=/x,/y/a")).rejects.toThrow(/names "a" twice/);
  });
});
