import { describe, expect, it, beforeAll } from "vitest";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { initBackend } from "../../lib/engine";
import { generateDataset } from "../../lib/synth";
import { runKernel } from "../../lib/kernel";
import { CheckpointError } from "../../lib/models/weights-file";
import { disposeTrained, loadTrained, predictTest, type PredictReport } from "../../lib/infer";
import { loadSampleSubmission } from "../../lib/data/submission-file";
import { loadSeriesDescriptions } from "../../lib/data/series-descriptions";
import { predictCrossFamily, priorFor, readPredictions, validateSubmissionFile } from "../../lib/submit";
import { CONDITION_INFO, TARGETS, conditionFromTitle, levelFromTitle, rowId } from "../../lib/data/schema";
import { loadCoordinates } from "../../lib/data/coordinates";
import { indexDataset } from "../../lib/data/dataset";
import { errorSummary } from "../../lib/gates";
import { POINTS_FILE } from "../../lib/infer";
import { loadStudy, localizerStack } from "../../lib/study";
import { readCsv } from "../../lib/util/csv";
import {
  CROSS_FAMILY_FILE,
  GATES_FILE,
  PRIOR_FILE,
  readCrossFamily,
  readGatesFile,
  readPrior,
} from "../../lib/infer/weights-folder";
import { main } from "../../lib/cli/main";

/**
 * Predict-only inference from the checkpoints of a smoke kernel run: it must reproduce the kernel's
 * own submission exactly, need nothing of the train split, and fail with a CheckpointError naming the
 * file when the weights folder is missing, corrupt, unfinished or made for another architecture.
 */
let root: string;
let data: string;
let kernelOut: string;
let missingStudy: number;

beforeAll(async () => {
  await initBackend({ log: false });
  root = mkdtempSync(join(tmpdir(), "lumbar-predict-"));
  data = join(root, "data");
  kernelOut = join(root, "kernel");
  await generateDataset({
    out: data,
    train: 8,
    test: 3,
    seed: 5,
    size: "small",
    quirks: { missingSagittalT1: false, splitAxialSeries: false },
  });
  // One test study loses its Sagittal T1 series (folder and CSV row): its foraminal rows fall back.
  const file = join(data, "test_series_descriptions.csv");
  const rows = loadSeriesDescriptions(file);
  missingStudy = Math.min(...rows.map((r) => r.studyId));
  const t1 = rows.find((r) => r.studyId === missingStudy && r.description === "Sagittal T1")!;
  rmSync(join(data, "test_images", String(missingStudy), String(t1.seriesId)), { recursive: true });
  writeFileSync(
    file,
    [
      "study_id,series_id,series_description",
      ...rows.filter((r) => r !== t1).map((r) => `${r.studyId},${r.seriesId},${r.description}`),
    ].join("\n") + "\n",
  );
  await runKernel({ data, out: kernelOut, profile: "smoke", seed: 9, quiet: true });
}, 600_000);

/** A copy of the kernel's checkpoints to damage. */
function weightsCopy(): string {
  const dir = mkdtempSync(join(root, "weights-"));
  cpSync(join(kernelOut, "checkpoints"), dir, { recursive: true });
  return dir;
}

async function expectCheckpointError(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CheckpointError);
  expect((e as CheckpointError).file).toBe(file);
  expect((e as CheckpointError).problem).toMatch(problem);
}

describe("predictTest on a smoke kernel's checkpoints", () => {
  let report: PredictReport;
  let out: string;
  beforeAll(async () => {
    out = join(root, "predict");
    report = await predictTest({ data, weights: join(kernelOut, "checkpoints"), out, quiet: true });
  }, 300_000);

  it("reproduces the kernel's submission.csv byte for byte", () => {
    expect(readFileSync(join(out, "submission.csv"), "utf8")).toBe(
      readFileSync(join(kernelOut, "submission.csv"), "utf8"),
    );
  });

  it("writes the same submission and points with one thread as with helper threads", async () => {
    const ckpt = join(kernelOut, "checkpoints");
    const one = join(root, "predict-1-thread");
    const three = join(root, "predict-3-threads");
    await predictTest({ data, weights: ckpt, out: one, quiet: true, threads: 1 });
    await predictTest({ data, weights: ckpt, out: three, quiet: true, threads: 3 }); // 2 helpers, 3 studies
    for (const file of ["submission.csv", POINTS_FILE])
      expect(readFileSync(join(three, file), "utf8"), file).toBe(readFileSync(join(one, file), "utf8"));
    expect(readFileSync(join(one, "submission.csv"), "utf8")).toBe(
      readFileSync(join(kernelOut, "submission.csv"), "utf8"),
    );
  }, 300_000);

  it("reports the same test, prior and oracle scores and fallbacks as the kernel", () => {
    const kernel = JSON.parse(readFileSync(join(kernelOut, "report.json"), "utf8"));
    const saved = JSON.parse(readFileSync(join(out, "predict-report.json"), "utf8"));
    expect(saved.testScore).toBe(kernel.testScore);
    expect(saved.priorScore).toBe(kernel.priorScore);
    expect(saved.oracleScore).toBe(kernel.oracleScore);
    expect(Number.isFinite(saved.testScore)).toBe(true);
    expect(saved.fallbacks).toEqual(kernel.fallbacks);
    expect(report.units.length).toBe(7 * 2); // localizer, 3 point nets, 3 families; 2 smoke folds
    expect(saved.sidePoints).toEqual(kernel.sidePoints.test);
    expect(saved.timings.inference).toBeGreaterThan(0);
  });

  it("a study without Sagittal T1 still gets all its rows: foraminal ones from its other families where that gate is on, else the prior", async () => {
    const expected = loadSampleSubmission(join(data, "sample_submission.csv")).rowIds;
    const ckpt = join(kernelOut, "checkpoints");
    const model = readCrossFamily(join(ckpt, CROSS_FAMILY_FILE))!;
    const prior = readPrior(join(ckpt, PRIOR_FILE));
    const foraminal = TARGETS.filter((t) => CONDITION_INFO[t.condition].family === "foraminal");
    // The kernel's own decision, then the other one written into a copy of its gates.json.
    const decided = readGatesFile(ckpt)!.crossFamily.foraminal;
    const flipped = weightsCopy();
    const gatesFile = join(flipped, GATES_FILE);
    const saved = JSON.parse(readFileSync(gatesFile, "utf8"));
    saved.gates.crossFamily.foraminal = !decided;
    writeFileSync(gatesFile, JSON.stringify(saved));
    const flippedOut = join(root, "predict-flipped-cross-family");
    const flippedReport = await predictTest({ data, weights: flipped, out: flippedOut, quiet: true });
    for (const [dir, r, on] of [
      [out, report, decided],
      [flippedOut, flippedReport, !decided],
    ] as const) {
      expect(validateSubmissionFile(join(dir, "submission.csv"), expected)).toEqual([]);
      const reason = `no usable Sagittal T1 series${on ? " (predicted from the study's other families)" : ""}`;
      expect(r.fallbacks.filter((f) => f.studyId === missingStudy)).toEqual([
        { studyId: missingStudy, rows: 10, reason },
      ]);
      expect(r.rowInputs["missing-series"].foraminal).toBe(10);
      // On: each foraminal row is the saved cross-family model applied to the submitted spinal and
      // subarticular rows of the same level and side, and differs from the prior. Off: the prior.
      const submitted = readPredictions(join(dir, "submission.csv"));
      for (const t of foraminal) {
        const row = submitted.get(rowId(missingStudy, t))!;
        const want = on ? predictCrossFamily(model, prior, submitted, missingStudy, t)! : priorFor(prior, t);
        row.forEach((v, k) => expect(v).toBeCloseTo(want[k], 6));
        if (on) expect(Math.abs(row[2] - priorFor(prior, t)[2])).toBeGreaterThan(1e-6);
      }
    }
  });

  it("needs nothing of the train split: a test-only folder and the kernel's --out folder give the same file", async () => {
    const testOnly = join(root, "test-only");
    mkdirSync(testOnly);
    for (const name of ["test_images", "test_series_descriptions.csv", "sample_submission.csv"])
      symlinkSync(join(data, name), join(testOnly, name));
    const out2 = join(root, "predict-test-only");
    const r = await predictTest({ data: testOnly, weights: kernelOut, out: out2, quiet: true });
    expect(readFileSync(join(out2, "submission.csv"), "utf8")).toBe(
      readFileSync(join(kernelOut, "submission.csv"), "utf8"),
    );
    expect(r.testScore).toBeNull();
  }, 300_000);

  it("the CLI writes the same submission", async () => {
    const out3 = join(root, "predict-cli");
    const argv = ["predict", "--data", data, "--weights", kernelOut, "--out", out3, "--quiet"];
    expect(await main(argv)).toBe(0);
    expect(readFileSync(join(out3, "submission.csv"), "utf8")).toBe(
      readFileSync(join(kernelOut, "submission.csv"), "utf8"),
    );
  }, 300_000);
});

describe("export-weights", () => {
  it("copies only what predict loads (the common epoch's weights), and predict on the copy writes the same bytes", async () => {
    const src = join(kernelOut, "checkpoints");
    const exported = join(root, "exported");
    expect(await main(["export-weights", "--weights", kernelOut, "--out", exported])).toBe(0);
    const listed = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
        .sort();
    const units = loadTrained(src);
    disposeTrained(units);
    const want = [
      "config.json",
      "cross-family.json",
      "epochs.json",
      "gates.json",
      "level-prior.json",
      "offsets.json",
      "prior.json",
      // Smoke trains one epoch: the common epoch is 0 and best.weights (each fold's own best) is left out.
      ...units.units.flatMap((u) => [join(u.unit, "last-e0.weights"), join(u.unit, "state.json")]),
    ].sort();
    expect(units.units).toHaveLength(14);
    expect(listed(exported)).toEqual(want);
    expect(listed(src).filter((f) => f.endsWith("best.weights"))).toHaveLength(14);
    for (const f of want)
      expect(readFileSync(join(exported, f)).equals(readFileSync(join(src, f))), f).toBe(true);
    const out = join(root, "predict-exported");
    await predictTest({ data, weights: exported, out, quiet: true });
    expect(readFileSync(join(out, "submission.csv"), "utf8")).toBe(
      readFileSync(join(kernelOut, "submission.csv"), "utf8"),
    );
  }, 300_000);

  it("refuses a non-empty --out and a folder predict would refuse, with the typed error", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(" "));
    const full = mkdtempSync(join(root, "full-"));
    writeFileSync(join(full, "x"), "");
    const unfinished = weightsCopy();
    writeFileSync(
      join(unfinished, "spinal", "fold1", "state.json"),
      JSON.stringify({ epoch: 0, bestScore: 1, bestEpoch: 0, done: false, last: null }),
    );
    try {
      expect(await main(["export-weights", "--weights", kernelOut, "--out", full])).toBe(2);
      expect(await main(["export-weights", "--weights", unfinished, "--out", join(root, "never")])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors[0]).toBe(`lumbar: UsageError: --out ${full} is not empty: export into a new folder`);
    expect(errors[1]).toMatch(
      new RegExp(
        `^lumbar: CheckpointError: ${join(unfinished, "spinal", "fold1", "state.json")}: training of spinal/fold1 did not finish`,
      ),
    );
    expect(existsSync(join(root, "never"))).toBe(false);
  });
});

describe("fresh kernel runs", () => {
  it("a second fresh smoke run with the same seed writes the same weights and submission, byte for byte", async () => {
    const again = join(root, "kernel-again");
    await runKernel({ data, out: again, profile: "smoke", seed: 9, quiet: true });
    expect(readFileSync(join(again, "submission.csv"), "utf8")).toBe(
      readFileSync(join(kernelOut, "submission.csv"), "utf8"),
    );
    for (const unit of [
      "localizer",
      "foraminal-points",
      "subarticular-points",
      "spinal-points",
      "spinal",
      "foraminal",
      "subarticular",
    ])
      for (const file of ["fold0", "fold1"].flatMap((fold) =>
        ["best.weights", "last-e0.weights"].map((w) => join(unit, fold, w)),
      )) {
        expect(
          readFileSync(join(again, "checkpoints", file)).equals(
            readFileSync(join(kernelOut, "checkpoints", file)),
          ),
          file,
        ).toBe(true);
      }
  }, 300_000);
});

describe("weights folders that cannot predict", () => {
  it("a folder that is not a weights folder names the config.json it looked for", async () => {
    const empty = mkdtempSync(join(root, "empty-"));
    await expectCheckpointError(
      predictTest({ data, weights: empty, out: join(root, "x"), quiet: true }),
      join(empty, "config.json"),
      /missing: not a weights folder/,
    );
  });

  it("the CLI exits with status 2 and the typed error, not a stack trace", async () => {
    const empty = mkdtempSync(join(root, "empty-"));
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(" "));
    try {
      const args = ["predict", "--data", data, "--weights", empty, "--out", join(root, "x"), "--quiet"];
      expect(await main(args)).toBe(2);
      expect(await main([...args, "--profile", "huge"])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors).toEqual([
      `lumbar: CheckpointError: ${join(empty, "config.json")}: missing: not a weights folder (expected the checkpoints folder of a \`lumbar kernel\` run, or its --out folder)`,
      'lumbar: UsageError: --profile must be one of smoke|quick|full, got "huge"',
    ]);
  });

  it("a truncated weights file (the epoch epochs.json names) is named", async () => {
    const w = weightsCopy();
    const epoch = JSON.parse(readFileSync(join(w, "epochs.json"), "utf8")).epochs.spinal;
    const file = join(w, "spinal", "fold1", `last-e${epoch}.weights`);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    await expectCheckpointError(
      predictTest({ data, weights: w, out: join(root, "x"), quiet: true }),
      file,
      /truncated tensor/,
    );
  });

  it.each(["prior.json", "offsets.json", "level-prior.json"])(
    "a missing %s (a run made before it was saved) is named",
    (name) => {
      const w = weightsCopy();
      rmSync(join(w, name));
      expect(() => loadTrained(w)).toThrow(CheckpointError);
      expect(() => loadTrained(w)).toThrow(`${join(w, name)}: missing`);
    },
  );

  it("a level prior of the wrong shape is named", () => {
    const w = weightsCopy();
    writeFileSync(join(w, "level-prior.json"), JSON.stringify({ version: 1, levelPrior: { gaps: [] } }));
    expect(() => loadTrained(w)).toThrow(`${join(w, "level-prior.json")}: level prior is not 4 gaps`);
  });

  it("a cross-family model of the wrong shape is named; without the file (an older run) the prior serves", () => {
    const w = weightsCopy();
    const file = join(w, "cross-family.json");
    const saved = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(
      file,
      JSON.stringify({ ...saved, families: { ...saved.families, foraminal: { moderate: [1] } } }),
    );
    expect(() => loadTrained(w)).toThrow(
      `${file}: foraminal: moderate and severe must be 5 finite numbers each`,
    );
    rmSync(file);
    const trained = loadTrained(w);
    expect(trained.crossFamily).toBeNull();
    disposeTrained(trained);
  });

  it("corrupt JSON is a typed error, not a SyntaxError", () => {
    const w = weightsCopy();
    writeFileSync(join(w, "offsets.json"), '{"version": 1, "offsets": {');
    expect(() => loadTrained(w)).toThrow(`${join(w, "offsets.json")}: not valid JSON`);
  });

  it("config.json of another architecture: the first unit whose shapes differ is named", () => {
    const w = weightsCopy();
    const config = JSON.parse(readFileSync(join(w, "config.json"), "utf8"));
    config.localizer.filters = [4, 8];
    writeFileSync(join(w, "config.json"), JSON.stringify(config));
    expect(() => loadTrained(w)).toThrow(
      new RegExp(`^${join(w, "localizer", "fold0", "last-e0.weights")}: tensor 0 .* has shape`),
    );
  });

  it("epochs.json names the weights each unit loads; without it (an older run) best.weights", () => {
    const w = weightsCopy();
    const loaded = loadTrained(w);
    disposeTrained(loaded);
    const epochs = JSON.parse(readFileSync(join(w, "epochs.json"), "utf8")).epochs;
    for (const u of loaded.units) {
      expect(u.file).toBe(join(w, u.unit, `last-e${epochs[u.unit.split("/")[0]]}.weights`));
      expect(u.epoch).toBe(epochs[u.unit.split("/")[0]]);
    }
    rmSync(join(w, "epochs.json"));
    const old = loadTrained(w);
    disposeTrained(old);
    expect(old.units.every((u) => u.file.endsWith("best.weights"))).toBe(true);
    writeFileSync(join(w, "epochs.json"), JSON.stringify({ version: 1, epochs: { spinal: -1 } }));
    expect(() => loadTrained(w)).toThrow(`${join(w, "epochs.json")}: epoch of spinal is not`);
  });

  it("weights of another profile than the one asked for are refused before loading", async () => {
    const w = weightsCopy();
    await expectCheckpointError(
      predictTest({ data, weights: w, out: join(root, "x"), quiet: true, profile: "quick" }),
      join(w, "config.json"),
      /trained with profile smoke, but profile quick/,
    );
  });

  it("an unfinished unit is named by its state.json", () => {
    const w = weightsCopy();
    const stateFile = join(w, "foraminal", "fold0", "state.json");
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    writeFileSync(stateFile, JSON.stringify({ ...state, done: false }));
    expect(() => loadTrained(w)).toThrow(`${stateFile}: training of foraminal/fold0 did not finish`);
  });

  it("a complete copy loads: every fold of every stage", () => {
    const loaded = loadTrained(weightsCopy());
    expect(loaded.localizers.length).toBe(2);
    expect(Object.values(loaded.classifiers).map((m) => m.length)).toEqual([2, 2, 2]);
    expect(loaded.offsets.size).toBeGreaterThan(0);
    expect(existsSync(join(loaded.dir, "prior.json"))).toBe(true);
    disposeTrained(loaded);
  });
});

describe("gates.json", () => {
  it("of the wrong shape is named; without it (an older run) every part runs as before the gates", () => {
    const w = weightsCopy();
    const file = join(w, GATES_FILE);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...saved, gates: { ...saved.gates, tta: { spinal: "yes" } } }));
    expect(() => loadTrained(w)).toThrow(`${file}: not a gates file of version 1: tta`);
    writeFileSync(
      file,
      JSON.stringify({ ...saved, gates: { ...saved.gates, shrink: { own: { spinal: 2 } } } }),
    );
    expect(() => loadTrained(w)).toThrow(`${file}: not a gates file of version 1: shrink.own`);
    rmSync(file);
    const legacy = loadTrained(w);
    expect(legacy.gates.refine.spinal.on).toBe(true);
    expect(legacy.gates.crossFamily).toEqual({ foraminal: true, subarticular: true });
    expect(legacy.gates.shrink["substituted-slice"]).toEqual({ spinal: 0, foraminal: 0, subarticular: 0 });
    disposeTrained(legacy);
  });
});

describe("points.csv", () => {
  const kernelPoints = () => join(kernelOut, POINTS_FILE);

  it("holds 25 points per test study and every placed out-of-fold point, read back by the coordinates loader", () => {
    const rows = loadCoordinates(kernelPoints());
    const tests = loadSampleSubmission(join(data, "sample_submission.csv")).rowIds;
    const testStudies = [...new Set(tests.map((id) => Number(id.split("_")[0])))];
    for (const s of testStudies) expect(rows.filter((r) => r.studyId === s)).toHaveLength(25);
    // The study without Sagittal T1 shows its foramina on its Sagittal T2 (placed_by "fallback").
    const table = readCsv(kernelPoints()).rows.map((r) => r.values);
    const fallback = table.filter((r) => Number(r.study_id) === missingStudy && r.placed_by === "fallback");
    expect(fallback).toHaveLength(10);
    expect(fallback.every((r) => r.input === "missing-series" && r.condition.includes("Foraminal"))).toBe(
      true,
    );
    expect(table.filter((r) => r.split === "oof").length).toBeGreaterThan(0);
  });

  it("out of fold, beside the labelled point: the median distance per family is report.json's", () => {
    const report = JSON.parse(readFileSync(join(kernelOut, "report.json"), "utf8"));
    const oof = readCsv(kernelPoints())
      .rows.map((r) => r.values)
      .filter((r) => r.split === "oof" && r.distance_mm !== "");
    expect(oof.every((r) => r.label_x !== "" && r.label_instance_number !== "" && r.fold !== "")).toBe(true);
    for (const family of ["spinal", "foraminal", "subarticular"] as const) {
      const mine = oof.filter((r) => CONDITION_INFO[conditionFromTitle(r.condition)!].family === family);
      const median = errorSummary(mine.map((r) => Number(r.distance_mm))).medianMm!;
      expect(median).toBeCloseTo(report.localization.oofTrain[family].medianMm, 2);
    }
  });
});

describe("degraded inputs", () => {
  let damaged: string;
  let study: number;
  let report: PredictReport;

  /** Predict the damaged copy with the kernel's weights, its gates' shrink weights for degraded rows set to w. */
  async function predictWithShrink(w: number | null, name: string): Promise<Map<string, readonly number[]>> {
    const weights = weightsCopy();
    if (w !== null) {
      const file = join(weights, GATES_FILE);
      const saved = JSON.parse(readFileSync(file, "utf8"));
      for (const kind of ["substituted-levels", "substituted-slice"])
        saved.gates.shrink[kind] = { spinal: w, foraminal: w, subarticular: w };
      writeFileSync(file, JSON.stringify(saved));
    }
    const out = join(root, name);
    report = await predictTest({ data: damaged, weights, out, quiet: true });
    return readPredictions(join(out, "submission.csv"));
  }

  beforeAll(async () => {
    // A copy of the data whose first complete test study has the middle file of its Sagittal T2
    // truncated inside the pixel data: the localizer and the canal crops read a neighbour.
    damaged = join(root, "damaged");
    cpSync(data, damaged, { recursive: true });
    const rows = loadSeriesDescriptions(join(damaged, "test_series_descriptions.csv"));
    study = Math.min(...rows.filter((r) => r.studyId !== missingStudy).map((r) => r.studyId));
    const entry = indexDataset(damaged, "test").studies.find((s) => s.studyId === study)!;
    const view = localizerStack(await loadStudy(entry))!;
    const middle = view.stack.dicom.slices[Math.floor((view.stack.planes.length - 1) / 2)].file;
    truncateSync(middle, Math.floor(statSync(middle).size * 0.6));
  }, 120_000);

  it("rows know it: the study's canal rows are made from a substituted slice or substituted levels", async () => {
    await predictWithShrink(null, "damaged-as-decided");
    const table = readCsv(join(root, "damaged-as-decided", POINTS_FILE)).rows.map((r) => r.values);
    const canal = table.filter(
      (r) => Number(r.study_id) === study && r.condition === "Spinal Canal Stenosis",
    );
    expect(canal).toHaveLength(5);
    expect(canal.every((r) => r.input === "substituted-levels" || r.input === "substituted-slice")).toBe(
      true,
    );
    // Other test studies are untouched.
    const others = table.filter(
      (r) => Number(r.study_id) !== study && r.condition === "Spinal Canal Stenosis",
    );
    expect(others.every((r) => r.input === "own")).toBe(true);
    expect(report.failures.some((f) => f.studyId === study && f.stage === "test decode")).toBe(true);
  }, 300_000);

  it("move toward the prior by the group's weight: 1 gives the prior exactly, 0 the model's own rows", async () => {
    const prior = readPrior(join(kernelOut, "checkpoints", PRIOR_FILE));
    const spinal = TARGETS.filter((t) => t.condition === "spinal_canal_stenosis");
    const asPrior = await predictWithShrink(1, "damaged-prior");
    const asModel = await predictWithShrink(0, "damaged-model");
    const clean = readPredictions(join(kernelOut, "submission.csv"));
    for (const t of spinal) {
      const id = rowId(study, t);
      asPrior.get(id)!.forEach((v, k) => expect(v).toBeCloseTo(priorFor(prior, t)[k], 12));
      expect(Math.abs(asModel.get(id)![2] - priorFor(prior, t)[2])).toBeGreaterThan(1e-6);
    }
    // Rows from own inputs do not move: they are the kernel's, whatever the degraded groups' weights.
    const own = readCsv(join(root, "damaged-as-decided", POINTS_FILE))
      .rows.map((r) => r.values)
      .filter((r) => r.input === "own" && r.split === "test")
      .map((r) =>
        rowId(Number(r.study_id), {
          condition: conditionFromTitle(r.condition)!,
          level: levelFromTitle(r.level)!,
        }),
      );
    expect(own.length).toBeGreaterThan(10);
    for (const id of own) {
      expect(asPrior.get(id)).toEqual(clean.get(id));
      expect(asModel.get(id)).toEqual(clean.get(id));
    }
  }, 600_000);

  it("the kernel's report: no group of rows and no family scores worse than the prior out of fold", () => {
    const kernel = JSON.parse(readFileSync(join(kernelOut, "report.json"), "utf8"));
    const groups = kernel.degradation as {
      kind: string;
      family: string;
      oofRows: number;
      prior: number | null;
      chosen: number | null;
    }[];
    expect(groups).toHaveLength(15);
    for (const g of groups) if (g.prior !== null) expect(g.chosen!).toBeLessThanOrEqual(g.prior + 1e-12);
    // Pass 2 made the degradations on the train studies: each family has substituted-slice rows.
    for (const family of ["spinal", "foraminal", "subarticular"])
      expect(
        groups.find((g) => g.kind === "substituted-slice" && g.family === family)!.oofRows,
      ).toBeGreaterThan(0);
    for (const family of ["spinal", "foraminal", "subarticular"] as const)
      expect(kernel.cv.honest[family]).toBeLessThanOrEqual(kernel.cv.prior[family] + 1e-12);
  });
});
