import { relative, sep } from "node:path";
import { FAMILIES, type Family } from "../data/schema";
import { SIDE_FAMILIES, type SideFamily } from "../study";
import type { UnitJob } from "../train/unit-job";
import type { PreparedTrain } from "./train-split";

/** A unit type: the localizer, a side-point net ("foraminal-points"), a family's classifier. */
export type UnitType = "localizer" | `${SideFamily}-points` | Family;

/** A unit's ID: its checkpoint folder under OUT/checkpoints, e.g. "localizer/fold0", "spinal/fold2". */
export function unitId(type: UnitType, fold: number): string {
  return `${type}/fold${fold}`;
}

/** The ID of a unit job whose checkpoint folder is under `ckpt`. */
export function jobUnitId(ckpt: string, job: UnitJob): string {
  return relative(ckpt, job.dir).split(sep).join("/");
}

/** One unit of a run's plan and the units whose checkpoints it reads. */
export interface PlannedUnit {
  readonly id: string;
  readonly kind: "localizer" | "side-points" | "classifier";
  readonly needs: readonly string[];
}

/**
 * The run's units in an order they can run in: every localizer fold and every side-point fold
 * (independent: both train on labelled points), then every family x fold classifier, families in
 * FAMILIES order. A classifier unit needs all of stage 1: its inputs are crops at the out-of-fold
 * points of the localizers and side-point nets at their common epochs, which the mean validation
 * curves of all folds choose.
 */
export function plannedUnits(train: PreparedTrain): PlannedUnit[] {
  const localizers = train.splits.map((_, f) => unitId("localizer", f));
  const sidePoints = SIDE_FAMILIES.flatMap((family) =>
    train.splits.map((_, f) => unitId(`${family}-points`, f)),
  );
  const stage1 = [...localizers, ...sidePoints];
  return [
    ...localizers.map((id): PlannedUnit => ({ id, kind: "localizer", needs: [] })),
    ...sidePoints.map((id): PlannedUnit => ({ id, kind: "side-points", needs: [] })),
    ...FAMILIES.flatMap((family) =>
      train.splits.map((_, f): PlannedUnit => ({
        id: unitId(family, f),
        kind: "classifier",
        needs: stage1,
      })),
    ),
  ];
}
