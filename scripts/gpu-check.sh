#!/usr/bin/env bash
# The GPU check for a person with a CUDA machine (none of ours has one). Loads the tfjs-node-gpu
# binding, lists the GPUs, and times one r25d training epoch (scripts/gpu-check.ts) on the GPU and
# on the CPU (a second process with CUDA_VISIBLE_DEVICES=""), then prints ONE JSON line:
#   {"gpu", "gpus", "binding", "gpuRun", "cpuRun", "speedup", "error"}
# gpu: TensorFlow trained on a GPU; gpus: nvidia-smi's name/driver/memory per GPU ([] without it);
# binding: tfjs-node-gpu's binding is built; gpuRun/cpuRun: scripts/gpu-check.ts's line (backend,
# tensorflowVersion, gpu, threads, samples, batch, warmupS, epochS, imgPerS, loss), gpuRun null when
# no GPU was used; speedup: cpuRun.epochS / gpuRun.epochS.
# Usage: bash scripts/gpu-check.sh [SAMPLES]   (default 256)
# Exit status: 0 a GPU trained; 1 no GPU was used (the CPU timing is still reported); 2 a run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
samples=${1:-256}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
unset LUMBAR_BACKEND

gpus=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true)
binding=false
[ -f node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node ] && binding=true
run() { npx --no-install tsx scripts/gpu-check.ts "$samples" 2>/dev/null | tail -1; }

first=$(run)
# The first run is the CPU figure when it found no GPU; otherwise time the CPU in a second process.
if echo "$first" | grep -q '"gpu":true'; then
  cpu=$(CUDA_VISIBLE_DEVICES="" run)
else
  cpu=$first first=null
fi
node -e '
  const [gpusCsv, binding, gpuLine, cpuLine] = process.argv.slice(1);
  const parse = (s) => { try { return JSON.parse(s); } catch { return { error: `no result: ${s || "empty output"}` }; } };
  const gpuRun = gpuLine === "null" ? null : parse(gpuLine);
  const cpuRun = parse(cpuLine);
  const gpus = gpusCsv.split("\n").filter(Boolean).map((l) => {
    const [name, driver, memory] = l.split(",").map((s) => s.trim());
    return { name, driver, memory };
  });
  const error = gpuRun?.error ?? cpuRun.error ?? null;
  const gpu = !!gpuRun && gpuRun.gpu === true && !gpuRun.error;
  const speedup = gpu && !cpuRun.error ? Math.round((cpuRun.epochS / gpuRun.epochS) * 100) / 100 : null;
  console.log(JSON.stringify({ gpu, gpus, binding: binding === "true", gpuRun, cpuRun, speedup, error }));
  process.exitCode = error ? 2 : gpu ? 0 : 1;
' "$gpus" "$binding" "$first" "$cpu"
