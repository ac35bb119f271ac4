import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { intOption, numberOption } from "../../lib/cli/command";
import { UsageError } from "../../lib/util/errors";
import { tempDir } from "../helpers/tmp";

const BIN = resolve(__dirname, "../../bin/lumbar.js");
const lumbar = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("bad option values are usage errors", () => {
  it("intOption and numberOption throw UsageError naming the option and the value", () => {
    expect(intOption("seed")("42")).toBe(42);
    expect(() => intOption("seed")("x")).toThrow(UsageError);
    expect(() => intOption("seed")("-1")).toThrow('--seed must be a non-negative integer, got "-1"');
    expect(numberOption("col")("-1.5")).toBe(-1.5);
    expect(() => numberOption("col")(" ")).toThrow(UsageError);
  });

  it("`lumbar kernel --seed x` exits 2 with one line on stderr and trains nothing", () => {
    const out = tempDir();
    const r = lumbar("kernel", "--seed", "x", "--out", out);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      'lumbar: UsageError: --seed must be a non-negative integer, got "x"',
    ]);
    expect(r.stdout).toBe("");
  });

  it("`lumbar project --col abc` exits 2 the same way", () => {
    const r = lumbar("project", "--from", "a.dcm", "--col", "abc", "--row", "1", "--to", "d");
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('lumbar: UsageError: --col must be a number, got "abc"');
  });
});
