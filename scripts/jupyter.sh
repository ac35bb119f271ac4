#!/usr/bin/env bash
# Jupyter with the project's tslab kernel, for interactive work on notebooks/:
#   scripts/jupyter.sh notebook        (Debian: apt-get install --no-install-recommends jupyter-notebook)
#   scripts/jupyter.sh lab             (where JupyterLab is installed)
#   scripts/jupyter.sh execute X.ipynb
# Builds lib/ into the `lumbar` package the notebooks import (after editing lib/: `npm run build`, or
# keep `npm run build:watch` running, then restart the kernel) and puts the committed kernel spec
# (.jupyter/kernels/tslab) and node_modules/.bin (tslab) on the paths Jupyter searches. For VS Code, set
# JUPYTER_PATH=<repo>/.jupyter and PATH=<repo>/node_modules/.bin:$PATH in the environment it starts from.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node "$root/scripts/build-lib.js" || echo "jupyter.sh: lib/ has type errors; dist/ was emitted anyway" >&2
export JUPYTER_PATH="$root/.jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export PATH="$root/node_modules/.bin:$PATH"
cd "$root/notebooks"
exec jupyter "$@"
