/**
 * Derive the label statistics the synthetic generator follows from the real train.csv:
 * per-column class counts, missing counts, ordinal thresholds of a unit-normal latent, and the 25x25
 * latent correlation (normal scores, corrected for the attenuation of coarse 3-class scoring, then
 * clipped to a valid correlation). Writes the small table lib/synth/label-stats.json (committed); the
 * CSV itself is never copied into the project.
 *
 *   npx tsx scripts/derive-label-stats.ts [path/to/train.csv]
 */
import path from "node:path";
import { writeFileSync } from "node:fs";
import { readCsv } from "../lib/util/csv";
import { LABEL_COLUMNS, severityFromLabel } from "../lib/data/schema";
import { normInv, normPdf } from "../lib/synth/normal";
import { clipToCorrelation } from "../lib/synth/linalg";

const file = process.argv[2] ?? path.resolve(__dirname, "../../shared/rsna2024-csv/train.csv");
const table = readCsv(file, ["study_id", ...LABEL_COLUMNS]);
const n = table.rows.length;

const columns = LABEL_COLUMNS.map((column) => {
  const counts = [0, 0, 0];
  let missing = 0;
  for (const r of table.rows) {
    const s = severityFromLabel(r.values[column]);
    if (s === undefined) missing++;
    else counts[s]++;
  }
  const total = counts[0] + counts[1] + counts[2];
  const t1 = normInv(counts[0] / total);
  const t2 = normInv((counts[0] + counts[1]) / total);
  // E[Z | class] for a unit normal cut at t1, t2: the "normal score" of each class.
  const cuts = [-Infinity, t1, t2, Infinity];
  const probs = counts.map((c) => c / total);
  const scores = probs.map((p, k) => (pdf(cuts[k]) - pdf(cuts[k + 1])) / p);
  const scoreVar = probs.reduce((s, p, k) => s + p * scores[k] * scores[k], 0);
  return { column, counts, missing, thresholds: [round(t1, 5), round(t2, 5)], scores, scoreVar };
});

function pdf(x: number): number {
  return Number.isFinite(x) ? normPdf(x) : 0;
}

// Normal scores per study; a missing label scores 0 (the latent mean), which only shrinks correlations.
const x = table.rows.map((r) =>
  columns.map((c) => {
    const s = severityFromLabel(r.values[c.column]);
    return s === undefined ? 0 : c.scores[s];
  }),
);
const k = columns.length;
const corr: number[][] = [];
for (let i = 0; i < k; i++) {
  corr.push([]);
  for (let j = 0; j < k; j++) {
    let sij = 0,
      sii = 0,
      sjj = 0;
    for (const row of x) {
      sij += row[i] * row[j];
      sii += row[i] * row[i];
      sjj += row[j] * row[j];
    }
    const r = sij / Math.sqrt(sii * sjj);
    // Disattenuate: corr(score, Z) = sqrt(Var(score)) for a normal-score coding of a cut normal.
    corr[i].push(
      i === j ? 1 : Math.max(-0.95, Math.min(0.95, r / Math.sqrt(columns[i].scoreVar * columns[j].scoreVar))),
    );
  }
}
const latent = clipToCorrelation(corr, 0.02);

const out = {
  source: "train.csv of RSNA 2024 Lumbar Spine Degenerative Classification (derived figures only)",
  studies: n,
  columns: columns.map(({ column, counts, missing, thresholds }) => ({
    column,
    counts,
    missing,
    thresholds,
  })),
  latentCorrelation: latent.map((r) => r.map((v) => round(v, 4))),
};
const target = path.resolve(__dirname, "../lib/synth/label-stats.json");
// Formatted as prettier formats the repository, so re-deriving leaves the committed file unchanged.
void import("prettier").then(async (prettier) => {
  writeFileSync(
    target,
    await prettier.format(JSON.stringify(out), { ...(await prettier.resolveConfig(target)), parser: "json" }),
  );
  console.log(`wrote ${target}: ${n} studies, ${k} columns`);
});

function round(v: number, d: number): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}
