#!/usr/bin/env bash
# bfloat16 n^3 on this CPU in turns: PyTorch's CPU matmul (oneDNN's AMX kernels; bench/torch_matmul.py)
# and ours (bench/gemm_bf16.c, BF16_ONLY=1), `rounds` rounds, so both see the same load on a shared
# machine. torch is not a project dependency: TORCH_PYTHON names an interpreter that has it (on
# the dev VM: python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch).
#   bench/bf16_vs_onednn.sh <build dir with libmlxc.a> [n] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?build dir}
n=${2:-2048}
rounds=${3:-3}
torch_py=${TORCH_PYTHON:-/tmp/torchenv/bin/python}
bin=$(mktemp -d)/gemm_bf16
cc -O2 -Iinclude -Ibench bench/gemm_bf16.c "$build/libmlxc.a" -lopenblas -ljson-c -lzip -lm \
  -lpthread -ldl -o "$bin"
for r in $(seq "$rounds"); do
  "$torch_py" bench/torch_matmul.py "$n" | grep bfloat16 | awk -v r="$r" -v n="$n" \
    '{printf "round %s oneDNN (torch %s) %s ms %.0f GFLOP/s\n", r, $2, $(NF-3), 2 * n^3 / $(NF-3) / 1e6}'
  BF16_ONLY=1 "$bin" "$n" | awk -v r="$r" '{printf "round %s mlxc %s ms %s GFLOP/s\n", r, $3, $4}'
done
