"""Half-precision matmul on the CPU: the packed AVX-512 kernels against OpenBLAS sgemm (the
float32 path) and against the old convert-to-float32 path.

Run standalone with mlx importable (ours):  python bench/matmul.py [--quick]

Columns (GFLOP/s = 2*M*N*K / best time of several runs after a warm-up):
  f32 sgemm   float32 inputs: OpenBLAS (sgemm; sgemv for one row)
  bf16        bfloat16 inputs: the packed kernel (vdpbf16ps on AVX512_BF16 CPUs; few-row
              products stream B once)
  bf16 old    what the library did before: both operands converted to row-major float32
              copies, sgemm, the result rounded back (here as astype -> matmul -> astype nodes)
  f16, f16 old  the same for float16 (tiles converted to float32 while packing, FMA kernel)
Shapes: square products, a linear layer (x @ W.T, W row-major) and its matrix-vector case.
The machine may be shared: compare columns within one run.
(MLXC_GEMM=generic|avx512 caps the kernels' instruction set, e.g. to see the fallbacks.)
"""
import os
import sys
import time

import mlx.core as mx

SHAPES = [
    # (label, M, N, K, transpose_b)
    ("512^3", 512, 512, 512, False),
    ("1024^3", 1024, 1024, 1024, False),
    ("2048^3", 2048, 2048, 2048, False),
    ("x@W.T 256x4096x4096", 256, 4096, 4096, True),
    ("x@W.T 1x4096x4096", 1, 4096, 4096, True),
]
QUICK = [s for s in SHAPES if s[0] in ("512^3", "2048^3", "x@W.T 1x4096x4096")]


def best_time(fn, repeats):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def gflops(dt, m, n, k, tb, old, repeats):
    a = mx.ones((m, k), dtype=dt) * 0.5
    b = (mx.ones((n, k), dtype=dt) if tb else mx.ones((k, n), dtype=dt)) * 0.25
    mx.eval(a, b)
    bb = b.T if tb else b
    if old:
        def run():
            mx.eval((a.astype(mx.float32) @ bb.astype(mx.float32)).astype(dt))
    else:
        def run():
            mx.eval(a @ bb)
    flops = 2.0 * m * n * k
    return flops / best_time(run, repeats if flops >= 1e9 else repeats * 4) / 1e9


def main():
    shapes = QUICK if "--quick" in sys.argv else SHAPES
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    cols = [("f32 sgemm", mx.float32, False), ("bf16", mx.bfloat16, False),
            ("bf16 old", mx.bfloat16, True), ("f16", mx.float16, False),
            ("f16 old", mx.float16, True)]
    print(f"matmul GFLOP/s, {os.cpu_count()} CPU cores, best of {repeats}+ runs")
    print()
    print("| shape | " + " | ".join(c[0] for c in cols) + " | bf16 / f32 | f16 / f32 |")
    print("|" + "---|" * (len(cols) + 3))
    for label, m, n, k, tb in shapes:
        v = [gflops(dt, m, n, k, tb, old, repeats) for _, dt, old in cols]
        print(f"| {label} | " + " | ".join(f"{x:.1f}" for x in v) +
              f" | {v[1] / v[0]:.2f}x | {v[3] / v[0]:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
