/**
 * Would a calibration fitted on a kernel run's out-of-fold predictions help its test score? Per
 * condition family, a temperature and a log-bias for Moderate and Severe (the any-severe-spinal term
 * follows the spinal one), fitted by coordinate descent on the competition metric. Judged honestly:
 * nested over 5 study groups of the out-of-fold rows (fit on four, score the fifth), then fitted on
 * all of them and applied to the run's test submission, scored against the synthetic ground truth.
 *
 *   npx tsx scripts/oof-calibration.ts DATA RUN [RUN...]   # RUN: a `lumbar kernel --out` folder
 */
import { join } from "node:path";
import { CONDITION_INFO, FAMILIES, parseRowId, type Family, type SeverityIndex } from "../lib/data/schema";
import { labelsByRowId, loadTrainLabels } from "../lib/data/train-labels";
import { scoreSubmission, type Probs3 } from "../lib/metric";
import { readPredictions } from "../lib/submit";

type Labels = Map<string, SeverityIndex>;
/** Per family: log-temperature, log-bias of Moderate, log-bias of Severe. */
type Calibration = Record<Family, number[]>;

const familyOf = (rowId: string) => CONDITION_INFO[parseRowId(rowId)!.target.condition].family;
const studyOf = (rowId: string) => parseRowId(rowId)!.studyId;

function calibrate(p: ReadonlyMap<string, Probs3>, c: Calibration): Map<string, Probs3> {
  const out = new Map<string, Probs3>();
  for (const [id, q] of p) {
    const [logT, b1, b2] = c[familyOf(id)];
    const logits = q.map((v, k) => Math.log(Math.max(v, 1e-12)) / Math.exp(logT) + [0, b1, b2][k]);
    const top = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - top));
    const s = e[0] + e[1] + e[2];
    out.set(id, [e[0] / s, e[1] / s, e[2] / s]);
  }
  return out;
}

/** Coordinate descent on the metric (a small ridge keeps it near the identity on few studies). */
function fit(labels: Labels, p: ReadonlyMap<string, Probs3>): Calibration {
  const c = Object.fromEntries(FAMILIES.map((f) => [f, [0, 0, 0]])) as Calibration;
  const ridge = () => FAMILIES.reduce((s, f) => s + c[f].reduce((a, v) => a + v * v, 0), 0);
  const loss = () => scoreSubmission(labels, calibrate(p, c)).score + 0.01 * ridge();
  let best = loss();
  for (let step = 0.5; step > 0.01; step /= 2)
    for (let pass = 0; pass < 4; pass++)
      for (const f of FAMILIES)
        for (let i = 0; i < 3; i++)
          for (const d of [step, -step]) {
            c[f][i] += d;
            const v = loss();
            if (v < best) best = v;
            else c[f][i] -= d;
          }
  return c;
}

const only = (labels: Labels, keep: (study: number) => boolean): Labels =>
  new Map([...labels].filter(([id]) => keep(studyOf(id))));

const [data, ...runs] = process.argv.slice(2);
if (!data || runs.length === 0) throw new Error("usage: oof-calibration.ts DATA RUN [RUN...]");
const trainLabels = labelsByRowId(loadTrainLabels(join(data, "train.csv")));
const testLabels = labelsByRowId(loadTrainLabels(join(data, "ground_truth", "test_labels.csv")));
for (const run of runs) {
  const oof = readPredictions(join(run, "oof.csv"));
  const test = readPredictions(join(run, "submission.csv"));
  const studies = [...new Set([...oof.keys()].map(studyOf))].sort((a, b) => a - b);
  const group = new Map(studies.map((s, i) => [s, i % 5]));
  const labels = only(trainLabels, (s) => group.has(s));
  const nested = new Map<string, Probs3>();
  for (let g = 0; g < 5; g++) {
    const c = fit(
      only(labels, (s) => group.get(s) !== g),
      oof,
    );
    for (const [id, q] of calibrate(oof, c)) if (group.get(studyOf(id)) === g) nested.set(id, q);
  }
  const c = fit(labels, oof);
  const r = (x: number) => x.toFixed(3);
  console.log(
    `${run}: out of fold ${r(scoreSubmission(labels, oof).score)} -> ${r(scoreSubmission(labels, nested).score)} (nested);` +
      ` test ${r(scoreSubmission(testLabels, test).score)} -> ${r(scoreSubmission(testLabels, calibrate(test, c)).score)};` +
      ` fitted ${JSON.stringify(Object.fromEntries(FAMILIES.map((f) => [f, c[f].map((v) => +v.toFixed(2))])))}`,
  );
}
