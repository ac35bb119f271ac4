import * as fs from "node:fs";
import * as path from "node:path";
import {
  cropBatchTf,
  cropTargets,
  cropVolume,
  FAMILY_CROP_SPECS,
  type CropCentre,
  type CropSpec,
  type CropTarget,
} from "../lib/crop";
import { LEVELS } from "../lib/data/schema";
import { encodeDicom, loadSeries, type Volume } from "../lib/dicom";
import { initBackend } from "../lib/engine";
import { Rng } from "../lib/util/rng";

/** A study folder of the competition's shape: Sagittal T1, Sagittal T2/STIR, Axial T2. */
export interface BenchStudy {
  dir: string;
  images: number;
  seriesDirs: string[];
  targets: CropTarget[];
}

interface SeriesShape {
  name: string;
  slices: number;
  size: number;
  spacing: number;
  sagittal: boolean;
}

const SHAPES: SeriesShape[] = [
  { name: "1_sag_t1", slices: 17, size: 384, spacing: 0.6, sagittal: true },
  { name: "2_sag_t2", slices: 17, size: 384, spacing: 0.6, sagittal: true },
  { name: "3_ax_t2", slices: 30, size: 320, spacing: 0.6, sagittal: false },
];

/** Write the study once (deterministic noise images); 25 crop targets like one study's labels. */
export function writeBenchStudy(dir: string): BenchStudy {
  const rng = new Rng(77);
  const seriesDirs: string[] = [];
  let images = 0;
  for (const s of SHAPES) {
    const sdir = path.join(dir, s.name);
    seriesDirs.push(sdir);
    fs.mkdirSync(sdir, { recursive: true });
    for (let i = 0; i < s.slices; i++) {
      images++;
      const file = path.join(sdir, `${i + 1}.dcm`);
      if (fs.existsSync(file)) continue;
      const pixels = new Uint16Array(s.size * s.size);
      for (let k = 0; k < pixels.length; k++) pixels[k] = rng.int(0, 1500);
      const bytes = encodeDicom({
        rows: s.size,
        columns: s.size,
        pixels,
        bitsStored: 12,
        instanceNumber: i + 1,
        seriesInstanceUid: `2.25.9${s.slices}${s.size}`,
        imagePositionPatient: s.sagittal ? [-24 + 3 * i, -100, 100] : [-96, -96, -60 + 4 * i],
        imageOrientationPatient: s.sagittal ? [0, 1, 0, 0, 0, -1] : [1, 0, 0, 0, 1, 0],
        pixelSpacing: [s.spacing, s.spacing],
      });
      fs.writeFileSync(file, bytes);
    }
  }
  const [t1, t2, ax] = seriesDirs;
  const targets: CropTarget[] = [];
  LEVELS.forEach((level, l) => {
    const y = 100 + 40 * l;
    targets.push({ key: `spinal_${level}`, seriesDir: t2, instanceNumber: 9, x: 190, y, family: "spinal" });
    targets.push({
      key: `left_foraminal_${level}`,
      seriesDir: t1,
      instanceNumber: 14,
      x: 180,
      y,
      family: "foraminal",
    });
    targets.push({
      key: `right_foraminal_${level}`,
      seriesDir: t1,
      instanceNumber: 4,
      x: 180,
      y,
      family: "foraminal",
    });
    targets.push({
      key: `left_subarticular_${level}`,
      seriesDir: ax,
      instanceNumber: 3 + 6 * l,
      x: 180,
      y: 170,
      family: "subarticular",
    });
    targets.push({
      key: `right_subarticular_${level}`,
      seriesDir: ax,
      instanceNumber: 3 + 6 * l,
      x: 140,
      y: 170,
      family: "subarticular",
    });
  });
  return { dir, images, seriesDirs, targets };
}

/**
 * Time the study -> crops path (median of 5 in-process repeats after one warm-up): msPerStudy is
 * cropTargets (series scans + lazy decode of the touched slices + crops); msScan the scans alone.
 */
export async function runCropStudy(study: BenchStudy) {
  const times: { scan: number; crop: number }[] = [];
  let last = { crops: 0, decodedSlices: 0 };
  for (let rep = 0; rep < 6; rep++) {
    const t0 = performance.now();
    for (const d of study.seriesDirs) loadSeries(d);
    const t1 = performance.now();
    const r = await cropTargets(study.targets);
    const t2 = performance.now();
    last = { crops: r.crops.size, decodedSlices: r.decodedSlices };
    if (rep > 0) times.push({ scan: t1 - t0, crop: t2 - t1 });
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const msCrop = med(times.map((t) => t.crop));
  const cropsOnly = await timeCropsOnly(study);
  return {
    series: study.seriesDirs.length,
    images: study.images,
    crops: last.crops,
    decodedSlices: last.decodedSlices,
    msScan: Math.round(med(times.map((t) => t.scan))),
    msPerStudy: Math.round(msCrop),
    ...cropsOnly,
  };
}

/**
 * The 25 crops alone on volumes already in memory: JS cropVolume vs one tf.image.cropAndResize
 * call per series (tfjs wasm backend), median of 5, to decide which path the pipeline uses.
 */
async function timeCropsOnly(study: BenchStudy) {
  await initBackend({ backend: "wasm", log: false });
  const groups: { vol: Volume; centres: CropCentre[]; spec: CropSpec }[] = [];
  for (const dir of study.seriesDirs) {
    const series = loadSeries(dir);
    const vol = await series.stacks[0].readVolume();
    const ts = study.targets.filter((t) => t.seriesDir === dir);
    const centres = ts.map((t) => ({ slice: series.instances.get(t.instanceNumber)!.slice, x: t.x, y: t.y }));
    groups.push({ vol, centres, spec: FAMILY_CROP_SPECS[ts[0].family] });
  }
  const js: number[] = [];
  const tfjs: number[] = [];
  for (let rep = 0; rep < 6; rep++) {
    const t0 = performance.now();
    for (const g of groups) for (const c of g.centres) cropVolume(g.vol, c, g.spec);
    const t1 = performance.now();
    for (const g of groups) cropBatchTf(g.vol, g.centres, g.spec).dispose();
    const t2 = performance.now();
    if (rep > 0) {
      js.push(t1 - t0);
      tfjs.push(t2 - t1);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { msCropsOnlyJs: round1(med(js)), msCropsOnlyTfWasm: round1(med(tfjs)) };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
