import {
  CONDITION_INFO,
  SEVERITY_WEIGHTS,
  TARGETS,
  rowId,
  type Condition,
  type SeverityIndex,
  type Target,
} from "../data/schema";
import { weightedLogLoss, type Probs3 } from "../metric/log-loss";
import { priorFor, type PriorModel } from "./prior";

/**
 * A study that lacks one series type still has the others: without Sagittal T1 its foraminal rows,
 * without Axial T2 its subarticular rows, are predicted from the same study's other families at the
 * same level and side (stenosis at one place of a level goes with stenosis at the others), on top of
 * the class prior, instead of the flat prior alone. One multinomial logistic model per family.
 */
export const CROSS_FAMILIES = ["foraminal", "subarticular"] as const;
export type CrossFamily = (typeof CROSS_FAMILIES)[number];

/** Per family: log-odds offsets of Moderate and Severe over the prior, bias then feature weights. */
export interface CrossFamilyModel {
  readonly families: Readonly<
    Record<CrossFamily, { readonly moderate: number[]; readonly severe: number[] }>
  >;
}

/** Feature conditions of a target: the spinal row, then the other side-family's row of its side. */
function evidenceOf(condition: Condition): Condition[] | null {
  const info = CONDITION_INFO[condition];
  if (info.family === "spinal" || !info.side) return null;
  const other = info.family === "foraminal" ? "subarticular_stenosis" : "neural_foraminal_narrowing";
  return ["spinal_canal_stenosis", `${info.side}_${other}` as Condition];
}

/** Log-odds of Moderate and Severe vs Normal/Mild of each evidence row, /4 (0, 0 when absent); null: none. */
export function crossFamilyFeatures(
  predicted: ReadonlyMap<string, Probs3>,
  studyId: number,
  target: Pick<Target, "condition" | "level">,
): number[] | null {
  const evidence = evidenceOf(target.condition);
  if (!evidence) return null;
  let any = false;
  const x = evidence.flatMap((condition) => {
    const q = predicted.get(rowId(studyId, { condition, level: target.level }));
    if (!q || !(q[0] > 0)) return [0, 0];
    any = true;
    // On the scale of the bias (log-odds reach +-10), which keeps the L2 even-handed.
    return [Math.log(q[1] / q[0]) / 4, Math.log(q[2] / q[0]) / 4];
  });
  return any ? x : null;
}

function probsOf(prior: Probs3, w: CrossFamilyModel["families"][CrossFamily], x: readonly number[]): Probs3 {
  const lin = (p: readonly number[]) => p[0] + x.reduce((s, v, j) => s + v * p[j + 1], 0);
  const z = [Math.log(prior[0]), Math.log(prior[1]) + lin(w.moderate), Math.log(prior[2]) + lin(w.severe)];
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e[0] + e[1] + e[2];
  return [e[0] / sum, e[1] / sum, e[2] / sum];
}

/** The row's prediction from the study's other families, or null when none of them was predicted. */
export function predictCrossFamily(
  model: CrossFamilyModel,
  prior: PriorModel,
  predicted: ReadonlyMap<string, Probs3>,
  studyId: number,
  target: Pick<Target, "condition" | "level">,
): Probs3 | null {
  const family = CONDITION_INFO[target.condition].family;
  if (family === "spinal") return null;
  const x = crossFamilyFeatures(predicted, studyId, target);
  return x && probsOf(priorFor(prior, target), model.families[family], x);
}

interface Row {
  readonly prior: Probs3;
  readonly x: number[];
  readonly label: SeverityIndex;
}

/** The metric's family term (weights 1/2/4 by the true class) of rows with their predictions. */
function weightedFamilyLoss(rows: readonly (Row & { probs: Probs3 })[]): number {
  return weightedLogLoss(
    rows.map((r) => ({ probs: r.probs, label: r.label, weight: SEVERITY_WEIGHTS[r.label] })),
  );
}

/** The labelled rows of `family` whose evidence was predicted, for these studies. */
function rowsOf(
  family: CrossFamily,
  predicted: ReadonlyMap<string, Probs3>,
  labels: ReadonlyMap<string, SeverityIndex>,
  prior: PriorModel,
  studies: readonly number[],
): Row[] {
  const targets = TARGETS.filter((t) => CONDITION_INFO[t.condition].family === family);
  return studies.flatMap((studyId) =>
    targets.flatMap((t) => {
      const label = labels.get(rowId(studyId, t));
      const x = crossFamilyFeatures(predicted, studyId, t);
      return label === undefined || !x ? [] : [{ prior: priorFor(prior, t), x, label }];
    }),
  );
}

/**
 * Fit one family's model on out-of-fold rows: the metric's weighted log loss (1/2/4) plus a small L2,
 * by Newton's method from zero (the prior itself): 10 parameters, a few iterations at any data size.
 */
function fitFamily(rows: readonly Row[]): CrossFamilyModel["families"][CrossFamily] {
  const width = 5; // bias + 4 features
  const theta = new Array<number>(2 * width).fill(0); // moderate's, then severe's
  const model = () => ({ moderate: theta.slice(0, width), severe: theta.slice(width) });
  const total = rows.reduce((s, r) => s + SEVERITY_WEIGHTS[r.label], 0);
  if (total === 0) return model();
  const l2 = 0.01;
  for (let it = 0; it < 50; it++) {
    const grad = theta.map((t) => l2 * t);
    const hess = theta.map((_, i) => theta.map((__, j) => (i === j ? l2 : 0)));
    const current = model();
    for (const r of rows) {
      const q = probsOf(r.prior, current, r.x);
      const z = [1, ...r.x];
      const scale = SEVERITY_WEIGHTS[r.label] / total;
      for (let a = 0; a < 2; a++) {
        const ka = a + 1;
        const d = (q[ka] - (r.label === ka ? 1 : 0)) * scale;
        for (let i = 0; i < width; i++) grad[a * width + i] += d * z[i];
        for (let b = 0; b < 2; b++) {
          const kb = b + 1;
          const h = scale * q[ka] * ((ka === kb ? 1 : 0) - q[kb]);
          for (let i = 0; i < width; i++)
            for (let j = 0; j < width; j++) hess[a * width + i][b * width + j] += h * z[i] * z[j];
        }
      }
    }
    // Damped: halve the step until the loss goes down (a full step can overshoot far from the optimum).
    const step = solve(hess, grad);
    const before = loss();
    const start = [...theta];
    let t = 1;
    for (; t > 1e-6; t /= 2) {
      step.forEach((v, i) => (theta[i] = start[i] - t * v));
      if (loss() <= before) break;
    }
    if (t <= 1e-6) {
      theta.splice(0, theta.length, ...start);
      break;
    }
    if (Math.max(...step.map((v) => Math.abs(t * v))) < 1e-9) break;
  }
  return model();

  function loss(): number {
    const m = model();
    const fitted = rows.map((r) => ({ ...r, probs: probsOf(r.prior, m, r.x) }));
    return weightedFamilyLoss(fitted) + theta.reduce((s, v) => s + (l2 / 2) * v * v, 0);
  }
}

/** Solve A x = b (A symmetric positive definite, small) by Gaussian elimination with pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let v = m[r][n];
    for (let k = r + 1; k < n; k++) v -= m[r][k] * x[k];
    x[r] = v / m[r][r];
  }
  return x;
}

/** Fit both families' models on the out-of-fold predictions of these studies. */
export function fitCrossFamily(
  predicted: ReadonlyMap<string, Probs3>,
  labels: ReadonlyMap<string, SeverityIndex>,
  prior: PriorModel,
  studies: readonly number[],
): CrossFamilyModel {
  const families = Object.fromEntries(
    CROSS_FAMILIES.map((f) => [f, fitFamily(rowsOf(f, predicted, labels, prior, studies))]),
  ) as CrossFamilyModel["families"];
  return { families };
}

/** Out of fold, as if every study lacked the family's series: the prior against the cross-family model. */
export interface CrossFamilyCheck {
  readonly rows: number;
  /** Weighted log loss; null without rows. */
  readonly prior: number | null;
  readonly crossFamily: number | null;
}

/**
 * Judge the models honestly: per fold, fit on the other folds' studies and predict this fold's rows
 * from their out-of-fold evidence; weighted log loss (the metric's family term) against the prior's.
 */
export function checkCrossFamily(
  predicted: ReadonlyMap<string, Probs3>,
  labels: ReadonlyMap<string, SeverityIndex>,
  prior: PriorModel,
  folds: ReadonlyMap<number, number>,
): Record<CrossFamily, CrossFamilyCheck> {
  const byFold = new Map<number, number[]>();
  for (const [studyId, fold] of [...folds].sort((a, b) => a[0] - b[0]))
    byFold.set(fold, [...(byFold.get(fold) ?? []), studyId]);
  const check = (family: CrossFamily): CrossFamilyCheck => {
    const held: (Row & { probs: Probs3 })[] = [];
    for (const [fold, studies] of byFold) {
      const others = [...folds.keys()].filter((s) => folds.get(s) !== fold).sort((a, b) => a - b);
      const w = fitFamily(rowsOf(family, predicted, labels, prior, others));
      for (const r of rowsOf(family, predicted, labels, prior, studies))
        held.push({ ...r, probs: probsOf(r.prior, w, r.x) });
    }
    if (!held.length) return { rows: 0, prior: null, crossFamily: null };
    const priorOnly = held.map((r) => ({ ...r, probs: r.prior }));
    return { rows: held.length, prior: weightedFamilyLoss(priorOnly), crossFamily: weightedFamilyLoss(held) };
  };
  return Object.fromEntries(CROSS_FAMILIES.map((f) => [f, check(f)])) as Record<
    CrossFamily,
    CrossFamilyCheck
  >;
}
