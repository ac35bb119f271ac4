import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { listNotebooks, notebookEnv, notebookProblem, summarizeNotebook } from "../../lib/cli/commands/notebooks";

describe("lumbar notebooks: pure parts", () => {
  it("lists NN-*.ipynb in order, filtered by substrings", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-"));
    for (const n of ["02-train.ipynb", "01-eda.ipynb", "scratch.ipynb", "03-submission.ipynb", "10-notes.txt"]) writeFileSync(join(dir, n), "{}");
    expect(listNotebooks(dir).map((p) => p.slice(dir.length + 1))).toEqual(["01-eda.ipynb", "02-train.ipynb", "03-submission.ipynb"]);
    expect(listNotebooks(dir, "eda,sub").map((p) => p.slice(dir.length + 1))).toEqual(["01-eda.ipynb", "03-submission.ipynb"]);
  });

  it("puts the kernel spec and tslab first on the paths and passes the parameters", () => {
    const env = notebookEnv("/repo", { out: "rel/out", profile: "smoke", data: "d", seed: 3, timeout: 10 }, {
      PATH: "/usr/bin",
      JUPYTER_PATH: "/other",
      LUMBAR_DATA: "stale",
      LUMBAR_FIGURE_PNG: "0",
    });
    expect(env.JUPYTER_PATH).toBe(["/repo/.jupyter", "/other"].join(delimiter));
    expect(env.PATH).toBe(["/repo/node_modules/.bin", "/usr/bin"].join(delimiter));
    expect(env.LUMBAR_PROFILE).toBe("smoke");
    expect(env.LUMBAR_DATA).toBe(resolve("d"));
    expect(env.LUMBAR_OUT).toBe(resolve("rel/out"));
    expect(env.LUMBAR_SEED).toBe("3");
    expect(env.LUMBAR_FIGURE_PNG).toBe("1");
    // Without --data, a stale LUMBAR_DATA from the caller must not leak into the notebooks.
    expect(notebookEnv("/repo", { out: "o", profile: "quick", timeout: 10 }, { LUMBAR_DATA: "stale" }).LUMBAR_DATA).toBeUndefined();
  });

  it("summarises an executed notebook and rejects one without figures or with unexecuted cells", () => {
    const nb = {
      cells: [
        { cell_type: "markdown" },
        { cell_type: "code", execution_count: 1, outputs: [{ output_type: "display_data", data: { "image/png": "iVBO", "text/plain": "x" } }] },
        { cell_type: "code", execution_count: 2, outputs: [{ output_type: "stream", name: "stderr", text: "warn" }] },
        { cell_type: "code", execution_count: null, outputs: [] },
      ],
    };
    const s = summarizeNotebook("01-eda.ipynb", nb);
    expect(s).toEqual({ notebook: "01-eda.ipynb", codeCells: 3, executedCells: 2, pngs: 1, stderrCells: 1 });
    expect(notebookProblem(s)).toBe("01-eda.ipynb: only 2 of 3 code cells ran");
    expect(notebookProblem({ ...s, executedCells: 3 })).toBeNull();
    expect(notebookProblem({ ...s, executedCells: 3, pngs: 0 })).toBe("01-eda.ipynb: no PNG figure in the executed notebook");
  });
});
