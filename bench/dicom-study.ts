import * as fs from "node:fs";
import * as path from "node:path";
import { cropTargets, type CropTarget } from "../lib/crop";
import { LEVELS } from "../lib/data/schema";
import { encodeDicom, loadSeries } from "../lib/dicom";
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
    targets.push({ key: `left_foraminal_${level}`, seriesDir: t1, instanceNumber: 14, x: 180, y, family: "foraminal" });
    targets.push({ key: `right_foraminal_${level}`, seriesDir: t1, instanceNumber: 4, x: 180, y, family: "foraminal" });
    targets.push({ key: `left_subarticular_${level}`, seriesDir: ax, instanceNumber: 3 + 6 * l, x: 180, y: 170, family: "subarticular" });
    targets.push({ key: `right_subarticular_${level}`, seriesDir: ax, instanceNumber: 3 + 6 * l, x: 140, y: 170, family: "subarticular" });
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
  return {
    series: study.seriesDirs.length,
    images: study.images,
    crops: last.crops,
    decodedSlices: last.decodedSlices,
    msScan: Math.round(med(times.map((t) => t.scan))),
    msPerStudy: Math.round(msCrop),
  };
}
