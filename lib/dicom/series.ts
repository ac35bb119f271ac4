import * as fs from "node:fs";
import * as path from "node:path";
import { makePlane, type ImagePlane } from "../geometry/plane";
import { dot, orientationAxes, orientationDistance, type Orientation, type Vec3 } from "../geometry/vec";
import { DicomError, isDicomError, type DicomErrorCode } from "./errors";
import type { DicomHeader } from "./header";
import { CODECS } from "./codecs";
import { readDicom, readDicomHeader, readDicomSync, type FrameOptions } from "./image";
import { DicomFileReader } from "./reader";
import { resizeBilinear } from "./resize";

/** One image of a stack: a file (and frame), its geometry and its place along the normal. */
export interface StackSlice {
  /** Absolute path of the file. */
  file: string;
  /** Frame inside the file (0 for single-frame files). */
  frame: number;
  instanceNumber: number | null;
  echoNumber: number | null;
  /** Position along the stack normal: dot(IPP, normal), mm. */
  positionMm: number;
  /** Geometry in the stack's pixel grid (rows x columns of the stack, after any resampling). */
  plane: ImagePlane;
  header: DicomHeader;
}

/** Two IOPs closer than this (max component difference) are one stack. */
const ORIENTATION_TOLERANCE = 1e-3;
/** Positions within this many mm are "the same position" (multi-echo, time series). */
const POSITION_TOLERANCE_MM = 1e-3;

/**
 * Images of one series sharing an orientation, sorted along the slice normal (then by
 * InstanceNumber for repeated positions). Pixel reads resample odd-sized images to the most
 * common size. Reads are lazy: memory holds headers until a slice or the volume is asked for.
 */
export class Stack {
  constructor(
    readonly index: number,
    readonly orientation: Orientation,
    /** Unit slice normal rowDir x colDir; slices are sorted by increasing position along it. */
    readonly normal: Vec3,
    readonly rows: number,
    readonly columns: number,
    /** [row spacing, column spacing] mm of the stack grid. */
    readonly pixelSpacing: [number, number],
    readonly slices: readonly StackSlice[],
  ) {}

  get length(): number {
    return this.slices.length;
  }
  /** Slice planes in stack order (for lib/geometry projection). */
  get planes(): ImagePlane[] {
    return this.slices.map((s) => s.plane);
  }
  get positionsMm(): number[] {
    return this.slices.map((s) => s.positionMm);
  }
  /** Median gap between distinct consecutive positions, mm (0 with a single position). */
  get spacingMm(): number {
    return medianGap(this.positionsMm);
  }
  get files(): string[] {
    return this.slices.map((s) => s.file);
  }

  /** Slice index of an InstanceNumber, or -1. */
  sliceOfInstance(instanceNumber: number): number {
    return this.slices.findIndex((s) => s.instanceNumber === instanceNumber);
  }

  /** Slice i as float32 modality values, shape [rows, columns] of the stack. */
  async readSlice(i: number): Promise<Float32Array> {
    const s = this.slices[i];
    if (!s) throw new RangeError(`slice ${i} of ${this.slices.length}`);
    const img = await readDicom(s.file);
    const px = img.frame(s.frame);
    if (img.rows === this.rows && img.columns === this.columns) return px;
    return resizeBilinear(px, img.rows, img.columns, this.rows, this.columns);
  }

  /**
   * Synchronous, cached access to single slices, decoding a file only when its slice is first
   * asked for (a crop of 5 slices decodes 5 files, not the stack). Loads the codecs it needs first.
   */
  async openSlices(opts: OpenSlicesOptions = {}): Promise<LazySlices> {
    for (const uid of new Set(this.slices.map((s) => s.header.transferSyntaxUid))) {
      try {
        await CODECS.get(uid)?.init();
      } catch (e) {
        // With onError "zero" a codec that cannot load costs its slices (recorded at decode), not the stack.
        if (opts.onError !== "zero") throw e;
      }
    }
    return new LazySlices(this, opts);
  }

  /**
   * Slice i decoded synchronously into `out` ([rows, columns], allocated when omitted). Codecs
   * must be initialised (see openSlices); `reader` reuses one file buffer across calls.
   */
  readSliceSync(
    i: number,
    out?: Float32Array,
    reader?: DicomFileReader,
    opts: Pick<FrameOptions, "invertMonochrome1"> = {},
  ): Float32Array {
    const s = this.slices[i];
    if (!s) throw new RangeError(`slice ${i} of ${this.slices.length}`);
    const img = readDicomSync(s.file, reader);
    const invert = { invertMonochrome1: opts.invertMonochrome1 };
    if (img.rows === this.rows && img.columns === this.columns) return img.frame(s.frame, { ...invert, out });
    const px = resizeBilinear(img.frame(s.frame, invert), img.rows, img.columns, this.rows, this.columns);
    if (!out) return px;
    out.set(px);
    return out;
  }

  /** All slices as one volume [slices, rows, columns] float32, decoded straight into it. */
  async readVolume(): Promise<Volume> {
    const lazy = await this.openSlices();
    for (let i = 0; i < this.slices.length; i++) lazy.slice(i);
    return {
      data: lazy.data,
      slices: this.slices.length,
      rows: this.rows,
      columns: this.columns,
      rowSpacing: this.pixelSpacing[0],
      colSpacing: this.pixelSpacing[1],
      planes: this.planes,
    };
  }
}

export interface OpenSlicesOptions {
  /** Turn MONOCHROME1 into MONOCHROME2 as slices are decoded (default false: modality values as stored). */
  invertMonochrome1?: boolean;
  /**
   * A slice whose file cannot be read or decoded (truncated, corrupt, codec missing): "throw"
   * (default) or "zero": the slice reads as zeros and the reason is kept in `failures`, so one bad
   * file costs one slice, not the stack.
   */
  onError?: "throw" | "zero";
  /**
   * Where decoded slices live. "volume" (default): one [slices, rows, columns] buffer, `data`;
   * its never-read pages cost no RAM only while the allocator maps it fresh (glibc serves sizes
   * below its adaptive mmap threshold, up to 32 MB, from zeroed heap memory: all of it resident).
   * "slices": one buffer per slice, allocated when first read, so memory is exactly the slices
   * read; `data` is then unavailable.
   */
  storage?: "volume" | "slices";
}

/**
 * Per-slice lazy view of a stack (the shape of lib/crop's CropSource): slice(i) is [rows, columns],
 * decoded on first use into one volume buffer [slices, rows, columns] (`data`; slices never asked
 * for stay 0 and, being untouched memory, cost no RAM).
 */
export class LazySlices {
  private readonly done: Uint8Array;
  private reader?: DicomFileReader;
  private readonly failed = new Map<number, string>();
  private readonly failedFiles = new Map<number, UnusableFile>();
  private count = 0;
  private readonly volume?: Float32Array;
  private readonly perSlice?: (Float32Array | undefined)[];
  readonly slices: number;
  readonly rows: number;
  readonly columns: number;
  readonly rowSpacing: number;
  readonly colSpacing: number;
  constructor(
    readonly stack: Stack,
    private readonly opts: OpenSlicesOptions = {},
  ) {
    this.slices = stack.length;
    this.rows = stack.rows;
    this.columns = stack.columns;
    this.rowSpacing = stack.pixelSpacing[0];
    this.colSpacing = stack.pixelSpacing[1];
    this.done = new Uint8Array(this.slices);
    if (opts.storage === "slices") this.perSlice = new Array<Float32Array | undefined>(this.slices);
    else this.volume = new Float32Array(this.slices * this.rows * this.columns);
  }
  /** The volume buffer [slices, rows, columns] (storage "volume" only); slices not read yet are 0. */
  get data(): Float32Array {
    if (!this.volume) throw new Error('LazySlices.data needs storage "volume"');
    return this.volume;
  }
  /** Files decoded so far (failed ones not counted). */
  get decoded(): number {
    return this.count;
  }
  /** Slices that failed to decode (onError "zero"): slice index -> reason (file, code, detail). */
  get failures(): ReadonlyMap<number, string> {
    return this.failed;
  }
  /** The same failures as typed records: slice index -> file, code and detail. */
  get unusable(): ReadonlyMap<number, UnusableFile> {
    return this.failedFiles;
  }
  /** Whether slice i was asked for and could not be decoded (it reads as zeros). */
  hasFailed(i: number): boolean {
    return this.failed.has(i);
  }
  slice(i: number): Float32Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.slices)
      throw new RangeError(`slice ${i} of ${this.slices}`);
    const plane = this.rows * this.columns;
    const view = this.volume
      ? this.volume.subarray(i * plane, (i + 1) * plane)
      : (this.perSlice![i] ??= new Float32Array(plane));
    if (!this.done[i]) {
      try {
        this.reader ??= new DicomFileReader();
        this.stack.readSliceSync(i, view, this.reader, this.opts);
        this.count++;
      } catch (e) {
        if (this.opts.onError !== "zero") throw e;
        view.fill(0); // a decoder may have written part of it
        this.failed.set(i, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
        this.failedFiles.set(i, unusableFile(e, this.stack.slices[i].file, "DECODE_FAILED"));
      }
      this.done[i] = 1;
    }
    return view;
  }
}

/** A stack's pixels: data[(s * rows + y) * columns + x], modality values, spacing in mm. */
export interface Volume {
  data: Float32Array;
  slices: number;
  rows: number;
  columns: number;
  rowSpacing: number;
  colSpacing: number;
  /** Slice planes (optional: synthetic volumes may have none). */
  planes?: readonly ImagePlane[];
}

export interface SliceRef {
  stack: number;
  slice: number;
}

/** A series folder split into stacks, with the InstanceNumber <-> (stack, slice) map. */
export interface Series {
  dir: string;
  seriesInstanceUid: string;
  description: string;
  frameOfReferenceUid: string;
  /** Ordered by smallest InstanceNumber (acquisition order). */
  stacks: Stack[];
  /** InstanceNumber -> where it is. */
  instances: Map<number, SliceRef>;
  /** Files skipped and fallbacks taken (missing geometry, odd sizes, duplicate numbers). */
  warnings: string[];
}

/** Locate an InstanceNumber in a series. */
export function locateInstance(series: Series, instanceNumber: number): SliceRef | undefined {
  return series.instances.get(instanceNumber);
}

/** A file that could not be used, and why: the DicomError's code, else `fallback`'s. */
export interface UnusableFile {
  readonly file: string;
  readonly code: DicomErrorCode;
  readonly detail: string;
}

function unusableFile(e: unknown, file: string, fallback: DicomErrorCode): UnusableFile {
  if (isDicomError(e)) return { file, code: e.code, detail: e.detail };
  return { file, code: fallback, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

export interface LoadSeriesOptions {
  /** Read only these files (paths, e.g. from a dataset index) instead of every file in `dir`. */
  files?: readonly string[];
  /**
   * Skip images without ImagePositionPatient, ImageOrientationPatient or PixelSpacing (with a
   * warning) instead of assuming identity geometry: for callers that place points in patient space.
   */
  requireGeometry?: boolean;
  /**
   * Told of every file skipped (unreadable header, no image, no geometry when required), also when
   * none is left and loadSeries throws: how callers account for each file.
   */
  onSkip?: (skipped: UnusableFile) => void;
}

/**
 * Read the headers of every file in `dir` (or of `opts.files`) and group them into stacks.
 * Non-DICOM files are skipped with a warning; a folder without any image is a DicomError
 * (NO_PIXEL_DATA).
 */
export function loadSeries(dir: string, opts: LoadSeriesOptions = {}): Series {
  const warnings: string[] = [];
  let files: string[];
  if (opts.files) files = [...opts.files].sort();
  else {
    try {
      files = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.join(dir, d.name))
        .sort();
    } catch (e) {
      throw new DicomError("READ_FAILED", dir, e instanceof Error ? e.message : String(e));
    }
  }
  const entries: { file: string; header: DicomHeader }[] = [];
  const skip = (file: string, code: DicomErrorCode, detail: string, warning: string) => {
    warnings.push(`${path.basename(file)}: ${warning}, skipped`);
    opts.onSkip?.({ file, code, detail });
  };
  for (const file of files) {
    try {
      const header = readDicomHeader(file);
      if (!header.hasPixelData || header.rows === 0) {
        skip(file, "NO_PIXEL_DATA", "no image", "no image");
        continue;
      }
      if (
        opts.requireGeometry &&
        (!header.imagePositionPatient || !header.imageOrientationPatient || !header.pixelSpacing)
      ) {
        const why = "no geometry (IPP/IOP/PixelSpacing)";
        skip(file, "BAD_HEADER", why, why);
        continue;
      }
      entries.push({ file, header });
    } catch (e) {
      if (!isDicomError(e)) throw e;
      skip(file, e.code, e.detail, e.code);
    }
  }
  if (entries.length === 0)
    throw new DicomError(
      "NO_PIXEL_DATA",
      dir,
      `no ${opts.requireGeometry ? "usable " : ""}DICOM image in the folder${warnings.length ? ` (${warnings[0]}${warnings.length > 1 ? ", ..." : ""})` : ""}`,
    );
  return seriesFromHeaders(dir, entries, warnings);
}

/** Group already-read headers into stacks (exposed for tests and synthetic data). */
export function seriesFromHeaders(
  dir: string,
  entries: { file: string; header: DicomHeader }[],
  warnings: string[] = [],
): Series {
  const groups: { orientation: Orientation; items: { file: string; header: DicomHeader }[] }[] = [];
  let missingGeometry = 0;
  for (const e of entries) {
    const o = e.header.imageOrientationPatient ?? FALLBACK_ORIENTATION;
    if (!e.header.imageOrientationPatient || !e.header.imagePositionPatient) missingGeometry++;
    const g = groups.find((g) => orientationDistance(g.orientation, o) < ORIENTATION_TOLERANCE);
    if (g) g.items.push(e);
    else groups.push({ orientation: o, items: [e] });
  }
  if (missingGeometry > 0) {
    warnings.push(
      `${missingGeometry} image(s) without ImageOrientation/PositionPatient: identity orientation, InstanceNumber order`,
    );
  }
  const stacks = groups.map((g) => buildStack(g.orientation, g.items, warnings));
  stacks.sort((a, b) => minInstance(a) - minInstance(b) || a.files[0].localeCompare(b.files[0]));
  const ordered = stacks.map(
    (s, i) => new Stack(i, s.orientation, s.normal, s.rows, s.columns, s.pixelSpacing, s.slices),
  );
  const instances = new Map<number, SliceRef>();
  ordered.forEach((s, stack) =>
    s.slices.forEach((sl, slice) => {
      if (sl.instanceNumber === null || sl.frame > 0) return;
      if (instances.has(sl.instanceNumber))
        warnings.push(`InstanceNumber ${sl.instanceNumber} repeated; first kept`);
      else instances.set(sl.instanceNumber, { stack, slice });
    }),
  );
  const h0 = entries[0].header;
  return {
    dir,
    seriesInstanceUid: h0.seriesInstanceUid,
    description: h0.seriesDescription,
    frameOfReferenceUid: h0.frameOfReferenceUid,
    stacks: ordered,
    instances,
    warnings,
  };
}

const FALLBACK_ORIENTATION: Orientation = [1, 0, 0, 0, 1, 0];

function buildStack(
  orientation: Orientation,
  items: { file: string; header: DicomHeader }[],
  warnings: string[],
): Stack {
  const { normal } = orientationAxes(orientation);
  // The most common image size is the stack grid; others are resampled onto it.
  const sizeCount = new Map<string, number>();
  for (const it of items) {
    const k = `${it.header.rows}x${it.header.columns}`;
    sizeCount.set(k, (sizeCount.get(k) ?? 0) + 1);
  }
  const [best] = [...sizeCount.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const [rows, columns] = best[0].split("x").map(Number);
  if (sizeCount.size > 1)
    warnings.push(
      `stack of ${items.length}: mixed sizes ${[...sizeCount.keys()].join(", ")}; resampled to ${rows}x${columns}`,
    );
  const ref = items.find((it) => it.header.rows === rows && it.header.columns === columns)!.header;
  const spacing: [number, number] = ref.pixelSpacing ?? [1, 1];
  if (!ref.pixelSpacing) warnings.push("no PixelSpacing: 1 mm assumed");
  const fallbackGap = ref.spacingBetweenSlices ?? ref.sliceThickness ?? 1;

  const slices: StackSlice[] = [];
  items.forEach((it, order) => {
    const h = it.header;
    for (let f = 0; f < h.frames; f++) {
      const ipp = h.imagePositionPatient;
      // Without a position, InstanceNumber (else file order) times the nominal gap stands in for it.
      const rank = h.instanceNumber ?? order;
      const base: Vec3 = ipp ?? [
        normal[0] * rank * fallbackGap,
        normal[1] * rank * fallbackGap,
        normal[2] * rank * fallbackGap,
      ];
      const position: Vec3 = [
        base[0] + normal[0] * f * fallbackGap,
        base[1] + normal[1] * f * fallbackGap,
        base[2] + normal[2] * f * fallbackGap,
      ];
      // Keep physical extent when resampling to the stack grid (corners aligned).
      const ps = h.pixelSpacing ?? spacing;
      const rowSpacing = rows > 1 ? (ps[0] * (h.rows - 1)) / (rows - 1) : ps[0];
      const colSpacing = columns > 1 ? (ps[1] * (h.columns - 1)) / (columns - 1) : ps[1];
      slices.push({
        file: it.file,
        frame: f,
        instanceNumber: h.instanceNumber,
        echoNumber: h.echoNumbers,
        positionMm: roundMm(dot(position, normal)),
        plane: makePlane(position, orientation, [rowSpacing, colSpacing], rows, columns),
        header: h,
      });
    }
  });
  slices.sort(
    (a, b) =>
      a.positionMm - b.positionMm ||
      (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) ||
      a.file.localeCompare(b.file) ||
      a.frame - b.frame,
  );
  return new Stack(0, orientation, normal, rows, columns, spacing, slices);
}

/** Round to the tolerance so float noise does not split repeated positions. */
function roundMm(v: number): number {
  return Math.round(v / POSITION_TOLERANCE_MM) * POSITION_TOLERANCE_MM;
}

function minInstance(s: Stack): number {
  let m = Infinity;
  for (const sl of s.slices) if (sl.instanceNumber !== null && sl.instanceNumber < m) m = sl.instanceNumber;
  return m;
}

/** Median of the gaps between distinct sorted positions. */
export function medianGap(positions: readonly number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < positions.length; i++) {
    const g = positions[i] - positions[i - 1];
    if (g > POSITION_TOLERANCE_MM) gaps.push(g);
  }
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  const m = gaps.length >> 1;
  return gaps.length % 2 ? gaps[m] : (gaps[m - 1] + gaps[m]) / 2;
}
