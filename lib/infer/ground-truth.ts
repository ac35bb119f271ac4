import { existsSync } from "node:fs";
import { join } from "node:path";
import { LEVELS, levelFromTitle, type Level } from "../data/schema";
import { labelsByRowId, loadTrainLabels } from "../data/train-labels";
import { scoreSubmission, type MetricResult, type Probs3 } from "../metric";
import { priorPredictions, readPredictions, type PriorModel } from "../submit";
import type { Vec3 } from "../geometry";
import { readCsv } from "../util/csv";
import { errorSummary } from "../gates";

export interface GroundTruthReport {
  readonly test: MetricResult | null;
  readonly prior: MetricResult | null;
  readonly oracle: MetricResult | null;
  /** Level points vs the generator's disc centres (after the mean train offset canal point -> centre). */
  readonly localization: (ReturnType<typeof errorSummary> & { meanOffsetToDiscCentreMm: number[] }) | null;
}

/**
 * Scores against DIR/ground_truth (written by lib/synth; absent on the real competition data, where
 * this returns null): our test predictions, the prior and the generator's Bayes oracle on the same
 * rows, and the level localization error against the true level centres.
 */
export function groundTruthScores(
  data: string,
  predictions: ReadonlyMap<string, Probs3>,
  prior: PriorModel,
  studies: readonly number[],
  levels: ReadonlyMap<number, readonly Vec3[]>,
  trainSpinal: ReadonlyMap<number, readonly (Vec3 | null)[]> = new Map(),
): GroundTruthReport | null {
  const dir = join(data, "ground_truth");
  const labelsFile = join(dir, "test_labels.csv");
  if (!existsSync(labelsFile)) return null;
  const labels = labelsByRowId(loadTrainLabels(labelsFile));
  const score = (p: ReadonlyMap<string, Probs3>) => (labels.size ? scoreSubmission(labels, p) : null);
  const oracleFile = join(dir, "oracle.csv");
  const oracle = existsSync(oracleFile) ? score(readPredictions(oracleFile)) : null;
  const levelsFile = join(dir, "levels.csv");
  let localization: GroundTruthReport["localization"] = null;
  if (existsSync(levelsFile)) {
    const truth = readLevelCentres(levelsFile);
    // Our level point is the labelled spinal-canal point; the generator's centre is the disc's.
    // The mean train offset from one to the other (per level) makes the two comparable.
    const offsets = LEVELS.map((level, k) => {
      const d: Vec3[] = [];
      for (const [studyId, pts] of trainSpinal) {
        const t = truth.get(`${studyId}/${level}`);
        const p = pts[k];
        if (t && p) d.push([t[0] - p[0], t[1] - p[1], t[2] - p[2]]);
      }
      return d.length
        ? ([0, 1, 2].map((i) => d.reduce((s, v) => s + v[i], 0) / d.length) as Vec3)
        : ([0, 0, 0] as Vec3);
    });
    const errs: number[] = [];
    for (const [studyId, pts] of levels) {
      pts.forEach((p, k) => {
        const t = truth.get(`${studyId}/${LEVELS[k]}`);
        const o = offsets[k];
        if (t) errs.push(Math.hypot(p[0] + o[0] - t[0], p[1] + o[1] - t[1], p[2] + o[2] - t[2]));
      });
    }
    localization = { ...errorSummary(errs), meanOffsetToDiscCentreMm: offsets.map((o) => Math.hypot(...o)) };
  }
  return { test: score(predictions), prior: score(priorPredictions(prior, studies)), oracle, localization };
}

/** levels.csv: study_id, level (l1_l2 or "L1/L2"), and the centre's LPS x, y, z in mm. */
export function readLevelCentres(file: string): Map<string, Vec3> {
  const table = readCsv(file, ["study_id", "level"]);
  const col = (axis: string) =>
    table.header.find((h) => [axis, `${axis}_mm`, `lps_${axis}`, `${axis}_lps`].includes(h.toLowerCase()));
  const [cx, cy, cz] = ["x", "y", "z"].map(col);
  const out = new Map<string, Vec3>();
  if (!cx || !cy || !cz) return out;
  for (const { values } of table.rows) {
    const level: Level | undefined = (LEVELS as readonly string[]).includes(values.level)
      ? (values.level as Level)
      : levelFromTitle(values.level);
    if (!level) continue;
    out.set(`${values.study_id}/${level}`, [Number(values[cx]), Number(values[cy]), Number(values[cz])]);
  }
  return out;
}
