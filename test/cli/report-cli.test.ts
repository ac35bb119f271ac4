import { describe, expect, it, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { writeReportPage } from "../../lib/cli/commands/report";
import { writeTree } from "../helpers/tmp";

const BIN = resolve(__dirname, "../../bin/lumbar.js");
const lumbar = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("npx lumbar report", () => {
  it("exits 2 naming the folder when it holds no finished run, or a report that is not JSON", () => {
    const empty = writeTree({ "submission.csv": "row_id,normal_mild,moderate,severe\n" });
    const r = lumbar("report", "--run", empty);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`RunFolderError: run folder ${empty}: no report.json or predict-report.json`);
    const broken = writeTree({ "report.json": "{ not json" });
    const b = lumbar("report", "--run", broken, "--out", join(broken, "page.html"));
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`run folder ${broken}: report.json is not JSON`);
  }, 60_000);

  it("at the end of a run, a page that cannot be written is a printed line, not a failure", async () => {
    const dir = writeTree({ "report.json": "{ not json" });
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await expect(writeReportPage(dir)).resolves.toBeUndefined();
      expect(errors).toHaveBeenCalledWith(
        expect.stringMatching(/^lumbar: report.html not written: RunFolderError: /),
      );
    } finally {
      errors.mockRestore();
    }
  });
});
