#!/usr/bin/env bash
# Runs bench/ under our package (.venv), the real MLX (.venv-mlxref, pip's mlx[cpu]) and numpy,
# in one session, and writes docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-mlxref/bin/python ]; then
  python3 -m venv .venv-mlxref
  .venv-mlxref/bin/python -m pip install -q "mlx[cpu]" numpy
fi
out=$(mktemp -d)
.venv/bin/python bench/bench_overhead.py mlxc > "$out/ours.json"
.venv-mlxref/bin/python bench/bench_overhead.py mlx > "$out/ref.json"
.venv/bin/python bench/bench_overhead.py numpy > "$out/numpy.json"
.venv/bin/python bench/report.py "$out/ours.json" "$out/ref.json" "$out/numpy.json" docs/BENCHMARKS.md
