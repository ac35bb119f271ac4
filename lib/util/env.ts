/**
 * Every LUMBAR_* environment variable the library reads, in one place, with its default and what
 * it changes. Values are read at each call (tests and the notebook runner set them at run time).
 * kaggle/launcher.py reads its own (LUMBAR_BUNDLE, LUMBAR_WEIGHTS, and LUMBAR_DATA / OUT / PROFILE
 * with Kaggle paths as defaults) before `lumbar` starts; the README lists both.
 */
export const ENV_VARS = {
  LUMBAR_BACKEND: {
    default: "best available",
    effect: "force the tfjs backend: tensorflow-gpu, tensorflow, wasm or cpu",
  },
  LUMBAR_TRAIN: {
    default: "graph on TensorFlow",
    effect:
      "eager: train with tfjs's eager steps on TensorFlow too (the reference path), not one graph call per batch",
  },
  LUMBAR_QUIET: { default: "unset", effect: "1: no progress bars or per-unit summaries" },
  LUMBAR_PROGRESS_SECONDS: {
    default: "30",
    effect: "without a TTY, at most one progress line per bar every this many seconds",
  },
  LUMBAR_DICOM_SIMD: { default: "on", effect: "0: decode pixel data with the JS loops, not wasm SIMD" },
  LUMBAR_BPF_CHUNK: {
    default: "from the channel counts",
    effect: "rows per matmul in the wasm Conv2DBackpropFilter kernel (benchmarks)",
  },
  LUMBAR_NATIVE_CACHE: {
    default: "~/.cache/rsna-lumbar-ts",
    effect:
      "where scripts/native-tf.sh keeps the TensorFlow wheels and builds, and `bench train` the Keras peer's environment",
  },
  LUMBAR_PYTHON: {
    default: "/usr/bin/python3",
    effect: "the Python with Jupyter that `lumbar notebooks` runs",
  },
  LUMBAR_CHROMIUM: { default: "usual Debian paths", effect: "the Chromium that renders figures to PNG" },
  LUMBAR_FIGURE_PNG: {
    default: "1",
    effect:
      "notebooks: 0 sends figures as plotly JSON only, drawn at once by JupyterLab's plotly renderer (set by `scripts/jupyter.sh lab`); 1 adds a PNG for the HTML export and classic Notebook (`lumbar notebooks` sets 1)",
  },
  LUMBAR_PROFILE: { default: "quick", effect: "notebooks: training profile (set by `lumbar notebooks`)" },
  LUMBAR_SEED: { default: "42", effect: "notebooks: seed (set by `lumbar notebooks`)" },
  LUMBAR_DATA: {
    default: "the synthetic demo set",
    effect: "notebooks: competition-layout data folder (set by `lumbar notebooks`)",
  },
  LUMBAR_OUT: { default: "../out/notebooks", effect: "notebooks: output folder (set by `lumbar notebooks`)" },
  LUMBAR_KEEP_TEST_TMP: {
    default: "unset",
    effect: "tests: 1 keeps the run's temp folder (TMPDIR of the test forks) instead of removing it at the end",
  },
} as const;

export type EnvName = keyof typeof ENV_VARS;

/** The variable's value, trimmed; undefined when unset or empty. */
export function readEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** A number variable; undefined when unset, empty or not a finite number. */
export function readEnvNumber(name: EnvName, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = readEnv(name, env);
  const x = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(x) ? x : undefined;
}
