#!/usr/bin/env bash
# Jupyter with the project's tslab kernel, for interactive work on notebooks/:
#   scripts/jupyter.sh lab [ARGS]        JupyterLab 4 with plotly's renderer (installs it on first use, see setup)
#   scripts/jupyter.sh notebook [ARGS]   classic Notebook, Debian's (apt-get install --no-install-recommends jupyter-notebook)
#   scripts/jupyter.sh execute X.ipynb   jupyter execute (nbclient), Debian's
#   scripts/jupyter.sh setup             install JupyterLab into its cached virtual environment; prints its folder
#   scripts/jupyter.sh where             that folder when installed, else exit 1 (installs nothing)
# JupyterLab comes from PyPI, every package pinned with its wheel's sha256 (scripts/jupyterlab-requirements.txt),
# into a virtual environment under $LUMBAR_NATIVE_CACHE (default ~/.cache/rsna-lumbar-ts, like the
# TensorFlow wheel) keyed by that file's hash and the Python version: a fresh clone reuses it.
# Each command builds lib/ into the `lumbar` package the notebooks import (after editing lib/:
# `npm run build`, or keep `npm run build:watch` running, then restart the kernel) and puts the
# committed kernel spec (.jupyter/kernels/tslab, through JUPYTER_PATH) and node_modules/.bin (tslab) on
# the paths Jupyter searches, so each clone's notebooks run on its own lib/. As root, lab and notebook
# get --allow-root. lab sets LUMBAR_FIGURE_PNG=0: figures go out as plotly JSON alone, which
# JupyterLab's plotly renderer draws at once (with a PNG beside it, it shows the PNG until hovered).
# For VS Code, set JUPYTER_PATH=<repo>/.jupyter and PATH=<repo>/node_modules/.bin:$PATH in the
# environment it starts from.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$root/scripts/jupyterlab-requirements.txt"
cache="${LUMBAR_NATIVE_CACHE:-$HOME/.cache/rsna-lumbar-ts}/jupyterlab"

die() { echo "jupyter.sh: $*" >&2; exit 1; }

# The environment's folder for this requirements file and this python3.
lab_env_dir() {
  command -v python3 >/dev/null || die "python3 not found (Debian: apt-get install python3 python3-venv)"
  local version key
  version=$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  key=$(sha256sum "$requirements" | cut -c1-12)
  echo "$cache/$key-py$version"
}

# Create the environment unless a finished one is there; a half-built one (no .complete) is redone.
# flock: two set-ups at once (a test and a user) build it once.
ensure_lab_env() {
  local dir
  dir=$(lab_env_dir)
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    echo "jupyter.sh: installing JupyterLab into $dir" >&2
    python3 -m venv "$dir" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input --require-hashes \
      --only-binary=:all: -r "$requirements" >&2 || die "pip could not install $requirements (no network to PyPI?)"
    "$dir/bin/jupyter" labextension list 2>&1 | grep -q "jupyterlab-plotly.*enabled" ||
      die "the plotly renderer (jupyterlab-plotly) is not enabled in $dir"
    touch "$dir/.complete"
  fi
  flock -u 9
  echo "$dir"
}

# lib/ as the `lumbar` package, the kernel spec and tslab on Jupyter's paths.
prepare() {
  node "$root/scripts/build-lib.js" || echo "jupyter.sh: lib/ has type errors; dist/ was emitted anyway" >&2
  export JUPYTER_PATH="$root/.jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
  export PATH="$root/node_modules/.bin:$PATH"
  cd "$root/notebooks"
}

root_flag=()
[ "$(id -u)" = 0 ] && root_flag=(--allow-root)

case "${1:-}" in
  setup) ensure_lab_env ;;
  where)
    dir=$(lab_env_dir)
    [ -f "$dir/.complete" ] || die "JupyterLab is not installed for this checkout's requirements (scripts/jupyter.sh setup)"
    echo "$dir"
    ;;
  lab)
    shift
    dir=$(ensure_lab_env)
    prepare
    export LUMBAR_FIGURE_PNG="${LUMBAR_FIGURE_PNG:-0}"
    exec "$dir/bin/jupyter" lab "${root_flag[@]}" "$@"
    ;;
  notebook)
    shift
    prepare
    exec jupyter notebook "${root_flag[@]}" "$@"
    ;;
  "" | -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' ;;
  *)
    prepare
    exec jupyter "$@"
    ;;
esac
