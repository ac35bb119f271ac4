import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import { intOption, withRun } from "../lib/cli/command";
import { DicomFileReader, encodeDicom, readDicomSync } from "../lib/dicom";
import { Rng } from "../lib/util/rng";

type StudyModule = typeof import("./dicom-study");
/** Loaded on demand: it pulls in tfjs, which every `lumbar` command would otherwise pay for at start. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const studyModule = (): StudyModule => require("./dicom-study") as StudyModule;

const ROOT = path.resolve(__dirname, "..");
const PEER = path.join(__dirname, "dicom_peer.py");
const PYTHON = "/usr/bin/python3";
const SIZE = 512;

interface Opts {
  files: number;
  runs: number;
  json?: boolean;
  dir: string;
  worker?: string;
  list?: string;
}

/**
 * `lumbar bench dicom [--json]`: decode N uncompressed 16-bit 512x512 MR files to rescaled
 * float32, ours vs pydicom+numpy, each in several fresh processes (median files/s), page cache
 * warm. Then the crop path: a synthetic study folder -> every crop of the study.
 */
export function dicomBench(): Command {
  const cmd = new Command("dicom")
    .description("DICOM decode to float32 files/s, ours vs pydicom+numpy; crop path ms per study")
    .option("--files <n>", "files decoded per process", intOption("files"), 300)
    .option("--runs <n>", "fresh processes per side (median reported)", intOption("runs"), 5)
    .option("--dir <dir>", "where the benchmark files are written", path.join(ROOT, ".cache", "bench-dicom"))
    .option("--json", "one JSON object")
    .addOption(new Option("--worker <kind>").hideHelp())
    .addOption(new Option("--list <file>").hideHelp());
  return withRun<Opts>(cmd, async (opts) => {
    if (opts.worker) return runWorker(opts);
    const files = writeFiles(opts.dir, opts.files);
    const list = path.join(opts.dir, "files.txt");
    fs.writeFileSync(list, files.join("\n") + "\n");
    for (const f of files) fs.readFileSync(f); // warm the page cache for both sides
    // Alternate ours and the peer so both see the same background load (shared 2-core machines).
    const peerOk = havePeer();
    const runs = { ours: [] as Run[], oursFresh: [] as Run[], peer: [] as Run[], peerFresh: [] as Run[] };
    for (let r = 0; r < opts.runs; r++) {
      runs.ours.push(spawnOurs(list, "pooled"));
      if (peerOk) runs.peer.push(spawnPeer(list, "pooled"));
      runs.oursFresh.push(spawnOurs(list, "fresh"));
      if (peerOk) runs.peerFresh.push(spawnPeer(list, "fresh"));
    }
    const rate = (xs: Run[]) => (xs.length ? median(xs.map((x) => x.filesPerSec)) : null);
    const cpuRate = (xs: Run[]) => (xs.length ? median(xs.map((x) => x.filesPerCpuSec)) : null);
    const ratioOf = (a: number | null, b: number | null) =>
      a === null || b === null ? null : round(a / b, 2);
    const ours = rate(runs.ours)!;
    const fresh = rate(runs.oursFresh)!;
    const peer = rate(runs.peer);
    const peerFresh = rate(runs.peerFresh);
    // Same files, same float32 values: the checksums of first pixels must agree across all four.
    const checksums = new Set(
      [...runs.ours, ...runs.oursFresh, ...runs.peer, ...runs.peerFresh].map((x) => x.checksum),
    );
    const { runCropStudy, writeBenchStudy } = studyModule();
    const study = await runCropStudy(writeBenchStudy(path.join(opts.dir, "study")));
    const result = {
      bench: "dicom",
      files: files.length,
      runs: opts.runs,
      oursFilesPerSec: round(ours),
      pydicomFilesPerSec: peer === null ? null : round(peer),
      ratio: peer === null ? null : round(ours / peer, 2),
      oursFreshFilesPerSec: round(fresh),
      pydicomFreshFilesPerSec: peerFresh === null ? null : round(peerFresh),
      ratioFresh: peerFresh === null ? null : round(fresh / peerFresh, 2),
      perCpuSecond: {
        ours: round(cpuRate(runs.ours)!),
        pydicom: peer === null ? null : round(cpuRate(runs.peer)!),
        ratio: ratioOf(cpuRate(runs.ours), cpuRate(runs.peer)),
        oursFresh: round(cpuRate(runs.oursFresh)!),
        pydicomFresh: peerFresh === null ? null : round(cpuRate(runs.peerFresh)!),
        ratioFresh: ratioOf(cpuRate(runs.oursFresh), cpuRate(runs.peerFresh)),
      },
      valuesAgree: checksums.size === 1,
      runsFilesPerSec: Object.fromEntries(
        Object.entries(runs).map(([k, v]) => [k, v.map((x) => round(x.filesPerSec))]),
      ),
      peer:
        peer === null
          ? `skipped: ${PYTHON} with pydicom and numpy not found`
          : "pydicom 2.x + numpy (/usr/bin/python3)",
      cropStudy: study,
    };
    if (opts.json) console.log(JSON.stringify(result));
    else {
      console.log(
        `decode ${files.length} x ${SIZE}x${SIZE} 16-bit MR -> float32, median of ${opts.runs} fresh processes`,
      );
      if (peer === null) console.log(`  peer ${result.peer}`);
      console.log(
        `  reused buffers: ours ${result.oursFilesPerSec} files/s, pydicom+numpy (frombuffer, out=) ${result.pydicomFilesPerSec ?? "-"} files/s, ratio ${result.ratio ?? "-"}x`,
      );
      console.log(
        `  fresh arrays:   ours ${result.oursFreshFilesPerSec} files/s, pydicom+numpy (pixel_array.astype) ${result.pydicomFreshFilesPerSec ?? "-"} files/s, ratio ${result.ratioFresh ?? "-"}x`,
      );
      const c = result.perCpuSecond;
      console.log(
        `  per CPU-second (steadier under load): reused ${c.ours} vs ${c.pydicom ?? "-"} (${c.ratio ?? "-"}x), fresh ${c.oursFresh} vs ${c.pydicomFresh ?? "-"} (${c.ratioFresh ?? "-"}x)`,
      );
      console.log(`  float32 values agree across all four: ${result.valuesAgree}`);
      console.log(
        `crop path: study of ${study.images} images (${study.series} series) -> ${study.crops} crops: ` +
          `${study.msPerStudy} ms/study (of which header scans ${study.msScan} ms; ${study.decodedSlices} slices decoded)`,
      );
      console.log(
        `  the 25 crops alone, volumes in memory: JS ${study.msCropsOnlyJs} ms, tfjs-wasm cropAndResize ${study.msCropsOnlyTfWasm} ms`,
      );
    }
    return 0;
  });
}

/** Half unsigned 12-bit without rescale (typical MR), half signed 16-bit with a rescale. */
function writeFiles(dir: string, n: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const rng = new Rng(1234);
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `img${String(i).padStart(4, "0")}.dcm`);
    files.push(file);
    if (fs.existsSync(file)) continue;
    const signed = i % 2 === 1;
    const pixels = signed ? new Int16Array(SIZE * SIZE) : new Uint16Array(SIZE * SIZE);
    for (let k = 0; k < pixels.length; k++) pixels[k] = signed ? rng.int(-2000, 2000) : rng.int(0, 4095);
    const bytes = encodeDicom({
      rows: SIZE,
      columns: SIZE,
      pixels,
      bitsStored: signed ? 16 : 12,
      rescaleSlope: signed ? 2 : undefined,
      rescaleIntercept: signed ? -1024 : undefined,
      instanceNumber: i + 1,
      imagePositionPatient: [0, 0, i],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      pixelSpacing: [0.5, 0.5],
    });
    fs.writeFileSync(file, bytes);
  }
  return files;
}

/**
 * The timed loop of one fresh process: every file to a float32 frame. "pooled" reuses one file
 * buffer and one output array (what a crop loop needs); "fresh" allocates both per file, as numpy does.
 */
function runWorker(opts: Opts): number {
  const files = fs.readFileSync(opts.list!, "utf8").split("\n").filter(Boolean);
  let checksum = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  if (opts.worker === "pooled") {
    const reader = new DicomFileReader();
    const out = new Float32Array(SIZE * SIZE);
    for (const f of files) checksum += readDicomSync(f, reader).frame(0, { out })[0];
  } else {
    for (const f of files) checksum += readDicomSync(f).frame(0)[0];
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({ files: files.length, seconds, cpuSeconds, checksum }));
  return 0;
}

interface Run {
  filesPerSec: number;
  /** Files per CPU-second of the process: steadier than wall time on a shared, loaded machine. */
  filesPerCpuSec: number;
  checksum: number;
}

function spawnOurs(list: string, mode: "pooled" | "fresh"): Run {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "bin", "lumbar.js"), "bench", "dicom", "--worker", mode, "--list", list],
    {
      encoding: "utf8",
    },
  );
  return parseRun(r.stdout, r.stderr, "ours");
}

function spawnPeer(list: string, mode: "pooled" | "fresh"): Run {
  const r = spawnSync(PYTHON, [PEER, list, mode], { encoding: "utf8" });
  return parseRun(r.stdout, r.stderr, "pydicom");
}

function parseRun(stdout: string, stderr: string, who: string): Run {
  const line = stdout.trim().split("\n").pop() ?? "";
  try {
    const r = JSON.parse(line) as { files: number; seconds: number; cpuSeconds: number; checksum: number };
    return { filesPerSec: r.files / r.seconds, filesPerCpuSec: r.files / r.cpuSeconds, checksum: r.checksum };
  } catch {
    throw new Error(`${who} worker failed: ${stderr || stdout}`);
  }
}

function havePeer(): boolean {
  if (!fs.existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ["-c", "import pydicom, numpy"]).status === 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
