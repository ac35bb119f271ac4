import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/util/atomic-write";
import { tempDir } from "../helpers/tmp";

describe("writeFileAtomic", () => {
  for (const durable of [false, true])
    it(`replaces the file whole and leaves no temp file (durable: ${durable})`, () => {
      const dir = tempDir("lumbar-atomic-");
      const file = join(dir, "state.json");
      writeFileSync(file, "old");
      writeFileAtomic(file, '{"epoch":3}', { durable });
      writeFileAtomic(join(dir, "w.bin"), new Uint8Array([1, 2, 255]), { durable });
      expect(readFileSync(file, "utf8")).toBe('{"epoch":3}');
      expect([...readFileSync(join(dir, "w.bin"))]).toEqual([1, 2, 255]);
      expect(readdirSync(dir).sort()).toEqual(["state.json", "w.bin"]);
    });

  it("a write that cannot happen throws and leaves the other files and no temp file", () => {
    const dir = tempDir("lumbar-atomic-");
    const file = join(dir, "state.json");
    writeFileSync(file, "old");
    // The target is a folder: the rename fails after the temp file (beside it, in dir) was written.
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "f"), "");
    expect(() => writeFileAtomic(join(dir, "sub"), "x", { durable: true })).toThrow();
    expect(readFileSync(file, "utf8")).toBe("old");
    expect(readdirSync(dir).sort()).toEqual(["state.json", "sub"]);
  });
});
