"""Quantized matmul benchmark; run the same script under mlxc's Python and the real MLX:

    PYTHONPATH=<build>/python python bench/quant.py
    /tmp/mlxref/bin/python bench/quant.py [--quick | --qmv | --bf16 | --f16]

Prints median milliseconds, GB/s of the bytes a product must read (packed weights, scales,
biases, x) and write, and GFLOP/s for matrix-matrix products; plus this machine's memory
bandwidth measured with numpy in the same run (a 256 MiB float32 array summed by one thread and
by two threads over halves: read bandwidth; and copied: read + write), and the 4-bit
matrix-vector product's GB/s as a fraction of the read bandwidth. "cold" rotates over 8 weight
matrices (80 MiB, more than the last-level cache) so every product streams from memory; the
other cases reuse one weight (it may stay in cache). mlxc's thread count: MLXC_CPU_THREADS
(default: the online CPUs)."""
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import mlx.core as mx


def median_ms(fn, reps=30, warm=3):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(ts))


def bandwidth():
    a = np.ones(256 << 20 >> 2, np.float32)  # 256 MiB
    b = np.empty_like(a)
    halves = (a[: a.size // 2], a[a.size // 2:])
    pool = ThreadPoolExecutor(2)  # numpy releases the GIL in the sums

    def sum2():
        list(pool.map(np.sum, halves))

    t_sum = median_ms(lambda: a.sum(), reps=10)
    t_sum2 = median_ms(sum2, reps=10)
    t_copy = median_ms(lambda: np.copyto(b, a), reps=10)
    pool.shutdown()
    return a.nbytes / t_sum / 1e6, a.nbytes / t_sum2 / 1e6, 2 * a.nbytes / t_copy / 1e6


def bench_qmm(M, N, K, bits, gs, dtype, transpose=True, copies=1):
    rng = np.random.default_rng(0)
    w = mx.array(rng.standard_normal((N, K) if transpose else (K, N)).astype(np.float32))
    w = w.astype(dtype)
    ws = [mx.quantize(w + i, group_size=gs, bits=bits) for i in range(copies)]
    x = mx.array(rng.standard_normal((M, K)).astype(np.float32)).astype(dtype)
    mx.eval(ws, x)
    turn = [0]

    def run():
        wq, s, b = ws[turn[0] % copies]
        turn[0] += 1
        mx.eval(mx.quantized_matmul(x, wq, s, b, transpose=transpose, group_size=gs, bits=bits))

    ms = median_ms(run, reps=100 if M == 1 else 5, warm=3 if M == 1 else 1)
    wq, s, b = ws[0]
    nbytes = wq.nbytes + s.nbytes + b.nbytes + x.nbytes + M * N * x.itemsize
    return ms, nbytes / ms / 1e6, 2.0 * M * N * K / ms / 1e6


def main():
    name = "mlx " + mx.__version__ if "mlxref" in sys.executable else "mlxc"
    if name == "mlxc":
        name += f", MLXC_CPU_THREADS={os.environ.get('MLXC_CPU_THREADS', 'unset')}"
    rd, rd2, cp = bandwidth()
    print(f"[{name}] numpy bandwidth: sum {rd:.1f} GB/s (1 thread), {rd2:.1f} GB/s (2 threads), "
          f"copy {cp:.1f} GB/s (read + write)")
    print(f"{'case':44s} {'ms':>9s} {'GB/s':>8s} {'GFLOP/s':>9s}  of read bandwidth 1t / 2t")
    cases = [
        (1, 4096, 4096, 4, 64, mx.float32, True, 8),
        (1, 4096, 4096, 4, 64, mx.float32, True),
        (1, 4096, 4096, 4, 64, mx.float16, True),
        (1, 4096, 4096, 8, 64, mx.float32, True),
        (1, 4096, 4096, 2, 64, mx.float32, True),
        (1, 4096, 4096, 3, 64, mx.float32, True),
        (1, 4096, 4096, 4, 64, mx.float32, False),
        (32, 4096, 4096, 4, 64, mx.float32, True),
        (128, 4096, 4096, 4, 64, mx.float32, True),
        (512, 4096, 4096, 4, 64, mx.float32, True),
        (128, 4096, 4096, 4, 64, mx.float16, True),
        (32, 4096, 4096, 4, 64, mx.float16, True),
        (512, 4096, 4096, 4, 64, mx.float16, True),
        (128, 4096, 4096, 4, 64, mx.float16, False),
        (16, 4096, 4096, 4, 64, mx.bfloat16, True),
        (128, 4096, 4096, 4, 64, mx.bfloat16, True),
        (512, 4096, 4096, 4, 64, mx.bfloat16, True),
        (128, 4096, 4096, 4, 64, mx.bfloat16, False),
    ]
    if "--quick" in sys.argv:  # matrix-vector cases only (MLX takes seconds per large product)
        cases = [c for c in cases if c[0] <= 32]
    if "--qmv" in sys.argv:  # the 4-bit matrix-vector product only
        cases = cases[:3]
    if "--bf16" in sys.argv:  # bfloat16 x (AMX where the CPU has it)
        cases = [c for c in cases if c[5] == mx.bfloat16]
    if "--f16" in sys.argv:  # float16 x from 16 rows (AMX from 32 where the CPU has it)
        cases = [c for c in cases if c[5] == mx.float16 and c[0] > 1]
    for M, N, K, bits, gs, dt, tr, *copies in cases:
        ms, gbs, gf = bench_qmm(M, N, K, bits, gs, dt, tr, *copies)
        label = f"M={M} {N}x{K} {bits}-bit g{gs} {str(dt).split('.')[-1]} T={int(tr)}"
        label += " cold" if copies else ""
        frac = f"  {gbs / rd:5.0%} / {gbs / rd2:4.0%}" if M == 1 and tr and bits == 4 else ""
        print(f"{label:44s} {ms:9.3f} {gbs:8.1f} {gf:9.1f}{frac}")


if __name__ == "__main__":
    main()
