import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseKernelOptions } from "../../lib/cli/commands/kernel";
import { UsageError } from "../../lib/util/errors";

describe("lumbar kernel options", () => {
  it("resolves paths and keeps the profile and seed", () => {
    const o = parseKernelOptions({ data: "d", out: "o", profile: "smoke", seed: 4 });
    expect(o.profile).toBe("smoke");
    expect(o.seed).toBe(4);
    expect(o.data).toMatch(/\/d$/);
    expect(o.out).toMatch(/\/o$/);
  });
  it("without --data uses the demo set (data null)", () => {
    expect(parseKernelOptions({ out: "o", profile: "quick" }).data).toBeNull();
    expect(parseKernelOptions({ out: "o", profile: "quick" }).cache).toBeNull();
    expect(parseKernelOptions({ out: "o", profile: "quick", cache: "c" }).cache).toBe(resolve("c"));
  });
  it("passes --threads through and rejects 0 as a usage error", () => {
    expect(parseKernelOptions({ out: "o", profile: "quick", threads: 2 }).threads).toBe(2);
    expect(parseKernelOptions({ out: "o", profile: "quick" }).threads).toBeUndefined();
    expect(() => parseKernelOptions({ out: "o", profile: "quick", threads: 0 })).toThrow(UsageError);
  });
  it("rejects an unknown profile as a usage error", () => {
    expect(() => parseKernelOptions({ out: "o", profile: "fast" })).toThrow(UsageError);
    expect(parseKernelOptions({ out: "o", profile: "quick" }).gates).toBe("auto");
    expect(parseKernelOptions({ out: "o", profile: "quick", gates: "all-on" }).gates).toBe("all-on");
    expect(() => parseKernelOptions({ out: "o", profile: "quick", gates: "yes" })).toThrow(
      /--gates must be one of auto\|all-on\|baseline/,
    );
  });
  it("--init: a weights file becomes its absolute path; a missing one is a usage error naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "init-opt-"));
    const file = join(dir, "loc.weights");
    writeFileSync(file, "");
    expect(parseKernelOptions({ out: "o", profile: "quick" }).init).toBeUndefined();
    expect(parseKernelOptions({ out: "o", profile: "quick", init: "none" }).init).toBeNull();
    expect(parseKernelOptions({ out: "o", profile: "quick", init: file }).init).toBe(file);
    expect(parseKernelOptions({ out: "o", profile: "quick", init: "synthetic" }).init).toBe("synthetic");
    expect(() => parseKernelOptions({ out: "o", profile: "quick", init: join(dir, "x.weights") })).toThrow(
      /localizer init: no weights file .*x\.weights/,
    );
  });
  it("--plan and --unit choose the mode; both at once, or an empty ID, is a usage error", () => {
    expect(parseKernelOptions({ out: "o", profile: "smoke" }).mode).toEqual({ kind: "run" });
    expect(parseKernelOptions({ out: "o", profile: "smoke", plan: true }).mode).toEqual({ kind: "plan" });
    expect(parseKernelOptions({ out: "o", profile: "smoke", unit: "spinal/fold1" }).mode).toEqual({
      kind: "unit",
      id: "spinal/fold1",
    });
    expect(() => parseKernelOptions({ out: "o", profile: "smoke", plan: true, unit: "x" })).toThrow(
      UsageError,
    );
    expect(() => parseKernelOptions({ out: "o", profile: "smoke", unit: " " })).toThrow(UsageError);
  });
});
