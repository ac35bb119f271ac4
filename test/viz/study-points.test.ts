import { describe, expect, it } from "vitest";
import { CONDITION_INFO, LEVEL_TITLES, SEVERITY_LABELS, rowId } from "../../lib/data/schema";
import type { LabelCoordinate } from "../../lib/data/coordinates";
import type { RunPoint } from "../../lib/data/run-points";
import { loadSeries } from "../../lib/dicom/series";
import { ensureSmokeDataset } from "../../lib/synth";
import type { Probs3 } from "../../lib/metric";
import { exampleStudies, StudyImageError } from "../../lib/viz/study-images";
import { busiestSlice, studyPointsFigure } from "../../lib/viz/study-points";
import { readDataLabels, studyPointsInputs } from "../../lib/viz/run-folder";
import { join } from "node:path";

describe("busiestSlice", () => {
  const at = (seriesId: number, instanceNumber: number) => ({ seriesId, instanceNumber });
  it("takes the slice holding most points", () => {
    expect(busiestSlice([at(1, 5), at(1, 7), at(1, 7), at(2, 3)])).toEqual(at(1, 7));
  });
  it("breaks a tie by the instance nearest the points' mean, then the lower one", () => {
    expect(busiestSlice([at(1, 6), at(1, 6), at(1, 7), at(1, 7), at(1, 8)])).toEqual(at(1, 7));
    expect(busiestSlice([at(1, 6), at(1, 8)])).toEqual(at(1, 6));
    expect(busiestSlice([])).toBeNull();
  });
});

/** A run's point at a labelled point moved by (dx, dy) pixels, optionally onto another instance. */
function placed(c: LabelCoordinate, dx: number, dy: number, instanceShift = 0): RunPoint {
  return {
    ...c,
    instanceNumber: c.instanceNumber + instanceShift,
    x: c.x + dx,
    y: c.y + dy,
    placedBy: "refinement",
    confidence: 0.9,
    split: "oof",
    fold: 0,
    label: null,
    distanceMm: null,
  };
}

interface Marker {
  x: number;
  y: number;
  text: string;
  symbol: string;
  textPosition: string;
  hover: string;
}

/** Every marker of the figure's scatter traces, by tile (its axis id). */
function markers(fig: { data: Record<string, unknown>[] }): Map<string, Marker[]> {
  const byTile = new Map<string, Marker[]>();
  for (const t of fig.data.filter((d) => d.type === "scatter")) {
    const xs = t.x as number[];
    const list = byTile.get(t.xaxis as string) ?? [];
    xs.forEach((x, i) =>
      list.push({
        x,
        y: (t.y as number[])[i],
        text: (t.text as string[])[i],
        symbol: (t.marker as { symbol: string[] }).symbol[i],
        textPosition: (t.textposition as string[])[i],
        hover: (t.hovertext as string[])[i],
      }),
    );
    byTile.set(t.xaxis as string, list);
  }
  return byTile;
}

// The generator's smoke set (8 train studies, cached in .cache/ after the first run).
describe("a study's points on generated DICOM", async () => {
  const dataDir = await ensureSmokeDataset();
  const labels = readDataLabels(dataDir);
  const [studyId] = exampleStudies({ dataDir, coords: labels.labelled, series: labels.series }, 1);
  const mine = labels.labelled.filter((c) => c.studyId === studyId);
  const spinal = (level: string) =>
    mine.find((c) => c.condition === "spinal_canal_stenosis" && c.level === level)!;
  // The run's points: every labelled point 3 px right and 2 px down on its own slice, except the
  // L1/L2 canal point, placed on the next sagittal slice.
  const predicted = mine.map((c) => placed(c, 3, 2, c === spinal("l1_l2") ? 1 : 0));
  const probs: Probs3 = [0.71, 0.22, 0.07];
  const probabilities = new Map(mine.map((c) => [rowId(studyId, c), probs]));
  const fig = await studyPointsFigure(
    studyPointsInputs(dataDir, studyId, labels, { points: predicted, probabilities }),
  );
  const tiles = markers(fig);
  const titles = (fig.layout.annotations as { text: string }[]).map((a) => a.text.replace(/<br>/g, " "));

  it("draws the canal's slice, each side's foraminal slice and each level's axial slice", () => {
    // Foraminal points of one side may lie on two slices: the tile shows the one holding more.
    const t1 = (side: string) =>
      busiestSlice(mine.filter((c) => c.condition === `${side}_neural_foraminal_narrowing`))!.instanceNumber;
    expect(titles).toHaveLength(8);
    expect(titles[0]).toContain(`Sagittal T2/STIR #${spinal("l3_l4").instanceNumber}: levels`);
    expect(titles[1]).toContain(`Sagittal T1 #${t1("left")}: left foramina`);
    expect(titles[2]).toContain(`Sagittal T1 #${t1("right")}: right foramina`);
    expect(titles.slice(3).map((t) => t.replace(/.*: /, "").replace(/<\/?b>/g, ""))).toEqual(
      Object.values(LEVEL_TITLES),
    );
  });

  it("puts each run's point at its pixel and each labelled point at the CSV's, in two styles", () => {
    const all = [...tiles.values()].flat();
    const runs = all.filter((m) => m.symbol === "circle-open");
    const crosses = all.filter((m) => m.symbol === "x-thin-open");
    expect(runs).toHaveLength(25);
    expect(crosses).toHaveLength(25);
    for (const c of mine.filter((c) => c !== spinal("l1_l2"))) {
      // Points of a neighbouring slice pass through patient space: equal to rounding.
      const near = (m: Marker, x: number, y: number) => Math.abs(m.x - x) < 1e-3 && Math.abs(m.y - y) < 1e-3;
      expect(runs.some((m) => near(m, c.x + 3, c.y + 2))).toBe(true);
      expect(crosses.some((m) => near(m, c.x, c.y))).toBe(true);
    }
  });

  it("carries a point from its neighbouring slice across, saying how far it was", () => {
    const l12 = spinal("l1_l2");
    const canal = tiles.get("x")!.filter((m) => m.symbol === "circle-open");
    const moved = canal.find((m) => m.text.startsWith("L1/L2"))!;
    // Sagittal slices of one stack share their in-plane axes: the pixel stays, the plane changes.
    expect(moved.x).toBeCloseTo(l12.x + 3, 3);
    expect(moved.y).toBeCloseTo(l12.y + 2, 3);
    const series = loadSeries(join(dataDir, "train_images", String(studyId), String(l12.seriesId)));
    const zs = series.stacks[0].slices.map((s) => s.plane.position);
    const gap = Math.hypot(zs[1][0] - zs[0][0], zs[1][1] - zs[0][1], zs[1][2] - zs[0][2]);
    const off = /on #(\d+), (-?[\d.]+) mm off this slice/.exec(moved.hover)!;
    expect(Number(off[1])).toBe(l12.instanceNumber + 1);
    expect(Math.abs(Number(off[2]))).toBeCloseTo(gap, 1);
    expect(canal.filter((m) => m.hover.includes("off this slice"))).toHaveLength(1);
  });

  it("writes each row's probabilities and labelled severity beside its point, each side outward", () => {
    const sev = labels.severities.get(rowId(studyId, spinal("l4_l5")));
    const l45 = tiles.get("x")!.find((m) => m.symbol === "circle-open" && m.text.startsWith("L4/L5"))!;
    expect(l45.text).toBe(`L4/L5 71/22/7${sev === undefined ? "" : ` [${SEVERITY_LABELS[sev][0]}]`}`);
    expect(l45.hover).toContain("placed by refinement, confidence 0.90");
    expect(l45.hover).toContain("Normal/Mild 71%, Moderate 22%, Severe 7%");
    const axial = tiles.get("x4")!.filter((m) => m.symbol === "circle-open");
    expect(axial.map((m) => [m.text.slice(0, 2), m.textPosition]).sort()).toEqual([
      ["L ", "middle right"],
      ["R ", "middle left"],
    ]);
    // Labelled crosses beside a run's point carry no second text.
    expect(
      tiles
        .get("x")!
        .filter((m) => m.symbol === "x-thin-open")
        .every((m) => m.text === ""),
    ).toBe(true);
  });

  it("without a run, labels the labelled points themselves", async () => {
    const only = await studyPointsFigure(studyPointsInputs(dataDir, studyId, labels));
    const canal = markers(only).get("x")!;
    expect(canal.map((m) => m.symbol)).toEqual(Array(5).fill("x-thin-open"));
    expect(canal.map((m) => m.text.split(" ")[0])).toEqual(Object.values(LEVEL_TITLES));
    expect(CONDITION_INFO.spinal_canal_stenosis.series).toBe("Sagittal T2/STIR");
  });

  it("names the study when it has no folder or nothing to draw", async () => {
    await expect(studyPointsFigure({ dataDir, studyId: 12345 })).rejects.toThrow(StudyImageError);
    await expect(studyPointsFigure({ dataDir, studyId })).rejects.toThrow(/no points to draw/);
  });
});
