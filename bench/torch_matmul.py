"""PyTorch's CPU matmul throughput beside bench/gemm_bf16.c (same sizes, medians of 10 products,
bfloat16 and float32, at 2 and at all threads): the reference for the AMX numbers in
docs/BENCHMARKS.md. Needs torch (present on the device machine, not installed by the project).

    python bench/torch_matmul.py [n ...]      # default 1024 2048 4096
"""
import os
import sys
import time

import torch


def median_ms(a, b, reps=10):
    for _ in range(2):
        a @ b
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[reps // 2] * 1e3


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [1024, 2048, 4096]
    for threads in sorted({2, os.cpu_count() or 2}):
        torch.set_num_threads(threads)
        for n in sizes:
            for dt in (torch.bfloat16, torch.float32):
                a, b = torch.randn(n, n).to(dt), torch.randn(n, n).to(dt)
                ms = median_ms(a, b)
                print(f"torch {torch.__version__} threads={threads} {n} {dt} {ms:.3f} ms "
                      f"{2 * n**3 / ms / 1e9:.1f} TFLOP/s", flush=True)


if __name__ == "__main__":
    main()
