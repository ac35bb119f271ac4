#!/usr/bin/env bash
# A kernel run as Slurm jobs: the units of `lumbar kernel --plan` as array jobs, then the final step.
#   scripts/slurm/submit.sh [SBATCH_OPTIONS...] -- KERNEL_OPTIONS...
# e.g. scripts/slurm/submit.sh --gres=gpu:1 --time=2:00:00 -- --data DIR --out RUN --profile full
# 1. runs `lumbar kernel KERNEL_OPTIONS --plan` here (RUN/plan.json);
# 2. cuts the plan into waves by its `needs` (wave 0: units that need nothing; wave n: units whose
#    needs are all in earlier waves), in the plan's order within a wave: RUN/slurm/waveN.txt;
# 3. submits each wave as one array job (a task per unit), wave n with --dependency=afterok on wave
#    n-1, then the plain `lumbar kernel KERNEL_OPTIONS` (CV, inference, submission.csv) after the last;
#    a failed unit cancels what depends on it (--kill-on-invalid-dep=yes).
# SBATCH_OPTIONS go to every job. RUN must be on a filesystem every node sees. Logs: RUN/slurm/logs/
# (waveN-<job>_<task>.out, final-<job>.out). Prints one line per job; the last is `jobs: ID...`,
# waves first, the final step last (also in RUN/slurm/jobs.txt).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$here/../../bin" && pwd)/lumbar.js

sbatch_opts=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do sbatch_opts+=("$1"); shift; done
[ "${1:-}" = -- ] || { echo "usage: $0 [SBATCH_OPTIONS...] -- KERNEL_OPTIONS..." >&2; exit 64; }
shift
kernel_opts=("$@")

out=
for ((i = 0; i < ${#kernel_opts[@]}; i++)); do
  case ${kernel_opts[i]} in
    --out) out=${kernel_opts[i + 1]:-} ;;
    --out=*) out=${kernel_opts[i]#--out=} ;;
    --plan | --unit | --unit=*) echo "submit.sh: --plan/--unit are the driver's, not KERNEL_OPTIONS" >&2; exit 64 ;;
  esac
done
[ -n "$out" ] || { echo "submit.sh: KERNEL_OPTIONS need --out RUN" >&2; exit 64; }

node "$bin" kernel "${kernel_opts[@]}" --quiet --plan >/dev/null
mkdir -p "$out/slurm/logs"
rm -f "$out"/slurm/wave*.txt
# The waves, from plan.json's units and needs (no unit names here).
node -e '
  const fs = require("fs"), path = require("path");
  const dir = process.argv[1], units = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")).units;
  const wave = new Map();
  for (const u of units) {
    const deps = u.needs.map((n) => wave.get(n));
    if (deps.some((w) => w === undefined)) throw new Error(`plan.json: ${u.id} comes before a unit it needs`);
    wave.set(u.id, Math.max(-1, ...deps) + 1);
  }
  const waves = [];
  for (const u of units) (waves[wave.get(u.id)] ??= []).push(u.id);
  waves.forEach((ids, w) => fs.writeFileSync(path.join(dir, "slurm", `wave${w}.txt`), ids.join("\n") + "\n"));
' "$out"

common=(--parsable --kill-on-invalid-dep=yes --chdir="$PWD" "${sbatch_opts[@]}")
jobs=()
dep=()
for ((w = 0; ; w++)); do
  file="$out/slurm/wave$w.txt"
  [ -f "$file" ] || break
  file=$(cd "$(dirname "$file")" && pwd)/wave$w.txt
  n=$(wc -l <"$file")
  job=$(sbatch "${common[@]}" "${dep[@]}" --job-name="lumbar-wave$w" --array="0-$((n - 1))" \
    --output="$out/slurm/logs/wave$w-%A_%a.out" "$here/kernel.sbatch" "$bin" "$file" "${kernel_opts[@]}")
  job=${job%%;*}
  echo "wave $w: job $job, $n units: $(paste -sd' ' "$file")"
  jobs+=("$job")
  dep=(--dependency="afterok:$job")
done
job=$(sbatch "${common[@]}" "${dep[@]}" --job-name=lumbar-final --output="$out/slurm/logs/final-%j.out" \
  "$here/kernel.sbatch" "$bin" - "${kernel_opts[@]}")
job=${job%%;*}
echo "final: job $job"
jobs+=("$job")
echo "${jobs[*]}" >"$out/slurm/jobs.txt"
echo "jobs: ${jobs[*]}"
