import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LEVELS } from "../../data/schema";
import type { Rng } from "../../util/rng";
import { encodeMrSlice } from "../dicom-writer";
import { SynthError } from "../errors";
import { LabelModel } from "../label-model";
import { NoiseSource } from "../../util/noise";
import { writeDataset, type DatasetRequest, type GeneratedDataset, type StudyWriter } from "../writer";
import { CartoonAnatomy } from "./anatomy";
import { writeCartoonGroundTruth } from "./ground-truth";
import { paintSlice } from "./paint";
import { DEFAULT_CARTOON_QUIRKS, splitQuirks, type CartoonQuirks } from "./quirks";
import { planCartoonStudy, type CartoonStudy } from "./study";
import {
  CARTOON_STYLES,
  CARTOON_STYLE_NAMES,
  isCartoonStyle,
  type CartoonStyle,
  type CartoonStyleName,
} from "./styles";

/** Bump when the cartoon writer's output changes. */
export const CARTOON_VERSION = 1;

export interface CartoonOptions extends DatasetRequest {
  readonly style: CartoonStyleName;
  readonly quirks?: Partial<CartoonQuirks>;
}

/**
 * Write RSNA-like studies of cartoon anatomy (geometric shapes, drawn signs) in the competition's
 * layout, with ground_truth/test_labels.csv and levels.csv (as the phantom writes them) and the
 * cartoon's own series.csv, signs.csv and broken_files.csv: a second source, independent of the
 * phantom, for testing what the kernel learned on the phantom. No oracle.csv: the signs follow the
 * labels, so the Bayes oracle would be the labels themselves. Same options, same bytes.
 */
export async function generateCartoonDataset(opts: CartoonOptions): Promise<GeneratedDataset> {
  if (!isCartoonStyle(opts.style))
    throw new SynthError(`unknown cartoon style "${opts.style}"; styles: ${CARTOON_STYLE_NAMES.join(", ")}`);
  return writeDataset(opts, cartoonWriter(opts));
}

function cartoonWriter(opts: CartoonOptions): StudyWriter<CartoonStudy> {
  const quirks: CartoonQuirks = { ...DEFAULT_CARTOON_QUIRKS, ...opts.quirks };
  const style = CARTOON_STYLES[opts.style];
  const model = new LabelModel();
  const ctx = { style, quirks, model, splitQuirks: splitQuirks(opts.seed, opts.train, opts.test, quirks) };
  return {
    planStudy: (rng, s, newSeriesId) => planCartoonStudy(rng, s, ctx, newSeriesId),
    writeImages: (root, study, rng) => writeStudyImages(root, study, rng, style),
    writeGroundTruth: writeCartoonGroundTruth,
    marker: {
      generator: "lumbar synth --writer cartoon",
      writer: "cartoon",
      version: CARTOON_VERSION,
      style: style.name,
      seed: opts.seed,
      train: opts.train,
      test: opts.test,
      quirks,
      raterNoise: model.raterNoise,
    },
  };
}

function writeStudyImages(
  root: string,
  study: CartoonStudy,
  rng: Rng,
  style: CartoonStyle,
): { files: number; bytes: number } {
  // TARGETS is condition-major with the spinal canal first: its five grades pinch the canal.
  const anatomy = new CartoonAnatomy(study.spine, study.grades.slice(0, LEVELS.length));
  let files = 0;
  let bytes = 0;
  study.series.forEach((series, k) => {
    const dir = path.join(root, String(study.studyId), String(series.seriesId));
    mkdirSync(dir, { recursive: true });
    const seriesRng = rng.fork(k);
    const noise = NoiseSource.draw(seriesRng.fork(0));
    series.slices.forEach((slice, i) => {
      const overlays = study.overlays.get(series.seriesId)?.get(i) ?? [];
      const img = paintSlice(
        anatomy,
        slice,
        style.intensity[series.kind],
        overlays,
        style,
        seriesRng.fork(i + 1),
        noise,
      );
      const instance = i + 1;
      let bytesOut = encodeMrSlice(
        { studyId: study.studyId, series, seriesNumber: k + 1, instance },
        slice,
        img,
      );
      if (study.truncated?.seriesId === series.seriesId && study.truncated.instance === instance)
        bytesOut = cutInsidePixels(bytesOut, slice.rows * slice.cols * 2, seriesRng.fork(1000));
      writeFileSync(path.join(dir, `${instance}.dcm`), bytesOut);
      files++;
      bytes += bytesOut.length;
    });
  });
  return { files, bytes };
}

/** Cut a file between 20% and 80% into its pixel data (the last element), at an even offset. */
function cutInsidePixels(file: Buffer, pixelBytes: number, rng: Rng): Buffer {
  const start = file.length - pixelBytes;
  const keep = 2 * Math.floor((pixelBytes * rng.uniform(0.2, 0.8)) / 2);
  return file.subarray(0, start + keep);
}
