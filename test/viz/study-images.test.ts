import { describe, expect, it } from "vitest";
import { LEVELS } from "../../lib/data/schema";
import { datasetPaths } from "../../lib/data/dataset";
import { loadCoordinates } from "../../lib/data/coordinates";
import { loadSeriesDescriptions } from "../../lib/data/series-descriptions";
import { ensureSmokeDataset } from "../../lib/synth";
import { exampleStudies, labelledSlicesFigure, projectSagittalToAxial } from "../../lib/viz/study-images";

// The generator's smoke set (8 train studies of DICOM + CSVs, cached in .cache/ after the first run).
describe("study images on generated DICOM", async () => {
  const dataDir = await ensureSmokeDataset();
  const paths = datasetPaths(dataDir, "train");
  const inp = {
    dataDir,
    coords: loadCoordinates(paths.coordinates),
    series: loadSeriesDescriptions(paths.seriesDescriptions),
  };
  const studies = exampleStudies(inp, 3);

  it("finds studies with every series type and condition on disk", () => {
    expect(studies.length).toBe(3);
    expect([...studies].sort((a, b) => a - b)).toEqual(studies);
  });

  it("draws every labelled point of a study at its CSV position", async () => {
    const studyId = studies[0];
    const fig = await labelledSlicesFigure({ ...inp, studyId }, { maxTiles: 50 });
    const drawn = fig.data
      .filter((t) => t.type === "scatter")
      .flatMap((t) => (t.x as number[]).map((x, i) => [x, (t.y as number[])[i]]));
    const labelled = inp.coords.filter((c) => c.studyId === studyId).map((c) => [c.x, c.y]);
    expect(drawn.length).toBe(labelled.length);
    expect(new Set(drawn.map(String))).toEqual(new Set(labelled.map(String)));
  }, 60_000);

  it("a sagittal level lands on the labelled axial slice, between the subarticular points", () => {
    let checked = 0;
    for (const studyId of studies) {
      for (const level of LEVELS) {
        const sub = inp.coords.filter(
          (c) => c.studyId === studyId && c.level === level && c.condition.endsWith("subarticular_stenosis"),
        );
        if (sub.length !== 2) continue;
        const p = projectSagittalToAxial({ ...inp, studyId }, level);
        expect(p.inside).toBe(true);
        // The nearest axial slice is the labelled one or its neighbour (slices are a few mm apart).
        expect(Math.abs(p.axialInstance! - sub[0].instanceNumber)).toBeLessThanOrEqual(1);
        // The canal lies between the left and right subarticular recesses.
        const [lo, hi] = [Math.min(sub[0].x, sub[1].x), Math.max(sub[0].x, sub[1].x)];
        expect(p.x).toBeGreaterThan(lo);
        expect(p.x).toBeLessThan(hi);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
