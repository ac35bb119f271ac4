"""Kaggle entry point for the TypeScript kernel.

Kaggle runs only Python/R kernels and the competition forbids internet, so the TypeScript kernel
travels as a Kaggle dataset (built by scripts/kaggle-bundle.sh): the project sources, its installed
node_modules and a Node.js binary. This launcher unpacks nothing and installs nothing: it puts that
node on PATH and writes /kaggle/working/submission.csv in one of two ways (or, given arguments, runs
that lumbar command: `python3 launcher.py doctor` reports what the session provides):

- predict with attached weights: when a weights dataset is attached (LUMBAR_WEIGHTS, default
  /kaggle/input/rsna-lumbar-ts-weights: the checkpoints folder of a finished `lumbar kernel` run, i.e.
  config.json, offsets.json, prior.json and one folder per model and fold), run `lumbar predict`: no
  training, only the hidden test set is predicted;
- otherwise train and predict in the kernel session: `lumbar kernel` with LUMBAR_PROFILE, its
  training inputs' cache in LUMBAR_CACHE (default /tmp/lumbar-cache, off the saved output).

GPU: the bundle holds TensorFlow's CUDA build (tfjs-node-gpu; loaded where an NVIDIA driver runs,
else its CPU build, tfjs-node) and the CUDA 12 / cuDNN 9 libraries it dlopens, under
node_modules/@tensorflow/tfjs-node-gpu/deps/nvidia/*/lib, where the
RUNPATH of libtensorflow_framework.so.2 already looks. The launcher also puts those folders first on
LD_LIBRARY_PATH, which the loader searches before RUNPATH: an image that exports its own CUDA
folders there would otherwise shadow them with other versions. LUMBAR_CUDA=system skips this (use
the image's CUDA libraries). Only the NVIDIA driver (libcuda.so.1) comes from the machine.
"""
import glob
import os
import shutil
import stat
import subprocess
import sys

BUNDLE = os.environ.get("LUMBAR_BUNDLE", "/kaggle/input/rsna-lumbar-ts-bundle")
DATA = os.environ.get("LUMBAR_DATA", "/kaggle/input/rsna-2024-lumbar-spine-degenerative-classification")
OUT = os.environ.get("LUMBAR_OUT", "/kaggle/working")
PROFILE = os.environ.get("LUMBAR_PROFILE", "full")
WEIGHTS = os.environ.get("LUMBAR_WEIGHTS", "/kaggle/input/rsna-lumbar-ts-weights")
# The training inputs' cache (GBs on the full set) goes to scratch, not /kaggle/working: that folder
# is the session's saved output, capped at 20 GB.
CACHE = os.environ.get("LUMBAR_CACHE", "/tmp/lumbar-cache")


def has_weights(path: str) -> bool:
    """A checkpoints folder, or a kernel --out folder holding one."""
    return any(os.path.isfile(os.path.join(path, *p, "config.json")) for p in ((), ("checkpoints",)))


def command(lumbar: str) -> list:
    if has_weights(WEIGHTS):
        # --profile only when asked for explicitly: then weights of another profile are refused.
        profile = ["--profile", os.environ["LUMBAR_PROFILE"]] if "LUMBAR_PROFILE" in os.environ else []
        return [lumbar, "predict", "--data", DATA, "--weights", WEIGHTS, "--out", OUT, *profile]
    if "LUMBAR_WEIGHTS" in os.environ:
        # Asked for predict-only, but the weights are not there: training instead would silently
        # take hours and produce a different model.
        raise FileNotFoundError(f"LUMBAR_WEIGHTS={WEIGHTS} holds no config.json (nor checkpoints/config.json)")
    return [lumbar, "kernel", "--data", DATA, "--out", OUT, "--profile", PROFILE, "--cache", CACHE]


def cuda_lib_dirs(project: str) -> list:
    """The CUDA library folders the bundle carries (none in a bundle built with --no-cuda)."""
    gpu = os.path.join(project, "node_modules", "@tensorflow", "tfjs-node-gpu", "deps", "nvidia")
    return sorted(glob.glob(os.path.join(gpu, "*", "lib")))


def library_path(project: str, env: dict) -> str:
    """LD_LIBRARY_PATH for node: the bundle's CUDA folders first, unless LUMBAR_CUDA=system."""
    current = [p for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    ours = [] if env.get("LUMBAR_CUDA") == "system" else cuda_lib_dirs(project)
    return os.pathsep.join(ours + [p for p in current if p not in ours])


def runnable(node: str) -> str:
    """A dataset may not keep the executable bit: then run a copy that has it."""
    if os.access(node, os.X_OK):
        return node
    copy = os.path.join("/tmp", "lumbar-node", "node")
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    shutil.copyfile(node, copy)
    os.chmod(copy, os.stat(copy).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return copy


def main(argv: list) -> int:
    node = os.path.join(BUNDLE, "node", "bin", "node")
    project = os.path.join(BUNDLE, "project")
    lumbar = os.path.join(project, "bin", "lumbar.js")
    # Arguments run that lumbar command instead (`launcher.py doctor`: what the session provides).
    for path in (node, lumbar) if argv else (node, lumbar, DATA):
        if not os.path.exists(path):
            print(f"launcher: missing {path}; attach the bundle dataset and the competition data", file=sys.stderr)
            return 2
    try:
        args = [lumbar, *argv] if argv else command(lumbar)
    except FileNotFoundError as e:
        print(f"launcher: {e}", file=sys.stderr)
        return 2
    node = runnable(node)
    env = dict(os.environ, PATH=os.path.dirname(node) + os.pathsep + os.environ.get("PATH", ""))
    env["LD_LIBRARY_PATH"] = library_path(project, env)
    cmd = [node, *args]
    print("launcher: LD_LIBRARY_PATH=" + env["LD_LIBRARY_PATH"], flush=True)
    print("launcher:", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=project, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
