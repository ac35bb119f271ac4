import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { generateDataset } from "../../lib/synth";
import type { KernelPlan } from "../../lib/kernel";
import { tempDir } from "../helpers/tmp";

/**
 * scripts/slurm end to end on a single-node Slurm started here (scripts/slurm/local-cluster.sh):
 * submit.sh runs a smoke run's units as two array jobs (localizer folds, then the classifier units
 * after them) and the final plain kernel after those; every unit runs as its own array task, and the
 * submission is the same bytes as one `lumbar kernel` process. Runs where Slurm can (root, Debian's
 * slurm-wlm + munge: scripts/apt-deps.sh); LUMBAR_SLURM_TEST=1 makes their absence a failure (CI),
 * LUMBAR_SLURM_TEST=0 skips. About 65 s on 2 cores, data included (daemons up in under 2 s).
 */
const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/lumbar.js");
const SCRIPTS = join(ROOT, "scripts/slurm");
const PATH = [dirname(process.execPath), process.env.PATH ?? "", "/usr/sbin", "/sbin"].join(delimiter);
const DAEMONS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel"];

const wanted = process.env.LUMBAR_SLURM_TEST;
const onPath = (bin: string) => PATH.split(delimiter).some((d) => d !== "" && existsSync(join(d, bin)));
const missing = DAEMONS.filter((b) => !onPath(b));
const why =
  process.getuid?.() !== 0
    ? "needs root (slurmd runs the jobs)"
    : missing.length > 0
      ? `${missing.join(", ")} not found (apt-get install slurm-wlm munge; scripts/apt-deps.sh)`
      : undefined;
const skip = wanted === "0" || (wanted !== "1" && why !== undefined);
if (skip) console.warn(`SKIP: the Slurm test is skipped: ${wanted === "0" ? "LUMBAR_SLURM_TEST=0" : why}`);

const run = promisify(execFile);
const env: NodeJS.ProcessEnv = { ...process.env, PATH };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** jobcomp/filetxt: one line per finished job or array task, `Key=value` separated by spaces. */
type JobRecord = Record<string, string>;
const readJobcomp = (file: string): JobRecord[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => Object.fromEntries([...l.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1], m[2]])));

/** Until this cluster's queue is empty (only this file's jobs are on it). */
async function drained(limitS = 240): Promise<void> {
  for (let s = 0; ; s++) {
    const { stdout } = await run("squeue", ["-h", "-o", "%i"], { env });
    if (stdout.trim() === "") return;
    if (s > limitS) throw new Error(`Slurm jobs still queued after ${limitS} s:\n${stdout}`);
    await sleep(1000);
  }
}

let root: string;
let cluster: string;
let data: string;

describe.skipIf(skip)("a smoke run as Slurm array jobs (scripts/slurm)", () => {
  beforeAll(async () => {
    if (why !== undefined) throw new Error(`LUMBAR_SLURM_TEST=1 but ${why}`);
    root = tempDir("lumbar-slurm-");
    cluster = join(root, "cluster");
    data = join(root, "data");
    await generateDataset({ out: data, train: 8, test: 2, seed: 5, size: "small" });
    const t0 = Date.now();
    await run("bash", [join(SCRIPTS, "local-cluster.sh"), "start", cluster], { env });
    console.log(`slurm: munged, slurmctld and slurmd up, node idle in ${(Date.now() - t0) / 1000} s`);
    env.SLURM_CONF = join(cluster, "slurm.conf");
  });

  afterAll(() => {
    if (cluster) spawnSync("bash", [join(SCRIPTS, "local-cluster.sh"), "stop", cluster], { env });
  });

  it("every unit is its own array task, waves in the plan's order, then the same submission as one process", async () => {
    const out = join(root, "slurm-run");
    const smoke = ["--profile", "smoke", "--seed", "3", "--quiet"];
    const kernel = (dir: string) => ["--data", data, "--out", dir, ...smoke];
    const t0 = Date.now();
    const submit = [join(SCRIPTS, "submit.sh"), "--time=10", "--", ...kernel(out)];
    const submitted = await run("bash", submit, { env, cwd: root });
    const jobs = /^jobs: (.+)$/m.exec(submitted.stdout)![1].split(" ");

    // The single-process reference, while Slurm runs the units.
    const one = join(root, "one");
    const single = run(process.execPath, [BIN, "kernel", ...kernel(one)], { env });

    await drained();
    console.log(`slurm: plan, submission and ${jobs.length} jobs in ${(Date.now() - t0) / 1000} s`);
    await single;

    const plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8")) as KernelPlan;
    const waves = jobs.slice(0, -1).map((_, w) =>
      readFileSync(join(out, "slurm", `wave${w}.txt`), "utf8")
        .trim()
        .split("\n"),
    );
    // Stage 1 (level localizers and side-point nets, which need nothing), then every unit that needs
    // them; nothing else (no unit names in the scripts).
    expect(waves.flat()).toEqual(plan.units.map((u) => u.id));
    expect(waves.map((ids) => new Set(ids.map((id) => plan.units.find((u) => u.id === id)!.kind)))).toEqual([
      new Set(["localizer", "side-points"]),
      new Set(["classifier"]),
    ]);

    const records = readJobcomp(join(cluster, "jobcomp.txt"));
    const log = (name: string) => readFileSync(join(out, "slurm", "logs", name), "utf8");
    const ends: string[][] = [];
    waves.forEach((ids, w) => {
      const tasks = records
        .filter((r) => r.ArrayJobId === jobs[w])
        .sort((a, b) => Number(a.ArrayTaskId) - Number(b.ArrayTaskId));
      expect(tasks.map((r) => Number(r.ArrayTaskId))).toEqual(ids.map((_, i) => i));
      expect(tasks.map((r) => r.JobState)).toEqual(ids.map(() => "COMPLETED"));
      expect(new Set(tasks.map((r) => r.JobId)).size).toBe(ids.length); // a Slurm job per unit
      ids.forEach((id, t) => {
        const text = log(`wave${w}-${jobs[w]}_${t}.out`);
        expect(text).toMatch(new RegExp(`^slurm: job ${jobs[w]}_${t} on \\S+: unit ${id}$`, "m"));
        expect(text).toContain(`unit ${id}: finished`);
      });
      // The dependency held: no task of this wave started before the previous wave's last ended.
      if (w > 0)
        for (const r of tasks)
          expect(r.StartTime >= ends[w - 1].reduce((a, b) => (a > b ? a : b))).toBe(true);
      ends.push(tasks.map((r) => r.EndTime));
    });
    const final = records.find((r) => r.JobId === jobs.at(-1))!;
    expect(final.JobState).toBe("COMPLETED");
    expect(final.StartTime >= ends.flat().reduce((a, b) => (a > b ? a : b))).toBe(true);
    expect(log(`final-${final.JobId}.out`)).toContain("final step");

    // The final step trained nothing: each unit once, by its own task.
    const trained = readFileSync(join(out, "train-log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { unit: string }).unit);
    expect(trained.length).toBe(plan.units.length); // smoke: one epoch per unit
    expect(new Set(trained).size).toBe(plan.units.length);

    for (const file of ["submission.csv", "oof.csv"])
      expect(readFileSync(join(out, file), "utf8")).toBe(readFileSync(join(one, file), "utf8"));
  }, 300_000);

  it("a failed unit cancels the waves after it and the final step (--kill-on-invalid-dep)", async () => {
    const out = join(root, "failing");
    // The plan runs here; the jobs get a backend that does not exist, so every unit task fails.
    const kernel = ["--data", data, "--out", out, "--profile", "smoke", "--quiet"];
    const sbatch = "--export=ALL,LUMBAR_BACKEND=none-such";
    const { stdout } = await run("bash", [join(SCRIPTS, "submit.sh"), sbatch, "--", ...kernel], {
      env,
      cwd: root,
    });
    const jobs = /^jobs: (.+)$/m.exec(stdout)![1].split(" ");
    await drained(60);
    const records = readJobcomp(join(cluster, "jobcomp.txt"));
    const state = (job: string) => [
      ...new Set(records.filter((r) => r.ArrayJobId === job || r.JobId === job).map((r) => r.JobState)),
    ];
    expect(state(jobs[0])).toEqual(["FAILED"]);
    for (const job of jobs.slice(1)) expect(state(job)).toEqual(["CANCELLED"]);
    expect(readFileSync(join(out, "slurm", "logs", `wave0-${jobs[0]}_0.out`), "utf8")).toContain(
      'BackendUnavailableError: backend "none-such" is unavailable',
    );
    expect(existsSync(join(out, "submission.csv"))).toBe(false);
  }, 120_000);
});
