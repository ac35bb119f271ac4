import type { Family } from "../data/schema";
import { loadSeries, type LazySlices } from "../dicom/series";
import { groupBy } from "../util/group-by";
import { cropVolume } from "./crop";
import { FAMILY_CROP_SPECS, type CropSpec } from "./spec";

/** One crop to cut: a labelled (or predicted) point on an image of a series. */
export interface CropTarget {
  /** Result key, e.g. a row id or `${condition}_${level}`. */
  key: string;
  seriesDir: string;
  /** InstanceNumber of the image the point is on (train_label_coordinates.csv's instance_number). */
  instanceNumber: number;
  /** Column and row on that image, pixels. */
  x: number;
  y: number;
  family: Family;
}

export interface StudyCrops {
  /** key -> crop [depth, H, W] float32 per the family's spec. */
  crops: Map<string, Float32Array>;
  /** Files decoded (each slice at most once per series). */
  decodedSlices: number;
  /** Targets skipped (unknown instance number) and series warnings. */
  warnings: string[];
}

/**
 * Cut every target's crop. Each series folder is scanned once; slices are decoded lazily, only
 * those the crops touch. Memory: headers of the study plus the decoded slices of one series.
 */
export async function cropTargets(
  targets: readonly CropTarget[],
  specs: Readonly<Record<Family, CropSpec>> = FAMILY_CROP_SPECS,
): Promise<StudyCrops> {
  const crops = new Map<string, Float32Array>();
  const warnings: string[] = [];
  let decodedSlices = 0;
  const bySeries = groupBy(targets, (t) => t.seriesDir);
  for (const [dir, list] of bySeries) {
    const series = loadSeries(dir);
    warnings.push(...series.warnings.map((w) => `${dir}: ${w}`));
    const open = new Map<number, LazySlices>();
    for (const t of list) {
      const ref = series.instances.get(t.instanceNumber);
      if (!ref) {
        warnings.push(`${t.key}: instance ${t.instanceNumber} not in ${dir}`);
        continue;
      }
      // Per-slice buffers: memory is exactly the slices the crops touch (see OpenSlicesOptions.storage).
      const source =
        open.get(ref.stack) ?? (await series.stacks[ref.stack].openSlices({ storage: "slices" }));
      open.set(ref.stack, source);
      crops.set(t.key, cropVolume(source, { slice: ref.slice, x: t.x, y: t.y }, specs[t.family]));
    }
    for (const s of open.values()) decodedSlices += s.decoded;
  }
  return { crops, decodedSlices, warnings };
}
