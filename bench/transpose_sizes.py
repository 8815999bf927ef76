"""mx.contiguous(x.T) of n x n float32 for sizes around the benchmark's 3162 (10^7 elements),
medians of 8 calls in ms: the transposing copy's band height (copy.c's TR_BAND) is tuned on
these. Ours alone (A/B of builds).

    PYTHONPATH=<build>/python python bench/transpose_sizes.py
"""
import mlx.core as mx

from common import median_time

out = []
for n in (1024, 2048, 3000, 3162, 3168, 4096, 6000, 10000):
    x = mx.random.normal((n, n))
    mx.eval(x)
    out.append(f"{n}: {median_time(lambda: mx.eval(mx.contiguous(x.T)), 8) * 1e3:.1f}")
print("contiguous(x.T) ms  " + "  ".join(out))
