#!/usr/bin/env bash
# One command from a fresh Debian/Ubuntu machine to a scored submission: Debian packages (Chromium,
# Jupyter) when missing, npm dependencies, the native TensorFlow backend, JupyterLab's environment,
# then the batch kernel on the embedded demo data.
# Usage: bash scripts/setup.sh [kernel options, default: --profile quick --out out/quick]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-deps.sh
apt_install "${APT_PACKAGES[@]}"
npm ci --no-audit --no-fund
# Native TensorFlow (tfjs-node) from PyPI's wheel; says why and falls back to wasm where it cannot.
bash scripts/native-tf.sh
# JupyterLab and plotly's renderer in a cached virtual environment (scripts/jupyter.sh lab opens it);
# without PyPI it says so and `jupyter.sh lab` tries again on first use.
bash scripts/jupyter.sh setup >/dev/null || echo "setup: JupyterLab not installed now (scripts/jupyter.sh lab installs it on first use)"
if [ $# -eq 0 ]; then set -- --profile quick --out out/quick; fi
exec node bin/lumbar.js kernel "$@"
