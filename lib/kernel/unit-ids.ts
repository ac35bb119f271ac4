import { relative, sep } from "node:path";
import { FAMILIES, type Family } from "../data/schema";
import type { UnitJob } from "../train/unit-job";
import type { PreparedTrain } from "./train-split";

/** A unit's ID: its checkpoint folder under OUT/checkpoints, e.g. "localizer/fold0", "spinal/fold2". */
export function unitId(type: "localizer" | Family, fold: number): string {
  return `${type}/fold${fold}`;
}

/** The ID of a unit job whose checkpoint folder is under `ckpt`. */
export function jobUnitId(ckpt: string, job: UnitJob): string {
  return relative(ckpt, job.dir).split(sep).join("/");
}

/** One unit of a run's plan and the units whose checkpoints it reads. */
export interface PlannedUnit {
  readonly id: string;
  readonly kind: "localizer" | "classifier";
  readonly needs: readonly string[];
}

/**
 * The run's units in an order they can run in: every localizer fold (independent), then every
 * family x fold classifier, families in FAMILIES order. A classifier unit needs every localizer
 * fold: its inputs are crops at the out-of-fold points of the localizers at their common epoch,
 * which the mean validation curve of all folds chooses.
 */
export function plannedUnits(train: PreparedTrain): PlannedUnit[] {
  const localizers = train.splits.map((_, f) => unitId("localizer", f));
  return [
    ...localizers.map((id): PlannedUnit => ({ id, kind: "localizer", needs: [] })),
    ...FAMILIES.flatMap((family) =>
      train.splits.map((_, f): PlannedUnit => ({
        id: unitId(family, f),
        kind: "classifier",
        needs: localizers,
      })),
    ),
  ];
}
