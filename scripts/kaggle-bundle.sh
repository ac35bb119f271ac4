#!/usr/bin/env bash
# Builds the Kaggle dataset folder kaggle/launcher.py runs from: the project (git HEAD), its
# production node_modules with @tensorflow/tfjs-node-gpu built against PyPI's CUDA build of
# TensorFlow 2.21.0 (scripts/native-tf.sh --gpu) and @tensorflow/tfjs-node against its CPU build,
# the CUDA 12 / cuDNN 9 libraries that TensorFlow dlopens (from NVIDIA's PyPI wheels, pinned), and
# this machine's node binary.
#
# Usage: bash scripts/kaggle-bundle.sh OUT [--no-cuda]
#   --no-cuda  leave the CUDA libraries out (2.2 GB): TensorFlow then needs them from the image
#              (libcudart.so.12, libcublas(Lt).so.12, libcufft.so.11, libcusolver.so.11,
#              libcusparse.so.12, libcudnn.so.9 on LD_LIBRARY_PATH or in ldconfig's cache)
# Needs: Linux x86_64, npm and pip reaching their registries (or their caches), g++ on first build.
# Upload: kaggle datasets create -p OUT --dir-mode tar   (the CLI skips sub-folders by default)
# OUT/requirements.txt lists what the target must provide, read from the bundled binaries.
set -euo pipefail
out=${1:?usage: scripts/kaggle-bundle.sh OUT [--no-cuda]}
cuda=1
[ "${2:-}" = --no-cuda ] && cuda=0
here=$(cd "$(dirname "$0")/.." && pwd)
cache="${LUMBAR_NATIVE_CACHE:-$HOME/.cache/rsna-lumbar-ts}"

# The wheels of TensorFlow 2.21.0's `and-cuda` extra that hold the libraries its GPU start-up
# dlopens (cudart, cublas + cublasLt, cufft, cusolver, cusparse, cudnn) and what those need
# (nvJitLink; NVRTC, dlopened by cuDNN). Versions: the extra's lower bounds, i.e. CUDA 12.5 /
# cuDNN 9.3, what it was built for (build_info: CUDA 12.5.1, cuDNN 9).
# wheel dir | version | sha256 | files kept
CUDA_WHEELS=(
  "cuda_runtime|12.5.82|3e79a060e126df40fd3a068f3f787eb000fa51b251ec6cd97d09579632687115|libcudart.so.12"
  "cublas|12.5.3.2|ca070ad70e9fa6654084575d01bd001f30cc4665e33d4bb9fc8e0f321caa034b|libcublas.so.12 libcublasLt.so.12"
  "cufft|11.2.3.61|9a6e8df162585750f61983a638104a48c756aa13f9f48e19ab079b38e3c828b8|libcufft.so.11"
  "cusolver|11.6.3.83|93cfafacde4428b71778eeb092ec615a02a3d05404da1bcf91c53e3fa1bce42b|libcusolver.so.11"
  "cusparse|12.5.1.3|016df8e993c437e8301e62739f01775cba988fd5253cd4c64173f8e8d2f8e752|libcusparse.so.12"
  "nvjitlink|12.5.82|f9b37bc5c8cf7509665cb6ada5aaa0ce65618f2332b7d3e78e9790511f111212|libnvJitLink.so.12"
  "cudnn|9.3.0.75|9ad9c6929ebb5295eb4a1728024666d1c88283373e265a0c5c883e6f9d5cd76d|libcudnn*.so.9"
  # cuDNN's runtime-compiled engines dlopen NVRTC; their RUNPATH says ../../nvrtc/lib, the wheel
  # installs cuda_nvrtc/lib: the launcher's LD_LIBRARY_PATH covers it.
  "cuda_nvrtc|12.5.82|3dbd97b0104b4bfbc3c4f8c79cd2496307c89c43c29a9f83125f1d76296ff3fd|libnvrtc.so.12 libnvrtc-builtins.so.12.5"
)

die() { echo "kaggle-bundle: $*" >&2; exit 1; }
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "Kaggle runs Linux x86_64; this is $(uname -s)-$(uname -m)"
# A node that needs a libnode.so (Debian's split package) would not start on Kaggle.
node_bin=$(readlink -f "$(command -v node)")
if readelf -d "$node_bin" | grep -q 'NEEDED.*libnode'; then die "$node_bin needs libnode.so; use a self-contained node (nodejs.org or NodeSource)"; fi

# OUT is replaced: only an empty folder or an earlier bundle, never a folder of other things.
if [ -n "$(ls -A "$out" 2>/dev/null)" ] && [ ! -f "$out/dataset-metadata.json" ]; then
  die "$out is not empty and holds no earlier bundle; give a new folder"
fi
rm -rf "$out" && mkdir -p "$out/project" "$out/node/bin"
out=$(cd "$out" && pwd)
project="$out/project"
git -C "$here" archive HEAD | tar -x -C "$project"
echo "kaggle-bundle: npm ci --omit=dev"
(cd "$project" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
# Both builds: initBackend loads the CUDA one only where an NVIDIA driver runs, so a session
# without a GPU runs the CPU one (606 MB) rather than wasm.
(cd "$project" && bash scripts/native-tf.sh --gpu --require && bash scripts/native-tf.sh --require)
gpu_pkg="$project/node_modules/@tensorflow/tfjs-node-gpu"
cpu_pkg="$project/node_modules/@tensorflow/tfjs-node"
# Build-time leftovers: headers and the -ltensorflow link names (links a dataset may not keep).
for p in "$gpu_pkg" "$cpu_pkg"; do
  rm -rf "$p/deps/include" "$p/deps/lib/libtensorflow.so" "$p/deps/lib/libtensorflow_framework.so"
done

if [ "$cuda" = 1 ]; then
  # deps/nvidia/<wheel dir>/lib is "$ORIGIN/../nvidia/<wheel dir>/lib" in the RUNPATH of
  # libtensorflow_framework.so.2 (read with readelf -d): TensorFlow finds them there by itself.
  mkdir -p "$cache/wheels/cuda"
  for spec in "${CUDA_WHEELS[@]}"; do
    IFS='|' read -r dir version sha files <<<"$spec"
    name="nvidia-${dir//_/-}-cu12"
    whl=$(ls "$cache/wheels/cuda/${name//-/_}-$version-"*.whl 2>/dev/null | head -1 || true)
    if [ -z "$whl" ] || [ "$(sha256sum "$whl" | cut -d' ' -f1)" != "$sha" ]; then
      echo "kaggle-bundle: downloading $name==$version from PyPI"
      pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
        --platform manylinux2014_x86_64 "$name==$version" -d "$cache/wheels/cuda" || die "pip could not download $name==$version"
      whl=$(ls "$cache/wheels/cuda/${name//-/_}-$version-"*.whl | head -1)
      [ "$(sha256sum "$whl" | cut -d' ' -f1)" = "$sha" ] || die "sha256 of $whl does not match the pinned $sha"
    fi
    python3 - "$whl" "$gpu_pkg/deps" "$dir" $files <<'PY'
import fnmatch, os, sys, zipfile
whl, dest, d, patterns = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n.startswith(f"nvidia/{d}/lib/")
             and any(fnmatch.fnmatch(os.path.basename(n), p) for p in patterns)]
    assert names, f"{whl}: no {patterns} under nvidia/{d}/lib"
    for n in names:
        z.extract(n, dest)
PY
  done
fi

cp "$node_bin" "$out/node/bin/node"
cat >"$out/dataset-metadata.json" <<JSON
{ "title": "rsna-lumbar-ts-bundle", "id": "rsna-lumbar-ts/rsna-lumbar-ts-bundle", "licenses": [{ "name": "MIT" }] }
JSON

# What the target must provide, read from the binaries the kernel runs (node, the binding,
# TensorFlow, the CUDA libraries): the highest glibc and libstdc++ symbol versions, and the shared
# libraries they need that the bundle does not hold. (zeromq's prebuilt addons, other platforms
# and glibc 2.38 among them, serve tslab's notebooks only, never the kernel.)
elves=$(find "$out/node/bin/node" "$gpu_pkg" "$cpu_pkg" -type f \( -name '*.so*' -o -name '*.node' -o -name node \) -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
max() { echo "$elves" | xargs objdump -T 2>/dev/null | grep -oE "\($1_[0-9.]+\)" | tr -d '()' | sort -uV | tail -1; }
held=$(echo "$elves" | xargs -n1 basename | sort -u)
needed=$(echo "$elves" | xargs -n1 readelf -d 2>/dev/null | sed -nE 's/.*NEEDED.*\[(.*)\]/\1/p' | sort -u | grep -vxF "$held" || true)
{
  echo "bundle built $(date -u +%FT%TZ) from $(git -C "$here" rev-parse --short HEAD); node $("$node_bin" -v)"
  echo "glibc: $(max GLIBC) (highest GLIBC_ symbol version used)"
  echo "libstdc++: $(max GLIBCXX), $(max CXXABI)"
  echo "shared libraries from the system: $(echo $needed)"
  echo "dlopened at GPU start-up: libcuda.so.1 (the NVIDIA driver)$([ "$cuda" = 1 ] || echo '; CUDA 12 / cuDNN 9 libraries (built with --no-cuda)')"
  echo "TensorFlow build: $(cat "$gpu_pkg/deps/build-info.json")"
} >"$out/requirements.txt"
cat "$out/requirements.txt"
echo "kaggle-bundle: sizes"
# One du per folder: du counts a file once per call, and these folders nest.
for d in "$out" "$out/node" "$project/node_modules" "$gpu_pkg/deps/lib" "$gpu_pkg/deps/nvidia" "$cpu_pkg/deps/lib"; do
  [ -e "$d" ] && du -sh "$d"
done
