/**
 * What the notebooks share: their parameters (from LUMBAR_* environment variables, which
 * `npx lumbar notebooks` sets, with interactive defaults) and the tables of a run's report, so
 * each notebook cell stays one or two calls.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureDemoDataset, ensureSmokeDataset } from "../synth/demo";
import { isProfile, type Profile, type TrainConfig } from "../config";
import { showTable } from "./table";
import { showMarkdown } from "./display";
import { UsageError } from "../util/errors";
import { readEnv } from "../util/env";

export interface NotebookParams {
  /** LUMBAR_PROFILE: smoke | quick | full (default quick). */
  readonly profile: Profile;
  /** LUMBAR_SEED (default 42). */
  readonly seed: number;
  /** LUMBAR_DATA, else the cached synthetic set (the tiny smoke set on the smoke profile). */
  readonly dataDir: string;
  /** LUMBAR_OUT, else ../out/notebooks from the notebook folder. */
  readonly outDir: string;
  /** The training run's folder: checkpoints, JSONL log, out-of-fold predictions, submission. */
  readonly runDir: string;
}

/** Resolve the notebooks' parameters; generates the synthetic data set on first use. */
export async function notebookParams(env: NodeJS.ProcessEnv = process.env): Promise<NotebookParams> {
  const profile = readEnv("LUMBAR_PROFILE", env) ?? "quick";
  if (!isProfile(profile))
    throw new UsageError(`LUMBAR_PROFILE must be smoke, quick or full, got "${profile}"`);
  const seedText = readEnv("LUMBAR_SEED", env) ?? "42";
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) throw new UsageError(`LUMBAR_SEED must be an integer, got "${seedText}"`);
  const data = readEnv("LUMBAR_DATA", env);
  const dataDir = data
    ? resolve(data)
    : profile === "smoke"
      ? await ensureSmokeDataset()
      : await ensureDemoDataset();
  const outDir = resolve(readEnv("LUMBAR_OUT", env) ?? "../out/notebooks");
  return { profile, seed, dataDir, outDir, runDir: join(outDir, `run-${profile}`) };
}

/** The settings of a training configuration worth reading before a run. */
export function showConfig(config: TrainConfig): void {
  const loc = config.localizer;
  const cls = config.classifier;
  const crops = Object.entries(cls.crops).map(
    ([f, c]) => `${f} ${c.sizeMm} mm × ${2 * c.slicesEachSide + 1} slices`,
  );
  showTable(
    ["setting", "value"],
    [
      ["folds (grouped by study)", config.folds],
      ["train studies (at most)", config.maxTrainStudies ?? "all"],
      ["localizer: input, filters, epochs", `${loc.inputPx} px, ${loc.filters.join("-")}, ${loc.epochs}`],
      ["classifier: crop, filters, epochs", `${cls.cropPx} px, ${cls.filters.join("-")}, ${cls.epochs}`],
      ["crops", crops.join("; ")],
      ["early-stopping patience (epochs)", config.patience],
      ["flip TTA", config.tta ? "yes" : "no"],
    ],
    { caption: `Profile ${config.profile}, seed ${config.seed}` },
  );
}

interface ErrorSummary {
  readonly n: number;
  readonly medianMm: number | null;
  readonly p90Mm: number | null;
}

/** Localization errors (mm) per family from a kernel report's `localization` section. */
export function showLocalization(localization: Readonly<Record<string, unknown>>): void {
  const sections = Object.entries(localization) as [string, ErrorSummary | Record<string, ErrorSummary>][];
  const rows = sections.flatMap(([where, v]) =>
    "n" in v && typeof v.n === "number"
      ? [[where, "all", v.n, v.medianMm, v.p90Mm]]
      : Object.entries(v as Record<string, ErrorSummary>).map(([family, e]) => [
          where,
          family,
          e.n,
          e.medianMm,
          e.p90Mm,
        ]),
  );
  showTable(
    ["set", "family", "points", "median (mm)", "90th pct (mm)"],
    rows as (string | number | null)[][],
    {
      caption: "Localization error",
      digits: 1,
    },
  );
}

export function showTimings(timings: Readonly<Record<string, number>>, caption = "Timings"): void {
  showTable(["stage", "seconds"], Object.entries(timings), { caption, digits: 1 });
}

/** The checkpoint folders of a run: one per model, one sub-folder per fold. */
export function showCheckpoints(runDir: string): void {
  const dir = join(runDir, "checkpoints");
  const models = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  const folds = (name: string) => readdirSync(join(dir, name)).filter((f) => /^fold\d+$/.test(f)).length;
  showTable(
    ["model", "folds"],
    models.map((d) => [d.name, folds(d.name)]),
    { caption: `Checkpoints in ${dir}` },
  );
}

export interface Fallback {
  readonly studyId: number;
  readonly rows: number;
  readonly reason: string;
}

/** Rows predicted by the prior instead of a model, with the reasons. */
export function showFallbacks(fallbacks: readonly Fallback[], totalRows: number): void {
  const rows = fallbacks.reduce((s, f) => s + f.rows, 0);
  const share = totalRows ? ((100 * rows) / totalRows).toFixed(1) : "0";
  showMarkdown(`**${rows} of ${totalRows} rows (${share}%) use the class prior.**`);
  if (fallbacks.length)
    showTable(
      ["study", "rows", "reason"],
      fallbacks.map((f) => [f.studyId, f.rows, f.reason]),
      { caption: "Fallbacks" },
    );
}
