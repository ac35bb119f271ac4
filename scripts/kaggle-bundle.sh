#!/usr/bin/env bash
# Build the Kaggle dataset folder the launcher expects: project sources + node_modules + this node.
# Run on a Linux x86_64 machine with internet (npm can then install @tensorflow/tfjs-node-gpu and its
# libtensorflow for Kaggle's GPU); upload OUT with `kaggle datasets create -p OUT`.
set -euo pipefail
out=${1:?usage: scripts/kaggle-bundle.sh OUT_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/project" "$out/node/bin"
git -C "$here" archive HEAD | tar -x -C "$out/project"
(cd "$out/project" && npm ci --no-audit --no-fund --include=optional)
cp "$(command -v node)" "$out/node/bin/node"
cat > "$out/dataset-metadata.json" <<JSON
{ "title": "rsna-lumbar-ts-bundle", "id": "rsna-lumbar-ts/rsna-lumbar-ts-bundle", "licenses": [{ "name": "MIT" }] }
JSON
echo "bundle ready in $out ($(du -sh "$out" | cut -f1))"
