import { describe, expect, it } from "vitest";
import { formatSeconds, progressBar, reportUnit, type ProgressStream } from "../../lib/util/progress";
import { progressKey } from "../../lib/viz/live-progress";

/** A non-TTY stream that keeps every line, and a clock the test moves. */
function fakes(isTTY = false) {
  const lines: string[] = [];
  let raw = "";
  const stream: ProgressStream = {
    isTTY,
    write(chunk: string) {
      raw += chunk;
      lines.push(...chunk.split("\n").filter((l) => l.length));
      return true;
    },
  };
  const clock = { t: 1_000_000 };
  return { lines, stream, clock, now: () => clock.t, raw: () => raw };
}

/** Run a bar of `steps` ticks, `msPerStep` apart. */
function runBar(
  f: ReturnType<typeof fakes>,
  label: string,
  steps: number,
  msPerStep: number,
  everyMs = 30_000,
) {
  const bar = progressBar(label, steps, { stream: f.stream, now: f.now, everyMs });
  for (let i = 0; i < steps; i++) {
    f.clock.t += msPerStep;
    bar.tick(1, { loss: 1 / (i + 1) });
  }
  bar.stop();
}

describe("progressBar without a TTY", () => {
  it("prints nothing for a bar that finishes within the interval", () => {
    const f = fakes();
    runBar(f, "spinal f0 epoch 1/20", 50, 100); // 5 s
    expect(f.lines).toEqual([]);
  });

  it("a 100 s bar prints one line per 30 s with ETA, then one final line", () => {
    const f = fakes();
    runBar(f, "prepare train (pass 1)", 100, 1000);
    expect(f.lines.length).toBe(3 + 1); // at 30, 60, 90 s; then done
    expect(f.lines[0]).toMatch(
      /^prepare train \(pass 1\)\s+\[█{6}░{14}\] 30\/100 \| ETA 1m10s \| loss 0\.03333$/,
    );
    expect(f.lines[2]).toContain("90/100 | ETA 10s");
    expect(f.lines[3]).toMatch(/\[█{20}\] 100\/100 \| done in 1m40s/);
    // The notebook's live board folds these lines into one row per bar.
    expect(new Set(f.lines.map(progressKey))).toEqual(new Set(["prepare train (pass 1)"]));
  });

  it("a quick run's worth of short epoch bars leaves one summary line per unit", () => {
    const f = fakes();
    // 4 models x 5 folds x 20 epochs of 8 s each: cli-progress's start + end lines made this 800 lines.
    for (let unit = 0; unit < 20; unit++) {
      for (let e = 0; e < 20; e++) runBar(f, `unit ${unit} epoch ${e + 1}/20`, 4, 2000);
      reportUnit(
        { name: `unit ${unit}`, epochs: 20, bestEpoch: 17, bestScore: 0.51234, seconds: 160 },
        { stream: f.stream },
      );
    }
    expect(f.lines.length).toBe(20);
    expect(f.lines[0]).toBe("unit 0: best epoch 18/20 score 0.5123, 2m40s");
  });

  it("says how a finished unit was loaded, and when no epoch was scored", () => {
    const f = fakes();
    reportUnit(
      { name: "a", epochs: 3, bestEpoch: 2, bestScore: 1.5, seconds: 0, resumedDone: true },
      { stream: f.stream },
    );
    reportUnit(
      { name: "b", epochs: 3, bestEpoch: -1, bestScore: Infinity, seconds: 42 },
      { stream: f.stream },
    );
    expect(f.lines).toEqual([
      "a: best epoch 3/3 score 1.5, loaded from its checkpoint",
      "b: no scored epoch (3 epochs), 42s",
    ]);
  });

  it("quiet prints nothing, however long the bar runs", () => {
    const f = fakes();
    const bar = progressBar("x", 10, { stream: f.stream, now: f.now, everyMs: 1000, quiet: true });
    for (let i = 0; i < 10; i++) {
      f.clock.t += 5000;
      bar.tick();
    }
    bar.stop();
    reportUnit(
      { name: "x", epochs: 1, bestEpoch: 0, bestScore: 1, seconds: 1 },
      { stream: f.stream, quiet: true },
    );
    expect(f.lines).toEqual([]);
  });
});

describe("progressBar on a TTY", () => {
  it("draws cli-progress's live bar (redrawn in place), not log lines", () => {
    const f = fakes(true);
    const stream = Object.assign(f.stream, {
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const bar = progressBar("tty bar", 3, { stream });
    bar.tick();
    bar.stop();
    expect(f.raw()).toContain("tty bar");
    expect(f.raw()).toContain("1/3");
    expect(f.raw()).toContain("\u001b[1G"); // back to column 1: the bar is redrawn in place
  });
});

describe("formatSeconds", () => {
  it("uses s, m and h units", () => {
    expect([formatSeconds(0.4), formatSeconds(59.6), formatSeconds(185), formatSeconds(3725)]).toEqual([
      "0s",
      "1m00s",
      "3m05s",
      "1h02m",
    ]);
  });
});
