import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { SEVERITY_WEIGHTS, TARGETS, rowId } from "../data/schema";
import { writeCsvAtomic } from "../util/csv";
import type { Rng } from "../util/rng";
import { SynthError } from "./errors";
import { LabelModel } from "./label-model";
import { APPEARANCE_FAMILIES, type AppearanceOptions } from "./appearance";
import { DEFAULT_QUIRKS, type Quirks } from "./quirks";
import { NoiseSource } from "../util/noise";
import { renderSlice } from "./render";
import { PROTOCOLS } from "./protocol";
import { planStudy, type StudyPlan, type SynthSize } from "./study";
import { cmp, type SplitRecord } from "./tables";
import { writeMrSlice } from "./dicom-writer";
import { writeDataset, type DatasetRequest, type GeneratedDataset, type StudyWriter } from "./writer";

/** Bump when the generator's output changes, so cached datasets are regenerated. */
export const SYNTH_VERSION = 5;

/** The phantom writer's options (the default writer of `lumbar synth`). */
export interface GenerateOptions extends DatasetRequest {
  /** The fixed protocols' matrices; a random appearance draws its own (PROTOCOLS.random). */
  readonly size: SynthSize;
  readonly quirks?: Partial<Quirks>;
  /** How series look and which protocols they use; default fixed (the phantom's own, same bytes as before). */
  readonly appearance?: AppearanceOptions;
}

/**
 * Write a synthetic dataset of phantom studies in the competition's layout (CSV files and
 * {train,test}_images/{study}/{series}/{instance}.dcm) plus ground_truth/ beside it, with the
 * Bayes oracle. Streams: one slice is in memory at a time. Same options, same bytes.
 */
export async function generateDataset(opts: GenerateOptions): Promise<GeneratedDataset> {
  if (opts.size !== "small" && opts.size !== "full")
    throw new SynthError(`size must be "small" or "full", got "${opts.size}"`);
  return writeDataset(opts, phantomWriter(opts));
}

function phantomWriter(opts: GenerateOptions): StudyWriter<StudyPlan> {
  const quirks: Quirks = { ...DEFAULT_QUIRKS, ...opts.quirks };
  const appearance = opts.appearance ?? { mode: "fixed" };
  const random = appearance.mode === "random";
  const model = new LabelModel();
  return {
    planStudy: (rng, s, newSeriesId) =>
      planStudy(rng, s.studyId, model, {
        protocol: PROTOCOLS[random ? "random" : opts.size],
        appearance,
        quirks,
        dropSagittalT1: quirks.missingSagittalT1 && s.split === "test" && opts.test >= 2 && s.index === 1,
        newSeriesId,
      }),
    writeImages: writeStudyImages,
    writeGroundTruth: random
      ? (gt, done) => (writeOracle(gt, done), writeAppearances(gt, done))
      : writeOracle,
    marker: {
      generator: "lumbar synth",
      version: SYNTH_VERSION,
      seed: opts.seed,
      train: opts.train,
      test: opts.test,
      size: opts.size,
      quirks,
      raterNoise: model.raterNoise,
      // Absent for the fixed look, so its marker (and bytes) are as before.
      ...(random
        ? {
            appearance: appearance.mode,
            families: appearance.families ?? APPEARANCE_FAMILIES,
            // The random look varies the anatomy too (lib/synth/variation.ts); earlier random sets did not.
            anatomy: "varied",
          }
        : {}),
    },
  };
}

function writeStudyImages(root: string, plan: StudyPlan, rng: Rng): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  plan.series.forEach((series, k) => {
    const dir = path.join(root, String(plan.studyId), String(series.seriesId));
    mkdirSync(dir, { recursive: true });
    const noise = NoiseSource.draw(rng.fork(k));
    series.slices.forEach((slice, i) => {
      const img = renderSlice(plan.phantom, slice, plan.appearances[k], noise);
      const file = path.join(dir, `${i + 1}.dcm`);
      writeMrSlice(file, { studyId: plan.studyId, series, seriesNumber: k + 1, instance: i + 1 }, slice, img);
      files++;
      bytes += statSync(file).size;
    });
  });
  return { files, bytes };
}

/** The phantom's own ground truth: the Bayes oracle, the posterior it comes from, the latents. */
function writeOracle(gt: string, done: readonly SplitRecord<StudyPlan>[]): void {
  const all = done.map((d) => d.plan).sort((a, b) => a.studyId - b.studyId);
  const test = done
    .filter((d) => d.split === "test")
    .map((d) => d.plan)
    .sort((a, b) => a.studyId - b.studyId);
  const probRows = (f: (p: [number, number, number]) => number[]) =>
    test
      .flatMap((p) =>
        TARGETS.map((t, i) => [rowId(p.studyId, t), ...f(p.labels.oracle[i])] as [string, ...number[]]),
      )
      .sort((a, b) => cmp(a[0], b[0]));
  const header = ["row_id", "normal_mild", "moderate", "severe"];
  // The competition's weighted log loss is minimised by the posterior reweighted by the class weights.
  writeCsvAtomic(
    path.join(gt, "oracle.csv"),
    header,
    probRows((p) => {
      const w = p.map((v, k) => v * SEVERITY_WEIGHTS[k]);
      const z = w[0] + w[1] + w[2];
      return w.map((v) => v / z);
    }),
  );
  writeCsvAtomic(
    path.join(gt, "posterior.csv"),
    header,
    probRows((p) => [...p]),
  );
  writeCsvAtomic(
    path.join(gt, "latent.csv"),
    ["study_id", "condition", "level", "latent"],
    all.flatMap((p) =>
      TARGETS.map((t, i) => [
        String(p.studyId),
        t.condition,
        t.level,
        String(Number(p.labels.latent[i].toFixed(6))),
      ]),
    ),
  );
}

/** ground_truth/appearance.csv (random look only): what each series was drawn with, for hold-outs by family. */
function writeAppearances(gt: string, done: readonly SplitRecord<StudyPlan>[]): void {
  const num = (v: number) => String(Number(v.toFixed(4)));
  const rows = done
    .map((d) => d.plan)
    .sort((a, b) => a.studyId - b.studyId)
    .flatMap((p) =>
      p.series.map((s, k) => {
        const look = p.appearances[k];
        return [
          String(p.studyId),
          String(s.seriesId),
          s.description,
          look.family,
          num(look.noiseSigma),
          num(look.gamma),
          look.blurMm ? num(look.blurMm[0]) : "",
          look.blurMm ? num(look.blurMm[1]) : "",
          look.bias ? num(look.bias.strength) : "",
          num(s.slices[0].spacing[0]),
          String(s.slices[0].rows),
          num(s.spacingBetweenSlices),
        ];
      }),
    );
  writeCsvAtomic(
    path.join(gt, "appearance.csv"),
    [
      "study_id",
      "series_id",
      "series_description",
      "family",
      "noise_sigma",
      "gamma",
      "blur_mm_rows",
      "blur_mm_cols",
      "bias_strength",
      "pixel_spacing",
      "rows",
      "spacing_between_slices",
    ],
    rows,
  );
}
