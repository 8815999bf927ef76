"""mx.contiguous(x.T) of n x n float32 for sizes around the benchmark's 3162 (10^7 elements),
medians of 8 calls in ms: the transposing copy's band height (copy.c's TR_BAND) is tuned on
these. Ours alone (A/B of builds).

    PYTHONPATH=<build>/python python bench/transpose_sizes.py
"""
import time

import mlx.core as mx


def median_ms(f, reps=8):
    f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[reps // 2] * 1e3


out = []
for n in (1024, 2048, 3000, 3162, 3168, 4096, 6000, 10000):
    x = mx.random.normal((n, n))
    mx.eval(x)
    out.append(f"{n}: {median_ms(lambda: mx.eval(mx.contiguous(x.T))):.1f}")
print("contiguous(x.T) ms  " + "  ".join(out))
