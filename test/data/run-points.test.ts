import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadCoordinates } from "../../lib/data/coordinates";
import { RUN_POINT_COLUMNS, loadRunPoints } from "../../lib/data/run-points";
import { DataFormatError } from "../../lib/util/errors";
import { writeTree } from "../helpers/tmp";

const HEADER = RUN_POINT_COLUMNS.join(",");
const TEST_ROW = "7,70,3,Spinal Canal Stenosis,L4/L5,101.5,88,localizer,,test,,,,,,";
const OOF_ROW = "8,80,9,Left Subarticular Stenosis,L1/L2,40,52.25,refinement,0.75,oof,2,81,10,41,50,2.5";

const file = (...rows: string[]) =>
  join(writeTree({ "points.csv": [HEADER, ...rows].join("\n") }), "points.csv");

describe("a run's points.csv", () => {
  it("reads the coordinates, what placed each point, and out of fold the labelled point", () => {
    expect(loadRunPoints(file(TEST_ROW, OOF_ROW))).toEqual([
      {
        studyId: 7,
        seriesId: 70,
        instanceNumber: 3,
        condition: "spinal_canal_stenosis",
        level: "l4_l5",
        x: 101.5,
        y: 88,
        placedBy: "localizer",
        confidence: null,
        split: "test",
        fold: null,
        label: null,
        distanceMm: null,
      },
      {
        studyId: 8,
        seriesId: 80,
        instanceNumber: 9,
        condition: "left_subarticular_stenosis",
        level: "l1_l2",
        x: 40,
        y: 52.25,
        placedBy: "refinement",
        confidence: 0.75,
        split: "oof",
        fold: 2,
        label: { seriesId: 81, instanceNumber: 10, x: 41, y: 50 },
        distanceMm: 2.5,
      },
    ]);
  });

  it("is read by the train_label_coordinates.csv loader too (its first seven columns)", () => {
    expect(loadCoordinates(file(TEST_ROW)).map((c) => [c.studyId, c.condition, c.level, c.x, c.y])).toEqual([
      [7, "spinal_canal_stenosis", "l4_l5", 101.5, 88],
    ]);
  });

  it("names file and line of a bad value", () => {
    const bad = (row: string) => () => loadRunPoints(file(TEST_ROW, row));
    expect(bad(OOF_ROW.replace("refinement", "guess"))).toThrow(/points.csv:3: placed_by must be one of/);
    expect(bad(OOF_ROW.replace("0.75", "1.5"))).toThrow(/points.csv:3: confidence "1.5" is out of range/);
    expect(bad(OOF_ROW.replace(",oof,", ",val,"))).toThrow(/split must be test or oof/);
    expect(bad(OOF_ROW.replace(",81,10,", ",81,,"))).toThrow(/label_\* columns must be all empty or all set/);
    expect(bad(OOF_ROW.replace("Left Subarticular", "Middle"))).toThrow(DataFormatError);
  });
});
