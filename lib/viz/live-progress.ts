/**
 * Live progress for long notebook cells. lib/train prints non-TTY progress lines on stderr (a start and
 * an end line per bar, every epoch of every fold), which in a notebook becomes hundreds of lines. Here
 * they go to one display that is updated in place: the latest line of each bar (keyed by its label,
 * epochs folded together) plus every other message, in order. The executed notebook keeps the final board.
 */
import { displayBundle, type MimeBundle } from "./display";

/** Progress lines look like `label [████░░] 3/7 | ETA 2s | loss 0.4`. */
const BAR = /^(.*?)\s*\[[█░\s]*\]\s*\d+\/\d+/u;

/** The board key of a progress-bar line (its label without "epoch i/n"), or null for any other line. */
export function progressKey(line: string): string | null {
  const m = BAR.exec(line);
  if (!m) return null;
  return m[1].replace(/\s+epoch\s+\d+\/\d+$/, "").trim();
}

export class ProgressBoard {
  /** Insertion-ordered: a bar keeps the row where it first appeared. */
  private readonly rows = new Map<string, string>();
  private partial = "";
  private order = 0;

  /** Feed raw stderr text (any chunking); returns true when the board changed. */
  add(chunk: string): boolean {
    const text = this.partial + chunk;
    const lines = text.split(/\r?\n|\r/);
    this.partial = lines.pop() ?? "";
    let changed = false;
    for (const raw of lines) {
      const line = raw.trimEnd();
      if (!line.trim()) continue;
      const key = progressKey(line);
      this.rows.set(key ?? `#${this.order++}`, line);
      changed = true;
    }
    return changed;
  }

  text(): string {
    const tail = this.partial.trim() ? [this.partial.trimEnd()] : [];
    return [...this.rows.values(), ...tail].join("\n");
  }
}

function boardBundle(board: ProgressBoard, title: string): MimeBundle {
  const text = board.text();
  const esc = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return {
    data: {
      "text/plain": `${title}\n${text}`,
      "text/html":
        `<div style="font-weight:bold;margin:2px 0">${title}</div>` +
        `<pre style="margin:0;padding:6px 8px;background:#f7f9fc;border-left:3px solid #636efa;font-size:11px;line-height:1.35">${esc}</pre>`,
    },
    metadata: {},
  };
}

type Updater = (bundle: MimeBundle, first: boolean, final: boolean) => void;

/** tslab's updatable display (one display id, later calls replace it); plain displays elsewhere. */
function updater(): Updater {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require("tslab/dist/jupyter") as {
      lastWriteDisplayData?: (c: unknown, u: boolean) => void;
    };
    const write = jupyter.lastWriteDisplayData;
    if (write) {
      const id = `lumbar-progress-${process.hrtime.bigint()}`;
      return (b, first) =>
        write({ data: b.data, metadata: b.metadata, transient: { display_id: id } }, !first);
    }
  } catch {
    // not in a tslab kernel
  }
  return (b, _first, final) => {
    if (final) displayBundle(b);
  };
}

/**
 * Run `fn` with its stderr collected on a live progress board instead of the cell's stderr.
 * Outside a kernel only the final board is shown. Updates are throttled to `everyMs`.
 */
export async function withLiveProgress<T>(
  fn: () => Promise<T>,
  opts: { title?: string; everyMs?: number } = {},
): Promise<T> {
  const title = opts.title ?? "Progress";
  const board = new ProgressBoard();
  const show = updater();
  const stderr = process.stderr;
  const original = stderr.write;
  let first = true;
  let last = 0;
  const flush = (final: boolean) => {
    const now = Date.now();
    if (!final && now - last < (opts.everyMs ?? 1000)) return;
    if (!board.text()) return;
    last = now;
    show(boardBundle(board, title), first, final);
    first = false;
  };
  stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (board.add(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"))) flush(false);
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof stderr.write;
  try {
    return await fn();
  } finally {
    stderr.write = original;
    flush(true);
  }
}
