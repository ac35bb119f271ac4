#!/usr/bin/env bash
# Debian packages the project needs beyond Node: Chromium renders plotly figures to PNG, Jupyter
# (nbclient/nbconvert) runs the tslab notebooks, python3-venv lets scripts/jupyter.sh make the JupyterLab
# environment with Debian's Python, pydicom/numpy/dcmtk are reference decoders for tests,
# torch is the benchmark peer, slurm-wlm + munge the single-node Slurm that test/scripts/slurm.test.ts
# starts in a temp dir (scripts/slurm/local-cluster.sh; the packages' own slurmd/slurmctld services
# do not start without /etc/slurm/slurm.conf, which nothing writes); patch applies scripts/patches to
# tfjs-node's binding before native-tf.sh compiles it. Sourced by .ci/run and
# scripts/setup.sh; installs only what is missing.
APT_PACKAGES=(chromium python3-nbclient jupyter-nbconvert python3-venv python3-pydicom python3-numpy dcmtk slurm-wlm munge patch)
APT_OPTIONAL=(python3-torch python3-gdcm)

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "apt-deps: missing ${missing[*]}; run as root or: sudo apt-get install --no-install-recommends ${missing[*]}"
    return 1
  fi
  echo "apt-deps: apt-get install ${missing[*]}"
  # The dpkg lock may be held for a moment: wait and retry.
  local attempt
  for attempt in 1 2 3 4 5 6; do
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
      return 0
    fi
    echo "apt-deps: apt-get failed (attempt $attempt), retrying in 10 s"
    sleep 10
  done
  return 1
}
