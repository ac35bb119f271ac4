import { createHash } from "node:crypto";
import { cacheKey, cachedBuild, type CropSampleLike, type SampleWriter } from "../cache";
import {
  addFailures,
  fileFailures,
  fitOffsets,
  localizedCrops,
  pointErrors,
  type Failure,
  type OffsetModel,
  SIDE_FAMILIES,
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
  /** Per study, references into the cache folder (lib/cache). */
  readonly crops: ReadonlyMap<number, CropSampleLike[]>;
  /** 3D error (mm) of each placed point against its labelled one, by family. */
  readonly errors: readonly { family: string; mm: number }[];
  /** Per family, how many side points stage 1b moved or left at the projection, by outcome. */
  readonly sidePointOutcomes: Record<string, Record<string, number>>;
}

/** Pass 2's cache build: crops by study (record references), point errors, the failures it added. */
interface PassMeta {
  readonly crops: [number, CropSampleLike[]][];
  readonly errors: { family: string; mm: number }[];
  readonly sidePointOutcomes: Record<string, Record<string, number>>;
  readonly failures: Failure[];
}

/** The side-point nets' weights of every fold, hashed: pass 2's points depend on them. */
function sidePointWeightsHash(stage1: LocalizerStage): string {
  const hash = createHash("sha256");
  for (const family of SIDE_FAMILIES)
    for (const model of stage1.sidePoints[family])
      for (const w of model.weights) {
        const data = w.read().dataSync() as Float32Array;
        hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      }
  return hash.digest("hex");
}

/**
 * Crop every train study at its out-of-fold level points with offsets learned without it: how the
 * classifier will see test studies. A study that fails is listed in `train.failures`, and so is a
 * file that failed to decode only now (pass 1 read other slices). The crops go to the cache folder
 * under a key of pass 1's and of the points' (levels, offsets): a rerun or a classifier unit's
 * process with the same localizers reads them back instead of cutting them again.
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
  const key = cacheKey({
    stage: "localized crops (pass 2)",
    pass1: train.inputsKey,
    levels: [...stage1.oofLevels],
    foldOffsets: foldOffsets.map((m) => [...m]),
    // Stage 1b moves the side points: its nets' weights decide where the crops are cut.
    sidePoints: { config: ctx.config.sidePoints, weights: sidePointWeightsHash(stage1) },
  });
  const build = async (writer: SampleWriter): Promise<PassMeta> => {
    const crops: [number, CropSampleLike[]][] = [];
    const errors: { family: string; mm: number }[] = [];
    const sidePointOutcomes: Record<string, Record<string, number>> = {};
    const failuresBefore = train.failures.length;
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
        crops.push([p.studyId, r.crops.map((c) => writer.crop(c))]);
        addFailures(train.failures, fileFailures(p.studyId, "train", r.files));
        errors.push(...pointErrors(r.points, p.gtPoints));
      } catch (e) {
        train.failures.push({ studyId: p.studyId, stage: "localized crops", reason: (e as Error).message });
      }
      bar.tick();
    }
    bar.stop();
    return { crops, errors, sidePointOutcomes, failures: train.failures.slice(failuresBefore) };
  };
  const built = await ctx.clock("prepareLocalized", () =>
    cachedBuild<PassMeta>({ dir: train.inputs.dir, stage: "pass2", key, build }),
  );
  if (built.reused) train.failures.push(...built.meta.failures);
  if (!ctx.quiet)
    console.error(
      `[cache] pass 2: ${built.reused ? "reused" : `built (${built.rebuilt})`} in ${train.inputs.dir}`,
    );
  const { crops, errors, sidePointOutcomes } = built.meta;
  return { offsets, crops: new Map(crops), errors, sidePointOutcomes };
}
