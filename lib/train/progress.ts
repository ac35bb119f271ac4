import cliProgress from "cli-progress";

export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar with ETA that also works without a TTY (notebooks, CI logs): noTTYOutput prints a
 * line every few seconds instead of redrawing. `quiet` (tests) turns it off.
 */
export function progressBar(label: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet || process.env.LUMBAR_QUIET === "1") return { tick: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(28)} [{bar}] {value}/{total} | ETA {eta_formatted} | {info}`,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 20,
      hideCursor: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { info: "" });
  let done = false;
  return {
    tick(n = 1, payload = {}) {
      const info = Object.entries(payload)
        .map(([k, v]) => `${k} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
        .join(" ");
      bar.increment(n, { info });
    },
    stop() {
      if (done) return;
      done = true;
      bar.stop();
    },
  };
}
