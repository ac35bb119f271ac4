import { readDicom, type DicomImage } from "../dicom";
import {
  makePlane,
  orientationDistance,
  projectToStacks,
  dot,
  type ImagePlane,
  type Orientation,
  type Vec3,
} from "../geometry";
import { bilinearZero, quantizeCrop, type StoredCrop } from "./augment";

/** Crops are scaled to ~[0, 1] by percentiles and clipped to this range, then stored as bytes. */
export const CROP_RANGE = [-0.5, 1.5] as const;

/**
 * One geometric stack of a series: parallel slices sorted along the slice normal, with the
 * instance number of each (labels refer to instance numbers, not to positions).
 */
export interface Stack {
  readonly seriesId: number;
  readonly planes: readonly ImagePlane[];
  readonly instanceNumbers: readonly number[];
  /** Rescaled pixels per slice, [rows][columns] row-major. */
  readonly pixels: readonly Float32Array[];
  readonly rows: number;
  readonly columns: number;
}

export interface LoadedSeries {
  readonly seriesId: number;
  readonly stacks: readonly Stack[];
  /** Files that could not be used, with why (truncated, no geometry, odd size...). */
  readonly skipped: readonly { file: string; reason: string }[];
}

/**
 * Read a series' files into stacks: grouped by orientation, sorted by position along the normal
 * (never by instance number or file name), the most common image size only. Unreadable files are
 * skipped and listed, so one bad file costs one slice, not the study.
 */
export async function loadSeriesStacks(seriesId: number, files: readonly string[]): Promise<LoadedSeries> {
  const skipped: { file: string; reason: string }[] = [];
  const images: { img: DicomImage; file: string }[] = [];
  for (const file of files) {
    try {
      const img = await readDicom(file);
      const h = img.header;
      if (!h.imagePositionPatient || !h.imageOrientationPatient || !h.pixelSpacing) {
        skipped.push({ file, reason: "no geometry (IPP/IOP/PixelSpacing)" });
        continue;
      }
      images.push({ img, file });
    } catch (e) {
      skipped.push({ file, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  const sizeCount = new Map<string, number>();
  for (const { img } of images)
    sizeCount.set(`${img.rows}x${img.columns}`, (sizeCount.get(`${img.rows}x${img.columns}`) ?? 0) + 1);
  const commonSize = [...sizeCount.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const groups: {
    orientation: Orientation;
    members: { img: DicomImage; file: string; pixels: Float32Array }[];
  }[] = [];
  for (const { img, file } of images) {
    if (`${img.rows}x${img.columns}` !== commonSize) {
      skipped.push({
        file,
        reason: `image size ${img.rows}x${img.columns} differs from the series' ${commonSize}`,
      });
      continue;
    }
    let pixels: Float32Array;
    try {
      pixels = img.frame(0, { invertMonochrome1: true });
    } catch (e) {
      skipped.push({ file, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      continue;
    }
    const o = img.header.imageOrientationPatient!;
    const group = groups.find((g) => orientationDistance(g.orientation, o) < 0.05);
    if (group) group.members.push({ img, file, pixels });
    else groups.push({ orientation: o, members: [{ img, file, pixels }] });
  }
  const stacks = groups.map((g): Stack => {
    const planes = g.members.map(({ img }) =>
      makePlane(
        img.header.imagePositionPatient!,
        img.header.imageOrientationPatient!,
        img.header.pixelSpacing!,
        img.rows,
        img.columns,
      ),
    );
    const normal = planes[0].normal;
    const order = planes
      .map((p, i) => ({ i, pos: dot(p.position, normal), inst: g.members[i].img.header.instanceNumber ?? i }))
      .sort((a, b) => a.pos - b.pos || a.inst - b.inst);
    return {
      seriesId,
      planes: order.map((o) => planes[o.i]),
      instanceNumbers: order.map((o) => o.inst),
      pixels: order.map((o) => g.members[o.i].pixels),
      rows: planes[0].rows,
      columns: planes[0].columns,
    };
  });
  // Largest stack first: for sagittal series the main block, for axial the order does not matter.
  stacks.sort((a, b) => b.planes.length - a.planes.length);
  return { seriesId, stacks, skipped };
}

/** The stack and slice holding an instance number, if any. */
export function findInstance(
  stacks: readonly Stack[],
  instanceNumber: number,
): { stack: Stack; slice: number } | undefined {
  for (const stack of stacks) {
    const slice = stack.instanceNumbers.indexOf(instanceNumber);
    if (slice >= 0) return { stack, slice };
  }
  return undefined;
}

/** Nearest slice over several stacks (e.g. all axial series of a study) to an LPS point. */
export function projectPoint(
  stacks: readonly Stack[],
  point: Vec3,
): { stack: Stack; slice: number; x: number; y: number; distanceMm: number; inside: boolean } | undefined {
  const p = projectToStacks(stacks, point);
  return p ? { ...p, stack: stacks[p.stack] } : undefined;
}

/**
 * A 2.5D crop centred on pixel (x, y) of `slice`: `depth` slices (clamped at the stack's ends),
 * each resampled bilinearly on a square grid of `size` pixels spanning `sizeMm` mm (so different
 * pixel spacings give the same anatomy size), zero outside the image, then scaled to ~[0, 1] by the
 * 1st/99th percentile of the whole crop.
 */
export function cropStack(
  stack: Stack,
  slice: number,
  x: number,
  y: number,
  sizeMm: number,
  size: number,
  depth: number,
): StoredCrop {
  const mmPerPx = sizeMm / size;
  const data = new Float32Array(depth * size * size);
  const half = (depth - 1) / 2;
  for (let d = 0; d < depth; d++) {
    const z = Math.min(Math.max(Math.round(slice - half + d), 0), stack.pixels.length - 1);
    const plane = stack.planes[z];
    const src = stack.pixels[z];
    for (let v = 0; v < size; v++) {
      const sy = y + ((v + 0.5 - size / 2) * mmPerPx) / plane.rowSpacing;
      for (let u = 0; u < size; u++) {
        const sx = x + ((u + 0.5 - size / 2) * mmPerPx) / plane.colSpacing;
        data[(d * size + v) * size + u] = bilinearZero(src, stack.rows, stack.columns, sx, sy);
      }
    }
  }
  return quantizeCrop({ data: percentileScale(data), depth, size, mmPerPx }, CROP_RANGE[0], CROP_RANGE[1]);
}

function percentileScale(data: Float32Array): Float32Array {
  const sorted = Float32Array.from(data).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const hi = sorted[Math.floor(0.99 * (sorted.length - 1))];
  const span = hi - lo || 1;
  for (let i = 0; i < data.length; i++) data[i] = Math.min(Math.max((data[i] - lo) / span, -0.5), 1.5);
  return data;
}
