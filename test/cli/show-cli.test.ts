import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PNG } from "pngjs";
import { RUN_POINT_COLUMNS } from "../../lib/data/run-points";
import { SHARED, haveShared } from "../helpers/shared";
import { writeTree } from "../helpers/tmp";

const BIN = resolve(__dirname, "../../bin/lumbar.js");
const lumbar = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
const REAL = join(SHARED, "real-lumbar");
const STUDY = "1172755464";

/**
 * `lumbar show` on the real study in ../shared/real-lumbar (JPEG 2000, 512 x 512) with a run folder
 * holding two hand-placed points: a canal point on the Sagittal T2 and a left recess on the axial.
 */
describe.skipIf(!haveShared(REAL, "lumbar show on a real study"))("npx lumbar show", () => {
  const points = [
    RUN_POINT_COLUMNS.join(","),
    `${STUDY},1172755464918,6,Spinal Canal Stenosis,L3/L4,256,260,localizer,,test,,,,,,`,
    `${STUDY},1172755464920,13,Left Subarticular Stenosis,L3/L4,280,300,refinement,0.8,test,,,,,,`,
  ].join("\n");
  const run = writeTree({ "points.csv": points });
  const empty = writeTree({ README: "no points here" });

  it("writes a PNG of the slices holding the run's points", () => {
    const out = join(run, "study.png");
    const r = lumbar("show", "--data", REAL, "--study", STUDY, "--run", run, "--out", out);
    expect(r.status, r.stderr).toBe(0);
    const png = PNG.sync.read(readFileSync(out));
    // Two 300 px tiles and their margins, at 1.5x.
    expect([png.width, png.height]).toEqual([(2 * 300 + 40) * 1.5, (300 + 34 + 70) * 1.5]);
  }, 120_000);

  it("writes an offline HTML page with the figure", () => {
    const out = join(run, "study.html");
    const r = lumbar("show", "--data", REAL, "--study", STUDY, "--run", run, "--out", out);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    // Plotly is inlined: the page fetches no script.
    expect(/<script[^>]+src=/.test(html)).toBe(false);
    const json = /<script type="application\/json" id="figures">(.*?)<\/script>/s.exec(html)![1];
    const [fig] = JSON.parse(json) as { layout: { annotations: { text: string }[] } }[];
    const titles = fig.layout.annotations.map((a) =>
      a.text
        .replace(/<[^>]+>/g, " ")
        .replace(/ +/g, " ")
        .trim(),
    );
    expect(titles).toEqual(["Sagittal T2/STIR #6: levels", "Axial T2 #13: L3/L4"]);
  }, 60_000);

  it("exits 2 naming the problem: the output's type, a run without points.csv, an unknown study", () => {
    const jpg = lumbar("show", "--data", REAL, "--study", STUDY, "--out", join(run, "x.jpg"));
    expect([jpg.status, jpg.stderr]).toEqual([2, expect.stringContaining("--out must end in .png or .html")]);
    const noPoints = lumbar(
      "show",
      "--data",
      REAL,
      "--study",
      STUDY,
      "--run",
      empty,
      "--out",
      join(run, "x.png"),
    );
    expect(noPoints.status).toBe(2);
    expect(noPoints.stderr).toContain(`RunFolderError: run folder ${empty}: no points.csv`);
    const unknown = lumbar(
      "show",
      "--data",
      REAL,
      "--study",
      "42",
      "--run",
      run,
      "--out",
      join(run, "x.png"),
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      "StudyImageError: study 42: no folder train_images/42 or test_images/42",
    );
  }, 60_000);
});
