/**
 * Render a few slices of a synthetic dataset, read back through lib/dicom, with the label points of
 * train_label_coordinates.csv overlaid: mid-sagittal T2 (spinal), parasagittal T1 (foraminal, left
 * and right), axial T2 through each level (subarticular). For checking by eye that the studies look
 * like lumbar MR and that the points sit on the right structures.
 *
 *   npx tsx scripts/render-synth-previews.ts [--data DIR] [--out out/synth-previews] [--studies 2]
 *
 * Without --data it uses the cached smoke dataset (generated on first use).
 */
import path from "node:path";
import { loadSeries, readDicomSync } from "../lib/dicom";
import { readCsv } from "../lib/util/csv";
import { writeGrayscalePng, type PngMarker } from "../lib/util/png";
import { ensureSmokeDataset } from "../lib/synth";

const COLORS: Record<string, [number, number, number]> = {
  "Spinal Canal Stenosis": [255, 60, 60],
  "Left Neural Foraminal Narrowing": [60, 220, 60],
  "Right Neural Foraminal Narrowing": [60, 160, 255],
  "Left Subarticular Stenosis": [255, 200, 0],
  "Right Subarticular Stenosis": [255, 0, 255],
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const data = flag("data") ?? (await ensureSmokeDataset());
  const out = path.resolve(flag("out") ?? "out/synth-previews");
  const studies = Number(flag("studies") ?? 2);
  const coords = readCsv(path.join(data, "train_label_coordinates.csv")).rows.map((r) => r.values);
  const descr = new Map(
    readCsv(path.join(data, "train_series_descriptions.csv")).rows.map((r) => [
      r.values.series_id,
      r.values.series_description,
    ]),
  );
  const studyIds = [...new Set(coords.map((c) => c.study_id))].slice(0, studies);
  for (const study of studyIds) {
    const mine = coords.filter((c) => c.study_id === study);
    // One picture per (series, instance) that carries label points.
    const keys = [...new Set(mine.map((c) => `${c.series_id}/${c.instance_number}`))];
    for (const key of keys) {
      const [seriesId, instance] = key.split("/");
      const series = loadSeries(path.join(data, "train_images", study, seriesId));
      const ref = series.instances.get(Number(instance))!;
      const slice = series.stacks[ref.stack].slices[ref.slice];
      const img = readDicomSync(slice.file);
      const markers: PngMarker[] = mine
        .filter((c) => c.series_id === seriesId && c.instance_number === instance)
        .map((c) => ({ x: Number(c.x), y: Number(c.y), color: COLORS[c.condition], radius: 6 }));
      const h = img.header;
      const window =
        h.windowWidth && h.windowCenter !== null
          ? { center: h.windowCenter, width: h.windowWidth }
          : undefined;
      const name = `${study}_${(descr.get(seriesId) ?? "series").replace(/[^A-Za-z0-9]+/g, "-")}_${seriesId}_${instance}.png`;
      writeGrayscalePng(path.join(out, name), img.frame(), img.columns, img.rows, {
        markers,
        window,
        zoom: img.columns < 300 ? 2 : 1,
      });
      console.log(path.join(out, name));
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
