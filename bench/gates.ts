import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { isProfile, PROFILES } from "../lib/config";
import { describeGates, GATE_MODES, type GateMode, type Gates } from "../lib/gates";
import { demoDataset } from "../lib/kernel/demo";
import { UsageError } from "../lib/util/errors";

interface Opts {
  data?: string;
  modes: string;
  out: string;
  profile: string;
  seed: number;
  json?: boolean;
}

/** One kernel run: a data set under one gate mode. */
export interface GatesBenchRow {
  data: string;
  mode: GateMode;
  testScore: number | null;
  priorScore: number | null;
  oracleScore: number | null;
  /** test / prior: what the issue's bar is stated in. */
  testOverPrior: number | null;
  cvHonestScore: number | null;
  cvPrior: number | null;
  gates: string;
  /** Out-of-fold point errors per family, median / p90 mm. */
  points: Record<string, string>;
  wallS: number;
  cpuS: number;
  load1Start: number;
}

/**
 * `lumbar bench gates`: the kernel on each data set with its gates decided out of fold ("auto"),
 * against its peers, every optional part on ("all-on": the kernel before the gates) and none
 * ("baseline"), one fresh process per run, one after the other. Stage 1 does not depend on the gates:
 * after the first mode of a data set its stage 1 units and training-input cache are copied into the
 * next modes' folders, which then train only what the gates change (so their wall times are not
 * comparable to the first one's).
 */
export function gatesBench(): Command {
  const cmd = new Command("gates")
    .description(
      "test scores of the kernel with its gates, every part on, and none, on one or more data sets",
    )
    .option("--data <dirs>", "comma-separated competition-layout folders (default: the cached demo set)")
    .option("--modes <list>", `comma-separated of ${GATE_MODES.join("|")}`, GATE_MODES.join(","))
    .option(
      "--out <dir>",
      "scratch folder (one subfolder per data set and mode)",
      path.join("out", "bench-gates"),
    )
    .option("--profile <name>", PROFILES.join("|"), "quick")
    .option("--seed <n>", "seed of every run", intOption("seed"), 42)
    .option("--json", "one JSON object per run");
  return withRun<Opts>(cmd, async (opts) => {
    if (!isProfile(opts.profile)) throw new UsageError(`--profile must be one of ${PROFILES.join("|")}`);
    const modes = opts.modes.split(",").map((m) => m.trim());
    for (const m of modes)
      if (!(GATE_MODES as readonly string[]).includes(m))
        throw new UsageError(`--modes: "${m}" is not one of ${GATE_MODES.join("|")}`);
    const sets = opts.data ? opts.data.split(",").map((d) => path.resolve(d)) : [await demoDataset()];
    for (const data of sets) {
      let first: string | null = null;
      for (const mode of modes as GateMode[]) {
        const out = path.resolve(opts.out, `${path.basename(data)}-${mode}`);
        rmSync(out, { recursive: true, force: true });
        if (first) copyStage1(first, out);
        const row = runMode(data, mode, out, opts);
        first ??= out;
        console.log(opts.json ? JSON.stringify(row) : formatRow(row));
      }
    }
    return 0;
  });
}

/** Stage 1's finished units and the training-input cache of an earlier run of the same data and seed. */
function copyStage1(from: string, to: string): void {
  const stage1 = readdirSync(path.join(from, "checkpoints")).filter(
    (u) => u === "localizer" || u.endsWith("-points"),
  );
  for (const u of stage1)
    cpSync(path.join(from, "checkpoints", u), path.join(to, "checkpoints", u), { recursive: true });
  cpSync(path.join(from, "cache"), path.join(to, "cache"), { recursive: true });
}

/** One kernel run in a fresh process; its report.json read back. */
function runMode(data: string, mode: GateMode, out: string, opts: Opts): GatesBenchRow {
  const load1Start = os.loadavg()[0];
  const started = Date.now();
  const args = [path.join(__dirname, "..", "bin", "lumbar.js"), "kernel", "--data", data, "--out", out];
  args.push("--profile", opts.profile, "--seed", String(opts.seed), "--gates", mode, "--quiet");
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
  const file = path.join(out, "report.json");
  if (r.status !== 0 || !existsSync(file))
    throw new Error(`kernel --gates ${mode} on ${data} exited ${r.status}`);
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    testScore: number | null;
    priorScore: number | null;
    oracleScore: number | null;
    cvHonestScore: number | null;
    cv: { prior: { score: number } | null };
    gates: { decisions: Gates };
    localization: { oofTrain: Record<string, { medianMm: number | null; p90Mm: number | null }> };
    cpuSeconds: Record<string, number>;
  };
  const mm = (v: number | null) => (v === null ? "n/a" : v.toFixed(2));
  return {
    data: path.basename(data),
    mode,
    testScore: report.testScore,
    priorScore: report.priorScore,
    oracleScore: report.oracleScore,
    testOverPrior:
      report.testScore !== null && report.priorScore ? round(report.testScore / report.priorScore, 3) : null,
    cvHonestScore: report.cvHonestScore,
    cvPrior: report.cv.prior?.score ?? null,
    gates: describeGates(report.gates.decisions),
    points: Object.fromEntries(
      Object.entries(report.localization.oofTrain).map(([f, e]) => [f, `${mm(e.medianMm)} / ${mm(e.p90Mm)}`]),
    ),
    wallS: round((Date.now() - started) / 1000),
    cpuS: round(Object.values(report.cpuSeconds).reduce((a, b) => a + b, 0)),
    load1Start: round(load1Start),
  };
}

function formatRow(r: GatesBenchRow): string {
  const f = (v: number | null) => (v === null ? "n/a" : v.toFixed(4));
  return (
    `${r.data} --gates ${r.mode}: test ${f(r.testScore)} prior ${f(r.priorScore)} (x${r.testOverPrior ?? "n/a"}) ` +
    `oracle ${f(r.oracleScore)}; honest cv ${f(r.cvHonestScore)} (prior ${f(r.cvPrior)}); ` +
    `points median / p90 mm ${Object.entries(r.points)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}; wall ${r.wallS} s, cpu ${r.cpuS} s, load ${r.load1Start}\n  gates: ${r.gates}`
  );
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
