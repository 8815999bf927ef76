"""Quantized matmul benchmark; run the same script under mlxc's Python and the real MLX:

    PYTHONPATH=<build>/python python bench/quant.py
    /tmp/mlxref/bin/python bench/quant.py [--quick]

Prints median milliseconds, GB/s of the bytes a product must read (packed weights, scales,
biases, x) and write, and GFLOP/s for matrix-matrix products; plus this machine's memory
bandwidth measured with numpy (a large float32 array summed: read bandwidth of one core, and
copied: read + write)."""
import sys
import time

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
    a = np.ones(64 << 20 >> 2, np.float32)  # 64 MiB
    b = np.empty_like(a)
    t_sum = median_ms(lambda: a.sum(), reps=10)
    t_copy = median_ms(lambda: np.copyto(b, a), reps=10)
    return a.nbytes / t_sum / 1e6, 2 * a.nbytes / t_copy / 1e6


def bench_qmm(M, N, K, bits, gs, dtype, transpose=True):
    rng = np.random.default_rng(0)
    w = mx.array(rng.standard_normal((N, K) if transpose else (K, N)).astype(np.float32))
    w = w.astype(dtype)
    wq, s, b = mx.quantize(w, group_size=gs, bits=bits)
    x = mx.array(rng.standard_normal((M, K)).astype(np.float32)).astype(dtype)
    mx.eval(wq, s, b, x)

    def run():
        mx.eval(mx.quantized_matmul(x, wq, s, b, transpose=transpose, group_size=gs, bits=bits))

    ms = median_ms(run, reps=50 if M == 1 else 5, warm=3 if M == 1 else 1)
    nbytes = wq.nbytes + s.nbytes + b.nbytes + x.nbytes + M * N * x.itemsize
    return ms, nbytes / ms / 1e6, 2.0 * M * N * K / ms / 1e6


def main():
    name = "mlx " + mx.__version__ if "mlxref" in sys.executable else "mlxc"
    rd, cp = bandwidth()
    print(f"[{name}] numpy bandwidth: sum {rd:.1f} GB/s, copy {cp:.1f} GB/s (read + write)")
    print(f"{'case':44s} {'ms':>9s} {'GB/s':>8s} {'GFLOP/s':>9s}")
    cases = [
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
    ]
    if "--quick" in sys.argv:  # matrix-vector cases only (MLX takes seconds per large product)
        cases = [c for c in cases if c[0] <= 32]
    for M, N, K, bits, gs, dt, tr in cases:
        ms, gbs, gf = bench_qmm(M, N, K, bits, gs, dt, tr)
        label = f"M={M} {N}x{K} {bits}-bit g{gs} {str(dt).split('.')[-1]} T={int(tr)}"
        print(f"{label:44s} {ms:9.3f} {gbs:8.1f} {gf:9.1f}")


if __name__ == "__main__":
    main()
