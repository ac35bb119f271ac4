import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PYTHON, REPO_ROOT, notebookEnv } from "../../lib/cli/commands/notebooks";

const jupyterOk =
  existsSync(DEFAULT_PYTHON) && spawnSync(DEFAULT_PYTHON, ["-c", "import nbclient, nbconvert"]).status === 0;
if (!jupyterOk) console.warn("test/notebooks/runner: no Debian Jupyter (python3-nbclient jupyter-nbconvert); skipping");

/** A notebook on the project's tslab kernel with the given code cells. */
function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: cells.map((source, i) => ({ cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  });
}

function run(cells: string[], extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "nb-run-"));
  const file = join(dir, "t.ipynb");
  writeFileSync(file, notebook(cells));
  const env = notebookEnv(REPO_ROOT, { out: dir, profile: "smoke", timeout: 60 }, process.env);
  const r = spawnSync(DEFAULT_PYTHON, [resolve(REPO_ROOT, "scripts/run-notebook.py"), file, join(dir, "out"), ...extra], {
    env: { ...env, JUPYTER_RUNTIME_DIR: dir },
    encoding: "utf8",
  });
  const executed = existsSync(join(dir, "out", "t.ipynb"))
    ? (JSON.parse(readFileSync(join(dir, "out", "t.ipynb"), "utf8")) as { cells: { outputs: { text?: string | string[] }[] }[] })
    : null;
  return { status: r.status, stderr: r.stderr, executed, html: existsSync(join(dir, "out", "t.html")) };
}

describe.skipIf(!jupyterOk)("run-notebook.py on the tslab kernel", () => {
  it("runs cells in order and saves the notebook and its HTML", () => {
    const r = run(["const a = 20;", "console.log(a + 22);"]);
    expect(r.status).toBe(0);
    expect(r.html).toBe(true);
    expect([r.executed!.cells[1].outputs[0].text].flat().join("")).toBe("42\n");
  }, 120_000);

  it("fails on a type error with TypeScript's message and the failing cell", () => {
    const r = run(["console.log('first');", 'const n: number = "text";', "console.log('never');"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("code cell 2 failed");
    expect(r.stderr).toContain("Type 'string' is not assignable to type 'number'");
    expect(r.stderr).toContain('const n: number = "text";');
    // Saved up to the failure: the first cell's output is there, the third never ran.
    expect([r.executed!.cells[0].outputs[0].text].flat().join("")).toBe("first\n");
    expect(r.executed!.cells[2].outputs).toEqual([]);
  }, 120_000);

  it("survives a cell that prints a burst of output (zeromq sends are serialised)", () => {
    // Unpatched, tslab's unawaited zeromq sends throw EBUSY after a burst and the kernel dies.
    const r = run(['for (let i = 0; i < 3000; i++) console.log(`line ${i}`);', 'console.log("after");']);
    expect(r.status).toBe(0);
    const text = [r.executed!.cells[0].outputs.map((o) => [o.text].flat().join(""))].flat().join("");
    expect(text.split("\n").filter(Boolean)).toHaveLength(3000);
    expect([r.executed!.cells[1].outputs[0].text].flat().join("")).toBe("after\n");
  }, 120_000);

  it("stops a cell that runs past the time limit", () => {
    const r = run(["console.log('quick');", "await new Promise((done) => setTimeout(done, 60_000));"], ["--timeout", "3"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("a cell timed out after 3s");
    expect([r.executed!.cells[0].outputs[0].text].flat().join("")).toBe("quick\n");
  }, 120_000);

  it("fails on a thrown error with its message", () => {
    const r = run(['throw new RangeError("no such level: L6/L7");']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("RangeError: no such level: L6/L7");
  }, 120_000);
});
