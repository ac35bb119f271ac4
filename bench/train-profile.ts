import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { adamHyper, buildTrainingGraph, writeSavedModel } from "../lib/engine/graph";
import { softmaxCrossEntropyGraph } from "./trainer/loss";
import { REFERENCE_MODELS, type ReferenceModelName } from "./reference-models";

const PROFILER = path.join(__dirname, "train_profile.py");

/** One side's profile (bench/train_profile.py's JSON): untimed-step seconds and ms per op type. */
export interface OpProfile {
  side: "graph" | "keras";
  stepSeconds: number[];
  stepCpu: number[];
  ops: Record<string, { ms: number; runs: number }>;
}

/**
 * `bench train --profile-ops`: where one training step's time goes, per TensorFlow op type, in our
 * graph step and in Keras's compiled step, each in a fresh process of the Keras peer's Python (the
 * same TensorFlow our backend loads). Our side runs the SavedModel the graph trainer would load,
 * written here with the model's initial weights.
 */
export function profileOps(
  model: ReferenceModelName,
  threads: number,
  steps: number,
  python: string,
): OpProfile[] {
  const spec = REFERENCE_MODELS[model];
  const net = spec.build();
  const dir = mkdtempSync(path.join(os.tmpdir(), "lumbar-profile-"));
  try {
    writeSavedModel(buildTrainingGraph(net, softmaxCrossEntropyGraph(spec.classes), adamHyper()), dir);
    const weights = net.weights.map((w) => Buffer.from((w.read().dataSync() as Float32Array).buffer));
    writeFileSync(path.join(dir, "weights.bin"), Buffer.concat(weights));
    return (["graph", "keras"] as const).map((side) => {
      const args = [PROFILER, "--side", side, "--model", model, "--threads", String(threads)];
      const r = spawnSync(python, [...args, "--steps", String(steps), "--saved-model", dir], {
        encoding: "utf8",
        env: { ...process.env, TF_ENABLE_ONEDNN_OPTS: process.env.TF_ENABLE_ONEDNN_OPTS ?? "1" },
        maxBuffer: 1 << 24,
      });
      const line = r.stdout.trim().split("\n").pop() ?? "";
      if (r.status !== 0 || !line.startsWith("{"))
        throw new Error(
          `bench train --profile-ops: ${side} exited ${r.status}: ${(r.stderr || r.stdout).slice(-800)}`,
        );
      return JSON.parse(line) as OpProfile;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    net.dispose();
  }
}

/** The two profiles side by side: each op type's ms per step, largest first, then the totals. */
export function formatProfiles(model: string, threads: number, [ours, keras]: OpProfile[]): string {
  const types = [...new Set([...Object.keys(ours.ops), ...Object.keys(keras.ops)])];
  const ms = (p: OpProfile, t: string) => p.ops[t]?.ms ?? 0;
  types.sort((a, b) => Math.max(ms(ours, b), ms(keras, b)) - Math.max(ms(ours, a), ms(keras, a)));
  const cell = (p: OpProfile, t: string) =>
    p.ops[t] ? `${p.ops[t].ms.toFixed(1)} ms x${p.ops[t].runs}`.padStart(18) : "".padStart(18);
  const total = (p: OpProfile) => Object.values(p.ops).reduce((s, o) => s + o.ms, 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const step = (p: OpProfile) =>
    `${(median(p.stepSeconds) * 1000).toFixed(0)} ms wall, ${(median(p.stepCpu) * 1000).toFixed(0)} ms CPU`;
  return [
    `${model} threads=${threads}: per op type, ms per step (each node's fastest traced run) | load ${os.loadavg()[0].toFixed(2)}`,
    `${"op type".padEnd(34)}${"graph".padStart(18)}${"keras".padStart(18)}`,
    ...types
      .filter((t) => Math.max(ms(ours, t), ms(keras, t)) >= 0.05)
      .map((t) => `${t.padEnd(34)}${cell(ours, t)}${cell(keras, t)}`),
    `${"sum of ops".padEnd(34)}${`${total(ours).toFixed(1)} ms`.padStart(18)}${`${total(keras).toFixed(1)} ms`.padStart(18)}`,
    `untraced step, median: graph ${step(ours)}; keras ${step(keras)}`,
  ].join("\n");
}
