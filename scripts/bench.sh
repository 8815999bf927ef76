#!/usr/bin/env bash
# `make bench`: our mlx (.venv, or $OURS_PYTHON with its PYTHONPATH), the real MLX (.venv-mlxref:
# pip's mlx[cpu], never installed into our venv) and numpy side by side, then docs/BENCHMARKS.md.
#   bench/ops.py             every elementwise op, the 10^8 bandwidth rows against the triad
#                            (bench/triad.c, built here), reductions/scans/sort/indexing,
#                            creation, shape ops, random
#   bench/matmul.py          float32 against OpenBLAS sgemm (numpy), bfloat16, float16
#   bench/bench_overhead.py  graph overhead, once per implementation
# BENCH_ARGS go to ops.py (e.g. --quick); BENCH_OUT keeps the JSON (default: a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
export OURS_PYTHON="${OURS_PYTHON:-$PWD/.venv/bin/python}"
export MLXREF_PYTHON="${MLXREF_PYTHON:-$PWD/.venv-mlxref/bin/python}"
if [ ! -x "$MLXREF_PYTHON" ]; then
  python3 -m venv .venv-mlxref
  .venv-mlxref/bin/python -m pip install -q "mlx[cpu]" numpy
  MLXREF_PYTHON=$PWD/.venv-mlxref/bin/python
fi
out="${BENCH_OUT:-$(mktemp -d)}"
mkdir -p "$out"
cc -O3 -march=native -shared -fPIC -pthread bench/triad.c -o "$out/triad.so"
export TRIAD_LIB="$out/triad.so"
start=$SECONDS
"$OURS_PYTHON" bench/ops.py --json "$out/ops.json" ${BENCH_ARGS:-}
"$OURS_PYTHON" bench/matmul.py --json "$out/matmul.json"
"$OURS_PYTHON" bench/bench_overhead.py mlxc > "$out/overhead-mlxc.json"
env -u PYTHONPATH "$MLXREF_PYTHON" bench/bench_overhead.py mlx > "$out/overhead-mlx.json"
"$OURS_PYTHON" bench/bench_overhead.py numpy > "$out/overhead-numpy.json"
"$OURS_PYTHON" bench/report.py "$out" docs/BENCHMARKS.md > /dev/null
echo "docs/BENCHMARKS.md written ($((SECONDS - start)) s of benchmarks; JSON in $out)"
