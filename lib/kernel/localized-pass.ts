import {
  addFailures,
  fileFailures,
  fitOffsets,
  localizedCrops,
  pointErrors,
  type CropSample,
  type OffsetModel,
} from "../study";
import { refineSidePoints } from "../infer";
import { progressBar } from "../util/progress";
import type { KernelContext } from "./context";
import { foldSidePoints, type LocalizerStage } from "./localizer-stage";
import type { PreparedTrain } from "./train-split";

/** Pass 2's result: crops at out-of-fold localized points, and how far those points were off. */
export interface LocalizedPass {
  /** Condition offsets from all train studies: what test studies are placed with. */
  readonly offsets: OffsetModel;
  readonly crops: ReadonlyMap<number, CropSample[]>;
  /** 3D error (mm) of each placed point against its labelled one, by family. */
  readonly errors: readonly { family: string; mm: number }[];
  /** Per family, how many side points stage 1b moved or left at the projection, by outcome. */
  readonly sidePointOutcomes: Record<string, Record<string, number>>;
}

/**
 * Crop every train study at its out-of-fold level points with offsets learned without it: how the
 * classifier will see test studies. A study that fails is listed in `train.failures`, and so is a
 * file that failed to decode only now (pass 1 read other slices).
 */
export async function localizedPass(
  ctx: KernelContext,
  train: PreparedTrain,
  stage1: LocalizerStage,
): Promise<LocalizedPass> {
  const { prepared, folds } = train;
  const foldOffsets = folds.size
    ? Array.from({ length: ctx.config.folds }, (_, f) =>
        fitOffsets(prepared.filter((p) => folds.get(p.studyId) !== f).map((p) => p.gtPoints)),
      )
    : [];
  const offsets = fitOffsets(prepared.map((p) => p.gtPoints));
  const crops = new Map<number, CropSample[]>();
  const errors: { family: string; mm: number }[] = [];
  const sidePointOutcomes: Record<string, Record<string, number>> = {};
  await ctx.clock("prepareLocalized", async () => {
    const bar = progressBar("prepare train (pass 2)", stage1.oofLevels.size, { quiet: ctx.quiet });
    for (const p of prepared) {
      const levels = stage1.oofLevels.get(p.studyId);
      if (!levels) continue;
      const entry = train.split.studies.find((e) => e.studyId === p.studyId)!;
      const labels = train.split.labelsByStudy.get(p.studyId);
      try {
        const f = folds.get(p.studyId)!;
        const models = foldSidePoints(stage1, f);
        const refine = (pts: Parameters<typeof refineSidePoints>[0]) =>
          refineSidePoints(pts, models, ctx.config.sidePoints);
        const r = await localizedCrops(
          entry,
          levels,
          foldOffsets[f],
          ctx.config.classifier,
          labels,
          undefined,
          refine,
        );
        for (const { family, outcome } of r.outcomes) {
          const counts = (sidePointOutcomes[family] ??= {});
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        }
        crops.set(p.studyId, r.crops);
        addFailures(train.failures, fileFailures(p.studyId, "train", r.files));
        errors.push(...pointErrors(r.points, p.gtPoints));
      } catch (e) {
        train.failures.push({ studyId: p.studyId, stage: "localized crops", reason: (e as Error).message });
      }
      bar.tick();
    }
    bar.stop();
  });
  return { offsets, crops, errors, sidePointOutcomes };
}
