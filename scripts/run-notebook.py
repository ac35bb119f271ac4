#!/usr/bin/python3
"""Execute one notebook headlessly with nbclient, save it and its HTML export.

Called by `npx lumbar notebooks` (lib/cli/commands/notebooks.ts) with Debian's /usr/bin/python3.
tslab replies to a failed cell with status "error" but no ename/evalue/traceback: the real message
(TypeScript diagnostics or the thrown error) is on the cell's stderr stream. nbclient's own
CellExecutionError would say only "<Error>:", so this driver finds the failing cell and prints
its stderr instead.

Usage: run-notebook.py NOTEBOOK OUT_DIR [--kernel tslab] [--timeout SECONDS]
Exit status: 0 ok, 1 a cell failed (message on stderr), 2 the kernel or the driver failed.
The executed notebook (with outputs up to the failure) and its HTML are written in every case.
"""
import argparse
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter


def cell_text(cell, stream):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == stream)


def cell_tail(cell, lines=40):
    """The last lines a cell showed: its streams and the text of its displays (a live progress board)."""
    texts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            texts.append(o.get("text", ""))
        elif "data" in o:
            texts.append(o["data"].get("text/plain", ""))
    return "\n".join("".join(texts).splitlines()[-lines:])


def write_outputs(nb, src_path, out_dir):
    base = os.path.splitext(os.path.basename(src_path))[0]
    os.makedirs(out_dir, exist_ok=True)
    nb_path = os.path.join(out_dir, base + ".ipynb")
    html_path = os.path.join(out_dir, base + ".html")
    nbformat.write(nb, nb_path)
    exporter = HTMLExporter(template_name="lab")
    # No network at render time: keep MathJax off (the notebooks use no LaTeX).
    exporter.mathjax_url = ""
    body, _ = exporter.from_notebook_node(nb)
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(body)
    return nb_path, html_path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("out_dir")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per cell, 0 = no limit")
    args = ap.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    name = os.path.basename(args.notebook)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    failed = {}
    started = {}

    def on_start(cell, cell_index, **_):
        started[cell_index] = time.time()
        started["last"] = cell_index

    def on_done(cell, cell_index, **_):
        secs = time.time() - started.get(cell_index, time.time())
        pos = code_cells.index(cell_index) + 1 if cell_index in code_cells else 0
        print(f"[{name}] cell {pos}/{len(code_cells)} done in {secs:.1f}s", file=sys.stderr, flush=True)

    def on_error(cell, cell_index, **_):
        failed["index"] = cell_index

    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout if args.timeout > 0 else None,
        startup_timeout=120,
        # tslab sends a cell's reply on the shell socket while its output may still be queued on
        # iopub (a burst of progress lines on a loaded machine): nbclient's default 4 s wait for the
        # rest of the output then drops it silently. Wait longer, and fail loudly if even that ends.
        iopub_timeout=300,
        raise_on_iopub_timeout=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
        on_cell_start=on_start,
        on_cell_executed=on_done,
        on_cell_error=on_error,
    )
    status = 0
    try:
        client.execute()
    except CellExecutionError:
        idx = failed.get("index")
        cell = nb.cells[idx] if idx is not None else None
        pos = code_cells.index(idx) + 1 if idx in code_cells else "?"
        err = cell_text(cell, "stderr").strip() if cell is not None else ""
        src = cell.source if cell is not None else ""
        print(f"{name}: code cell {pos} failed:\n--- cell ---\n{src}\n--- error ---\n{err or '(no message on stderr)'}",
              file=sys.stderr)
        status = 1
    except CellTimeoutError as e:
        # What the cell showed last (its progress board) says where it stopped.
        idx = started.get("last")
        shown = cell_tail(nb.cells[idx]) if idx is not None else ""
        print(f"{name}: a cell timed out after {args.timeout}s: {e}\n--- its last output ---\n{shown or '(none)'}",
              file=sys.stderr)
        status = 1
    except DeadKernelError as e:
        print(f"{name}: the kernel died (out of memory or crashed): {e}", file=sys.stderr)
        status = 2
    finally:
        nb_path, html_path = write_outputs(nb, args.notebook, args.out_dir)
        print(f"[{name}] wrote {nb_path} and {html_path}", file=sys.stderr)
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # the kernel did not start, bad notebook JSON, ...
        print(f"run-notebook.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
