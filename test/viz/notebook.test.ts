import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { notebookParams } from "../../lib/viz/notebook";
import { UsageError } from "../../lib/util/errors";

describe("notebook parameters", () => {
  it("come from LUMBAR_* variables, the run folder named after the profile", async () => {
    const p = await notebookParams({
      LUMBAR_PROFILE: "smoke",
      LUMBAR_DATA: "/data/x",
      LUMBAR_OUT: "/o",
      LUMBAR_SEED: "7",
    });
    expect(p).toEqual({
      profile: "smoke",
      seed: 7,
      dataDir: "/data/x",
      outDir: "/o",
      runDir: resolve("/o", "run-smoke"),
    });
  });
  it("reject an unknown profile or a non-integer seed with a usage error", async () => {
    await expect(notebookParams({ LUMBAR_PROFILE: "huge", LUMBAR_DATA: "/d" })).rejects.toThrow(UsageError);
    await expect(notebookParams({ LUMBAR_SEED: "x", LUMBAR_DATA: "/d" })).rejects.toThrow(UsageError);
  });
  it("default to the quick profile, seed 42 and ../out/notebooks", async () => {
    const p = await notebookParams({ LUMBAR_DATA: "/d" });
    expect([p.profile, p.seed, p.outDir]).toEqual(["quick", 42, resolve("../out/notebooks")]);
  });
});
