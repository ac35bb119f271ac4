import cliProgress from "cli-progress";
import { readEnv, readEnvNumber } from "./env";

export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** Where progress goes; a fake one (isTTY false, write collecting lines) in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  /** No output at all (tests); LUMBAR_QUIET=1 does the same. */
  readonly quiet?: boolean;
  /** Default process.stderr (looked up at call time: notebooks capture it). */
  readonly stream?: ProgressStream;
  /** Without a TTY: at most one line per this many ms per bar (default LUMBAR_PROGRESS_SECONDS or 30 s). */
  readonly everyMs?: number;
  /** Clock in ms (tests pass a fake one). */
  readonly now?: () => number;
}

const DEFAULT_EVERY_MS = 30_000;
const BAR_WIDTH = 20;

function silent(opts: ProgressOptions): boolean {
  return !!opts.quiet || readEnv("LUMBAR_QUIET") === "1";
}

function everyMs(opts: ProgressOptions): number {
  if (opts.everyMs !== undefined) return opts.everyMs;
  const s = readEnvNumber("LUMBAR_PROGRESS_SECONDS");
  return s !== undefined && s >= 0 ? s * 1000 : DEFAULT_EVERY_MS;
}

function infoText(payload: Record<string, string | number>): string {
  return Object.entries(payload)
    .map(([k, v]) => `${k} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
    .join(" ");
}

/** Seconds as "42s", "3m05s", "1h02m". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * A progress bar with ETA. On a TTY it is cli-progress's live bar. Without one (notebooks, CI logs)
 * redrawing is impossible and a start + end line per bar made a quick run's log 400+ lines of epoch
 * bars, so it prints at most one line per `everyMs` per bar (with ETA) and a final line only for bars
 * that printed one: a bar that finishes within `everyMs` prints nothing. Lines keep the
 * `label [███░░] v/t` shape that lib/viz's live progress board reads.
 */
export function progressBar(label: string, total: number, opts: ProgressOptions = {}): Progress {
  if (silent(opts)) return { tick: () => undefined, stop: () => undefined };
  const stream = opts.stream ?? process.stderr;
  if (stream.isTTY) return ttyBar(label, total, stream);
  const now = opts.now ?? Date.now;
  const every = everyMs(opts);
  const size = Math.max(total, 1);
  const t0 = now();
  let last = t0;
  let value = 0;
  let info = "";
  let printed = 0;
  let done = false;
  const line = (final: boolean) => {
    const elapsed = (now() - t0) / 1000;
    const filled = Math.round((BAR_WIDTH * Math.min(value, size)) / size);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const eta = final
      ? `done in ${formatSeconds(elapsed)}`
      : `ETA ${value > 0 ? formatSeconds((elapsed / value) * Math.max(size - value, 0)) : "?"}`;
    stream.write(`${label.padEnd(28)} [${bar}] ${value}/${size} | ${eta}${info ? ` | ${info}` : ""}\n`);
    printed++;
  };
  return {
    tick(n = 1, payload = {}) {
      if (done) return;
      value += n;
      if (Object.keys(payload).length) info = infoText(payload);
      const t = now();
      if (t - last >= every) {
        last = t;
        line(false);
      }
    },
    stop() {
      if (done) return;
      done = true;
      if (printed > 0) line(true);
    },
  };
}

function ttyBar(label: string, total: number, stream: ProgressStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(28)} [{bar}] {value}/{total} | ETA {eta_formatted} | {info}`,
      etaBuffer: 20,
      hideCursor: false,
      stream: stream as NodeJS.WritableStream,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { info: "" });
  let done = false;
  return {
    tick(n = 1, payload = {}) {
      bar.increment(n, { info: infoText(payload) });
    },
    stop() {
      if (done) return;
      done = true;
      bar.stop();
    },
  };
}

/** What one training unit (a model on one fold) ended with. */
export interface UnitSummary {
  readonly name: string;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestScore: number;
  readonly seconds: number;
  /** The unit was already finished in its checkpoint folder: nothing was trained now. */
  readonly resumedDone?: boolean;
}

/** One line per training unit (TTY or not): the record that stays when epoch bars print nothing. */
export function reportUnit(s: UnitSummary, opts: Pick<ProgressOptions, "quiet" | "stream"> = {}): void {
  if (silent(opts)) return;
  const best =
    s.bestEpoch >= 0 && Number.isFinite(s.bestScore)
      ? `best epoch ${s.bestEpoch + 1}/${s.epochs} score ${Number(s.bestScore.toPrecision(4))}`
      : `no scored epoch (${s.epochs} epochs)`;
  const how = s.resumedDone ? "loaded from its checkpoint" : `${formatSeconds(s.seconds)}`;
  (opts.stream ?? process.stderr).write(`${s.name}: ${best}, ${how}\n`);
}
