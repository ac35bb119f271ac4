import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Notebook, formatNotebook, hygieneProblems, notebookFiles, stripNotebook } from "../../scripts/strip-notebooks";

const NOTEBOOKS = resolve(__dirname, "../../notebooks");

describe("committed notebooks", () => {
  const files = notebookFiles(NOTEBOOKS);
  it("exist (EDA, training, submission)", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
  it.each(files)("%s has no outputs, execution counts or run metadata, and runs on the tslab kernel", (file) => {
    const text = readFileSync(file, "utf8");
    const nb = JSON.parse(text) as Notebook;
    expect(hygieneProblems(nb)).toEqual([]);
    expect(text).toBe(formatNotebook(stripNotebook(nb)));
    expect((nb.metadata.kernelspec as { name: string }).name).toBe("tslab");
  });
});

describe("stripNotebook", () => {
  const dirty: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab" }, widgets: {} },
    cells: [
      { cell_type: "markdown", id: "a", metadata: {}, source: ["# t"] },
      {
        cell_type: "code",
        id: "b",
        metadata: { execution: { "iopub.status.busy": "x" }, tags: ["keep"] },
        execution_count: 7,
        outputs: [{ output_type: "stream", name: "stdout", text: ["hi\n"] }],
        source: ["console.log('hi')"],
      },
    ],
  };
  it("finds every problem", () => {
    expect(hygieneProblems(dirty)).toEqual([
      "cell 2 has 1 output(s)",
      "cell 2 has execution_count 7",
      'cell 2 has run metadata "execution"',
      'notebook has run metadata "widgets"',
    ]);
  });
  it("removes outputs and counts but keeps sources, ids and authored metadata", () => {
    const clean = stripNotebook(dirty);
    expect(hygieneProblems(clean)).toEqual([]);
    expect(clean.cells[1]).toEqual({
      cell_type: "code",
      id: "b",
      metadata: { tags: ["keep"] },
      execution_count: null,
      outputs: [],
      source: ["console.log('hi')"],
    });
    expect(clean.cells[0]).toEqual(dirty.cells[0]);
    expect(clean.metadata).toEqual({ kernelspec: { name: "tslab" } });
    // The input is not mutated.
    expect(dirty.cells[1].execution_count).toBe(7);
  });
});
