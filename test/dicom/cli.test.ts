import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main";
import { corpusPath, HAVE_CORPUS, readManifest } from "./corpus";

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    return { code: await main(args), lines };
  } finally {
    spy.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

describe.skipIf(!HAVE_CORPUS)("CLI on the corpus", () => {
  it("dicom-info --json: one line per file with the manifest's stored statistics; exit 2 on a failure", async () => {
    const rows = readManifest().filter((r) =>
      ["dcm_qa_ts/In/9.dcm", "wg04_mr/RLE/MR1_RLE", "pydicom-test-files/MR_truncated.dcm"].includes(r.path),
    );
    const { code, lines } = await run(["dicom-info", "--json", ...rows.map((r) => corpusPath(r.path))]);
    expect(code).toBe(2);
    const out = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(3);
    for (const [i, r] of rows.entries()) {
      if (/negative/.test(r.note)) {
        expect(out[i]).toMatchObject({ file: corpusPath(r.path), error: { code: "TRUNCATED" } });
        continue;
      }
      expect(out[i]).toMatchObject({
        file: corpusPath(r.path),
        transferSyntaxUid: r.transfer_syntax_uid,
        rows: +r.rows,
        columns: +r.cols,
        frames: +r.frames,
        storedMin: +r.min,
        storedMax: +r.max,
        storedSum: +r.sum,
      });
    }
  });

  it("dicom-info exits 0 when every file decodes", async () => {
    expect((await run(["dicom-info", corpusPath("dcm_qa_ts/In/1.dcm")])).code).toBe(0);
  });

  it("series-geometry --json: sorted files, positions and median spacing", async () => {
    const { code, lines } = await run([
      "series-geometry",
      "--json",
      corpusPath("dcm_qa_decubitus/In/HFS/3_t1_fl2d_sag"),
    ]);
    expect(code).toBe(0);
    const g = JSON.parse(lines[0]) as {
      stacks: {
        orientation: number[];
        normal: number[];
        files: string[];
        positionsMm: number[];
        spacingMm: number;
      }[];
    };
    expect(g.stacks).toHaveLength(1);
    expect(g.stacks[0].orientation).toEqual([0, 1, 0, 0, 0, -1]);
    expect(g.stacks[0].normal).toEqual([-1, 0, 0]);
    expect(g.stacks[0].files[0]).toMatch(/^0035_/);
    expect(g.stacks[0].files[34]).toMatch(/^0001_/);
    expect(g.stacks[0].spacingMm).toBeCloseTo(4.8, 3);
  });

  it("project --json: sagittal localizer pixel -> axial series file, col/row, distance", async () => {
    const exam = corpusPath("dcm_qa_table/In/GE/Exam1486_Laser794mm");
    const { code, lines } = await run([
      "project",
      "--json",
      "--from",
      `${exam}/01_3_Plane_Localizer_FF/i18246591.MRDC.8`,
      "--col",
      "128",
      "--row",
      "140",
      "--to",
      `${exam}/02_Ax_fMRI_FF_I11.1_S15.9`,
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(lines[0]) as {
      lps: number[];
      file: string;
      col: number;
      row: number;
      distanceMm: number;
    };
    expect(r.lps).toHaveLength(3);
    expect(Math.abs(r.distanceMm)).toBeLessThanOrEqual(1.5 + 1e-6); // slices are 3 mm apart and the point is inside the slab
    expect(r.file).toMatch(/^i\d+\.MRDC\.\d+$/);
  });
});
