import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "./helpers/tmp";

const LAUNCHER = resolve(__dirname, "../kaggle/launcher.py");
const GPU_LIBS = "project/node_modules/@tensorflow/tfjs-node-gpu/deps/nvidia";

/**
 * A bundle laid out as scripts/kaggle-bundle.sh writes it, whose "node" is a shell script that
 * prints what it was started with: the launcher runs for real, only node is a stand-in.
 */
function fakeBundle(opts: { cuda: boolean; executable: boolean }) {
  const root = tempDir("lumbar-launcher-");
  const bundle = join(root, "bundle");
  const node = join(bundle, "node/bin/node");
  mkdirSync(join(bundle, "node/bin"), { recursive: true });
  mkdirSync(join(bundle, "project/bin"), { recursive: true });
  writeFileSync(join(bundle, "project/bin/lumbar.js"), "");
  writeFileSync(node, '#!/bin/sh\necho "LD=$LD_LIBRARY_PATH"\necho "ARGS=$*"\n');
  chmodSync(node, opts.executable ? 0o755 : 0o644);
  if (opts.cuda) {
    for (const lib of ["cudnn", "cuda_runtime"])
      mkdirSync(join(bundle, GPU_LIBS, lib, "lib"), { recursive: true });
  }
  const data = join(root, "data");
  mkdirSync(data);
  return { root, bundle, data };
}

function launch(
  b: { root: string; bundle: string; data: string },
  env: Record<string, string> = {},
  ...argv: string[]
) {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of ["LUMBAR_PROFILE", "LUMBAR_WEIGHTS", "LUMBAR_CUDA", "LUMBAR_CACHE", "LD_LIBRARY_PATH"])
    delete base[k];
  const r = spawnSync("python3", [LAUNCHER, ...argv], {
    encoding: "utf8",
    env: { ...base, LUMBAR_BUNDLE: b.bundle, LUMBAR_DATA: b.data, LUMBAR_OUT: join(b.root, "out"), ...env },
  });
  const line = (key: string) =>
    r.stdout
      .split("\n")
      .find((l) => l.startsWith(key + "="))
      ?.slice(key.length + 1);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ld: line("LD"), args: line("ARGS") };
}

describe("kaggle/launcher.py", () => {
  it("puts the bundle's CUDA folders first on LD_LIBRARY_PATH and trains with the full profile, cache in /tmp", () => {
    const b = fakeBundle({ cuda: true, executable: true });
    const gpu = join(b.bundle, GPU_LIBS);
    const r = launch(b, { LD_LIBRARY_PATH: `/usr/local/cuda/lib64:${gpu}/cudnn/lib` });
    expect(r.status).toBe(0);
    expect(r.ld).toBe(`${gpu}/cuda_runtime/lib:${gpu}/cudnn/lib:/usr/local/cuda/lib64`);
    expect(r.args).toBe(
      `${join(b.bundle, "project/bin/lumbar.js")} kernel --data ${b.data} --out ${join(b.root, "out")} --profile full --cache /tmp/lumbar-cache`,
    );
    expect(launch(b, { LUMBAR_CACHE: join(b.root, "cache") }).args).toMatch(
      new RegExp(` --cache ${join(b.root, "cache")}$`),
    );
  });

  it("leaves LD_LIBRARY_PATH to the image with LUMBAR_CUDA=system, and without bundled CUDA", () => {
    const withCuda = fakeBundle({ cuda: true, executable: true });
    expect(launch(withCuda, { LUMBAR_CUDA: "system", LD_LIBRARY_PATH: "/usr/local/cuda/lib64" }).ld).toBe(
      "/usr/local/cuda/lib64",
    );
    expect(launch(fakeBundle({ cuda: false, executable: true })).ld).toBe("");
  });

  it("runs a copy of node when the dataset lost its executable bit", () => {
    const r = launch(fakeBundle({ cuda: false, executable: false }));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("launcher: /tmp/lumbar-node/node ");
    expect(r.args).toMatch(/ kernel --data /);
  });

  it("runs the lumbar command it is given, with the same library path, and without data", () => {
    const b = fakeBundle({ cuda: true, executable: true });
    const r = launch(b, { LUMBAR_DATA: join(b.root, "absent") }, "doctor", "--json");
    expect(r.status).toBe(0);
    expect(r.args).toBe(`${join(b.bundle, "project/bin/lumbar.js")} doctor --json`);
    expect(r.ld).toContain(join(b.bundle, GPU_LIBS, "cudnn/lib"));
    expect(launch(b, { LUMBAR_DATA: join(b.root, "absent") }).status).toBe(2);
  });

  it("predicts with attached weights and refuses missing ones it was pointed at", () => {
    const b = fakeBundle({ cuda: false, executable: true });
    const weights = join(b.root, "weights");
    mkdirSync(join(weights, "checkpoints"), { recursive: true });
    writeFileSync(join(weights, "checkpoints/config.json"), "{}");
    expect(launch(b, { LUMBAR_WEIGHTS: weights }).args).toMatch(
      / predict --data .* --weights .*weights --out /,
    );
    const missing = launch(b, { LUMBAR_WEIGHTS: join(b.root, "nope") });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("holds no config.json");
  });
});
