#!/usr/bin/env bash
# Builds the native TensorFlow backend offline, from registries we reach: tfjs-node's binding sources
# (npm, installed by `npm ci` without its download script) compiled against libtensorflow taken from
# PyPI's TensorFlow wheel (pinned, sha256-checked). tfjs-node's own install script downloads
# libtensorflow from a host that offline machines cannot reach; this replaces that step.
#
# Usage: bash scripts/native-tf.sh [--gpu] [--require]
#   --gpu      build @tensorflow/tfjs-node-gpu against the CUDA build of TensorFlow (`tensorflow` wheel)
#              instead of @tensorflow/tfjs-node against `tensorflow-cpu`
#   --require  exit 1 when the backend cannot be built (CI); without it the script explains what is
#              missing and exits 0, and the project runs on its wasm backend
#
# Cached and idempotent: the wheel and the built libraries live in $LUMBAR_NATIVE_CACHE (default
# ~/.cache/rsna-lumbar-ts), outside the checkout, so a fresh clone (or `npm ci`, which empties
# node_modules) only hard-links them back into the package: seconds, no download, no compile.
set -euo pipefail
cd "$(dirname "$0")/.."

TFJS_VERSION=4.22.0
TF_VERSION=2.21.0
NAPI_VERSION=8
# One wheel per variant: PyPI name, file name, sha256 (checked after every download and before use).
CPU_WHEEL=(tensorflow-cpu "tensorflow_cpu-${TF_VERSION}-cp311-cp311-manylinux_2_27_x86_64.whl"
  2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c)
GPU_WHEEL=(tensorflow "tensorflow-${TF_VERSION}-cp311-cp311-manylinux_2_27_x86_64.whl"
  9056fbc9ba04235810b71ae6cbd958a196e8804fb53bbcffbf3e23b56155f124)

variant=cpu require=0
for arg in "$@"; do
  case "$arg" in
    --gpu) variant=gpu ;;
    --require) require=1 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "native-tf: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$variant" = gpu ]; then pkg=@tensorflow/tfjs-node-gpu wheel=("${GPU_WHEEL[@]}")
else pkg=@tensorflow/tfjs-node wheel=("${CPU_WHEEL[@]}"); fi
pkg_dir="node_modules/$pkg"
cache="${LUMBAR_NATIVE_CACHE:-$HOME/.cache/rsna-lumbar-ts}"
# Our fixes to the binding's sources (scripts/patches), applied before compiling; their hash keys the build.
PATCHES=(scripts/patches/tfjs-node-attr-name-lock.patch)
patches_hash=$(cat "${PATCHES[@]}" | sha256sum | cut -c1-8)
build_key="$variant-tf${TF_VERSION}-tfjs${TFJS_VERSION}-napi${NAPI_VERSION}-p${patches_hash}-$(uname -m)"
built="$cache/native/$build_key"

# Not built: say why, and that the project runs on wasm; fail only under --require.
give_up() {
  echo "native-tf: $pkg not built: $1" >&2
  echo "native-tf: the project falls back to its wasm backend (LUMBAR_BACKEND=wasm); nothing else changes" >&2
  exit $((require ? 1 : 0))
}

# The bytes of the wheel are checked, not just its name.
check_sha() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

# Verifies in a fresh process that the package loads its binding and computes.
verify() {
  TF_CPP_MIN_LOG_LEVEL=2 node -e '
    const tf = require(process.argv[1]);
    const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync();
    if (tf.getBackend() !== "tensorflow" || y[0] !== 17 || y[1] !== 39) throw new Error("wrong result " + y);
    const gpu = tf.backend().isUsingGpuDevice ? "a GPU" : "no GPU";
    console.log(`native-tf: ${process.argv[1]} loads TensorFlow ${tf.backend().binding.TF_Version} (sees ${gpu})`);
  ' "$pkg" 2>&1 | grep -v -E '^(WARNING: All log|[IW][0-9]{4} |To enable the following)'
  return "${PIPESTATUS[0]}"
}

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || give_up "PyPI's TensorFlow wheels used here are for Linux x86_64, this is $(uname -s)-$(uname -m)"
[ -d "$pkg_dir/binding" ] || give_up "$pkg_dir is missing (run npm ci first: package.json lists it as an optional dependency whose download script is not run)"
installed_version=$(node -p "require('./$pkg_dir/package.json').version")
[ "$installed_version" = "$TFJS_VERSION" ] || give_up "$pkg is $installed_version, this script pins $TFJS_VERSION"

# What this TensorFlow was built for (CUDA/cuDNN versions, GPU architectures), from the wheel's
# build_info.py into deps/build-info.json: the libraries do not carry these as strings, and
# `lumbar doctor` reports them.
write_build_info() {
  python3 - "$1" "$2" <<'PY'
import ast, json, sys, zipfile
src = zipfile.ZipFile(sys.argv[1]).read("tensorflow/python/platform/build_info.py").decode()
pairs = ast.literal_eval(src.split("OrderedDict(", 1)[1].rsplit(")", 1)[0])
with open(sys.argv[2], "w") as f:
    json.dump(dict(pairs), f)
PY
}

# Cached build: hard-link the libraries back (same bytes, no copy; a copy across file systems).
if [ -f "$built/ok" ]; then
  whl="$cache/wheels/${wheel[1]}"
  [ -f "$built/deps/build-info.json" ] || [ ! -f "$whl" ] || write_build_info "$whl" "$built/deps/build-info.json" || true
  rm -rf "$pkg_dir/deps" "$pkg_dir/lib"
  mkdir -p "$pkg_dir/lib"
  cp -al "$built/deps" "$pkg_dir/deps" 2>/dev/null || cp -a "$built/deps" "$pkg_dir/deps"
  cp -a "$built/napi-v$NAPI_VERSION" "$pkg_dir/lib/"
  verify && exit 0
  echo "native-tf: the cached build in $built does not load; rebuilding" >&2
  rm -rf "$built"
fi

missing=()
for tool in g++ make strip patch python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ -f /usr/include/node/node_api.h ] || [ -f "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node/node_api.h" ] ||
  missing+=("Node.js headers (include/node/node_api.h beside the node binary)")
[ ${#missing[@]} -eq 0 ] || give_up "missing ${missing[*]} (Debian: apt-get install g++ make binutils patch python3)"
node_gyp="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || give_up "node-gyp (bundled with npm) not found"
node_dir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"

# The wheel: from the cache, else from PyPI through pip (no install, just the file).
whl="$cache/wheels/${wheel[1]}"
if [ ! -f "$whl" ] || ! check_sha "$whl" "${wheel[2]}"; then
  command -v pip >/dev/null || command -v pip3 >/dev/null || give_up "pip not found, and no cached wheel at $whl"
  mkdir -p "$cache/wheels"
  echo "native-tf: downloading ${wheel[0]}==$TF_VERSION from PyPI (~270-600 MB, once)"
  "$(command -v pip || command -v pip3)" download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_27_x86_64 "${wheel[0]}==$TF_VERSION" -d "$cache/wheels" ||
    give_up "pip could not download ${wheel[0]}==$TF_VERSION (no network to PyPI?)"
  check_sha "$whl" "${wheel[2]}" || { rm -f "$whl"; give_up "sha256 of ${wheel[1]} does not match the pinned ${wheel[2]}"; }
fi

# Libraries and the C headers the binding includes, out of the wheel (a zip).
stage="$built.tmp"
rm -rf "$stage" && mkdir -p "$stage/deps/lib" "$stage/deps/include" "$stage/wheel"
python3 - "$whl" "$stage/wheel" <<'PY'
import sys, zipfile
wanted = ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2")
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/ctstring",
           "tensorflow/include/tsl/platform/ctstring", "tensorflow/include/xla/tsl/c/")
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name in wanted or name.startswith(headers):
            z.extract(name, sys.argv[2])
PY
cp -r "$stage/wheel/tensorflow/include/." "$stage/deps/include/"
for lib in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  # Debug symbols are a quarter of the size and nothing here reads them.
  strip --strip-unneeded -o "$stage/deps/lib/$lib" "$stage/wheel/tensorflow/$lib"
done
ln -s libtensorflow_cc.so.2 "$stage/deps/lib/libtensorflow.so"   # binding.gyp links -ltensorflow
ln -s libtensorflow_framework.so.2 "$stage/deps/lib/libtensorflow_framework.so"
rm -rf "$stage/wheel"
write_build_info "$whl" "$stage/deps/build-info.json"

# The patches, once: a node_modules patched by an earlier run is recognised (the reverse applies).
for p in "${PATCHES[@]}"; do
  patch -s -p1 -R --dry-run -d "$pkg_dir" <"$p" >/dev/null 2>&1 && continue
  patch -s -p1 -d "$pkg_dir" <"$p" || give_up "$p does not apply to $pkg $installed_version"
done

# The package's own binding.gyp, with the variables node-pre-gyp would pass; its rpath
# ($ORIGIN/../../deps/lib) finds the libraries beside it.
rm -rf "$pkg_dir/deps" "$pkg_dir/lib" "$pkg_dir/build"
cp -al "$stage/deps" "$pkg_dir/deps" 2>/dev/null || cp -a "$stage/deps" "$pkg_dir/deps"
echo "native-tf: compiling $pkg's binding against TensorFlow $TF_VERSION"
(cd "$pkg_dir" && node "$node_gyp" rebuild --loglevel=warn --nodedir="$node_dir" -j 1 \
  --module_name=tfjs_binding --module_path="$PWD/lib/napi-v$NAPI_VERSION" --napi_build_version=$NAPI_VERSION) ||
  give_up "the binding did not compile (see the compiler output above)"
rm -rf "$pkg_dir/build"
verify || give_up "the built binding does not load"
cp -a "$pkg_dir/lib/napi-v$NAPI_VERSION" "$stage/"
touch "$stage/ok"
rm -rf "$built" && mv "$stage" "$built"
echo "native-tf: built; cached in $built"
