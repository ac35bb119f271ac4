import stats from "./label-stats.json";
import { LABEL_COLUMNS, TARGETS, type SeverityIndex } from "../data/schema";
import type { Rng } from "../util/rng";
import { normCdf } from "./normal";
import { cholesky, clipToCorrelation, type Matrix } from "./linalg";

/**
 * Labels from a latent continuous narrowing per target (condition x level).
 *
 * Each study draws z ~ N(0, Σz) (25 targets). The image shows z exactly (through `narrowing(z)`).
 * A rater sees y = a·z + s·e (e ~ N(0,1), a² + s² = 1) and labels it by the real per-column
 * thresholds, so label marginals and co-occurrence follow the real train.csv while labels are
 * sometimes "wrong" against the image. The Bayes-optimal prediction given the image is then
 * P(k | z) = Φ((t_k − a z)/s) − Φ((t_{k−1} − a z)/s).
 */
export interface LabelStats {
  readonly studies: number;
  readonly columns: readonly { column: string; counts: number[]; missing: number; thresholds: number[] }[];
  readonly latentCorrelation: Matrix;
}

export const LABEL_STATS: LabelStats = stats as LabelStats;

/** Rater noise as a fraction of the label latent's variance (s²). Sets how far the oracle beats the prior. */
export const DEFAULT_RATER_NOISE = 0.12;

export interface StudyLabels {
  /** Latent narrowing z per target, TARGETS order (what the image shows). */
  readonly latent: number[];
  /** Rendered narrowing in [0, 1] per target: 0.4 at the moderate cut, 0.7 at the severe cut. */
  readonly narrowing: number[];
  /** Rater's label per target, null when the label is missing. */
  readonly labels: (SeverityIndex | null)[];
  /** Bayes-optimal P(normal_mild, moderate, severe | z) per target. */
  readonly oracle: [number, number, number][];
}

export class LabelModel {
  private readonly a: number;
  private readonly s: number;
  private readonly chol: Matrix;
  private readonly thresholds: [number, number][];
  private readonly missing: { both: number[]; leftOnly: number[]; rightOnly: number[] };

  constructor(
    readonly stat: LabelStats = LABEL_STATS,
    readonly raterNoise = DEFAULT_RATER_NOISE,
  ) {
    this.s = Math.sqrt(raterNoise);
    this.a = Math.sqrt(1 - raterNoise);
    const cols = stat.columns.map((c) => c.column);
    if (cols.join() !== LABEL_COLUMNS.join())
      throw new RangeError("label stats columns are not in train.csv order");
    this.thresholds = stat.columns.map((c) => [c.thresholds[0], c.thresholds[1]]);
    // Corr(y) = R; y = a z + s e  =>  Corr(z) off-diagonal = R / a²; clipped back to a valid correlation.
    const r = stat.latentCorrelation;
    const sigma = r.map((row, i) =>
      row.map((v, j) => (i === j ? 1 : Math.max(-0.98, Math.min(0.98, v / (this.a * this.a))))),
    );
    this.chol = cholesky(clipToCorrelation(sigma, 0.01));
    this.missing = missingRates(stat);
  }

  /** Draw one study's latent, labels (with the real missing pattern) and oracle probabilities. */
  sample(rng: Rng): StudyLabels {
    const n = TARGETS.length;
    const e = Array.from({ length: n }, () => rng.normal());
    const latent = this.chol.map((row) => row.reduce((acc, l, j) => acc + l * e[j], 0));
    const labels: (SeverityIndex | null)[] = latent.map((z, i) => {
      const y = this.a * z + this.s * rng.normal();
      const [t1, t2] = this.thresholds[i];
      return y < t1 ? 0 : y < t2 ? 1 : 2;
    });
    this.dropMissing(labels, rng);
    return {
      latent,
      narrowing: latent.map((z, i) => this.narrowing(i, z)),
      labels,
      oracle: latent.map((z, i) => this.oracle(i, z)),
    };
  }

  oracle(target: number, z: number): [number, number, number] {
    const [t1, t2] = this.thresholds[target];
    const c1 = normCdf((t1 - this.a * z) / this.s);
    const c2 = normCdf((t2 - this.a * z) / this.s);
    return [c1, Math.max(0, c2 - c1), 1 - c2];
  }

  /** Monotone map z -> rendered narrowing, anchored at the column's cuts so each grade looks different. */
  narrowing(target: number, z: number): number {
    const [t1, t2] = this.thresholds[target].map((t) => t / this.a);
    const knots: [number, number][] = [
      [t1 - 3, 0],
      [t1, 0.4],
      [t2, 0.7],
      [t2 + 1.5, 0.97],
    ];
    if (z <= knots[0][0]) return 0;
    for (let k = 1; k < knots.length; k++) {
      const [x0, y0] = knots[k - 1];
      const [x1, y1] = knots[k];
      if (z <= x1) return y0 + ((y1 - y0) * (z - x0)) / (x1 - x0);
    }
    return 0.97;
  }

  /** Missing labels: real per-column rates, left and right of a bilateral pair mostly missing together. */
  private dropMissing(labels: (SeverityIndex | null)[], rng: Rng): void {
    const { both, leftOnly, rightOnly } = this.missing;
    for (let i = 0; i < TARGETS.length; i++) {
      const t = TARGETS[i];
      if (t.condition.startsWith("right_")) continue;
      const u = rng.next();
      if (t.condition.startsWith("left_")) {
        const right = TARGETS.findIndex(
          (r) => r.level === t.level && r.condition === t.condition.replace("left_", "right_"),
        );
        if (u < both[i]) labels[i] = labels[right] = null;
        else if (u < both[i] + leftOnly[i]) labels[i] = null;
        else if (u < both[i] + leftOnly[i] + rightOnly[i]) labels[right] = null;
      } else if (u < both[i]) labels[i] = null;
    }
  }
}

function missingRates(stat: LabelStats) {
  const n = stat.studies;
  const rate = stat.columns.map((c) => c.missing / n);
  const both = rate.map(() => 0);
  const leftOnly = rate.map(() => 0);
  const rightOnly = rate.map(() => 0);
  TARGETS.forEach((t, i) => {
    if (t.condition.startsWith("right_")) return;
    if (!t.condition.startsWith("left_")) {
      both[i] = rate[i];
      return;
    }
    const right = TARGETS.findIndex(
      (r) => r.level === t.level && r.condition === t.condition.replace("left_", "right_"),
    );
    both[i] = Math.min(rate[i], rate[right]);
    leftOnly[i] = rate[i] - both[i];
    rightOnly[i] = rate[right] - both[i];
  });
  return { both, leftOnly, rightOnly };
}
