"""Kaggle entry point for the TypeScript kernel.

Kaggle runs only Python/R kernels and the competition forbids internet, so the TypeScript kernel
travels as a Kaggle dataset (built by scripts/kaggle-bundle.sh): the project sources, its installed
node_modules and a Node.js binary. This launcher unpacks nothing and installs nothing: it puts that
node on PATH and runs `lumbar kernel` on the competition data, writing /kaggle/working/submission.csv.
"""
import os
import subprocess
import sys

BUNDLE = os.environ.get("LUMBAR_BUNDLE", "/kaggle/input/rsna-lumbar-ts-bundle")
DATA = os.environ.get("LUMBAR_DATA", "/kaggle/input/rsna-2024-lumbar-spine-degenerative-classification")
OUT = os.environ.get("LUMBAR_OUT", "/kaggle/working")
PROFILE = os.environ.get("LUMBAR_PROFILE", "full")


def main() -> int:
    node = os.path.join(BUNDLE, "node", "bin", "node")
    project = os.path.join(BUNDLE, "project")
    for path in (node, os.path.join(project, "bin", "lumbar.js"), DATA):
        if not os.path.exists(path):
            print(f"launcher: missing {path}; attach the bundle dataset and the competition data", file=sys.stderr)
            return 2
    env = dict(os.environ, PATH=os.path.dirname(node) + os.pathsep + os.environ.get("PATH", ""))
    cmd = [node, os.path.join(project, "bin", "lumbar.js"), "kernel", "--data", DATA, "--out", OUT, "--profile", PROFILE]
    print("launcher:", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=project, env=env)


if __name__ == "__main__":
    sys.exit(main())
