"""Single ops timed alone in a loop, ours only: the before/after figures of kernel changes that an
environment setting switches in one build (run it once with and once without the setting):

    PYTHONPATH=<build>/python python bench/ab.py                 # defaults
    MLXC_VMATH=0 PYTHONPATH=... python bench/ab.py               # scalar-code float math
    MLXC_GEMM=avx512 PYTHONPATH=... python bench/ab.py           # float qmv kernel (no VNNI)
    MLXC_STREAM_MIN_BYTES=0 PYTHONPATH=... python bench/ab.py    # no streamed (non-temporal) outputs

Cases: sin, cos, tan, arccosh, arctanh, erfinv, logaddexp and power over 10^8 float32 (inputs
in their domains as bench/ops.py's), binary ops with a transposed or broadcast
operand, the transposing copy, where with a transposed operand and softmax along axis 0 at
10^4 x 10^4, softmax, logsumexp, logcumsumexp and float16 cumsum over 10^4 rows of 1000, cumsum
along either axis (512 x 1000, in cache; 10^4 x 10^4), the 4-bit quantized matvec 4096 x 4096
(group 64; 2000 calls). Medians. --only SUBSTRING runs the cases whose name has it.
Changes no setting switches are compared by running this file against two builds in turn."""
import argparse
import time

import numpy as np

import mlx.core as mx


def median_ms(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        mx.eval(fn())
        ts.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(ts))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="")
    only = ap.parse_args().only
    n = 10**4
    x = mx.random.normal((n, n))
    row, col = mx.random.normal((1, n)), mx.random.normal((n, 1))
    s = mx.random.normal((n, 1000))
    c512 = mx.random.normal((512, 1000))
    s16 = s.astype(mx.float16)
    w = mx.random.normal((4096, 4096))
    wq, sc, bi = mx.quantize(w, group_size=64, bits=4)
    v = mx.random.normal((1, 4096))
    mx.eval(x, row, col, s, c512, s16, wq, sc, bi, v)
    flat = x.reshape(-1)
    half = flat * 0.5
    u = mx.random.uniform(-0.99, 0.99, (n * n,))
    q = mx.random.uniform(1.0, 11.0, (n * n,))
    p = mx.random.uniform(1e-3, 10.0, (n * n,))
    y1 = flat + 0.1
    mx.eval(half, u, q, p, y1)
    cases = [
        ("sin (10^8)", lambda: mx.sin(flat), 7),
        ("cos (10^8)", lambda: mx.cos(flat), 7),
        ("tan (10^8)", lambda: mx.tan(flat), 7),
        ("arccosh (10^8)", lambda: mx.arccosh(q), 7),
        ("arctanh (10^8)", lambda: mx.arctanh(u), 7),
        ("erfinv (10^8)", lambda: mx.erfinv(u), 7),
        ("logaddexp (10^8)", lambda: mx.logaddexp(flat, half), 7),
        ("power (10^8)", lambda: mx.power(p, y1), 7),
        ("x + x.T (10^4 x 10^4)", lambda: x + x.T, 7),
        ("maximum(x, x.T)", lambda: mx.maximum(x, x.T), 7),
        ("contiguous(x.T)", lambda: mx.contiguous(x.T), 7),
        ("where(x > 0, x.T, 0)", lambda: mx.where(x > 0, x.T, 0.0), 7),
        ("softmax(x, axis=0)", lambda: mx.softmax(x, axis=0), 7),
        ("x + row", lambda: x + row, 7),
        ("x + column", lambda: x + col, 7),
        ("softmax (10^4 x 1000)", lambda: mx.softmax(s, axis=-1), 15),
        ("logsumexp (10^4 x 1000)", lambda: mx.logsumexp(s, axis=-1), 15),
        ("cumsum (512 x 1000)", lambda: mx.cumsum(c512, axis=1), 200),
        ("cumsum axis 1 (10^4 x 10^4)", lambda: mx.cumsum(x, axis=1), 7),
        ("cumsum axis 0 (10^4 x 10^4)", lambda: mx.cumsum(x, axis=0), 7),
        ("float16 cumsum (10^4 x 1000)", lambda: mx.cumsum(s16, axis=-1), 7),
        ("logcumsumexp (10^4 x 1000)", lambda: mx.logcumsumexp(s, axis=-1), 7),
        ("qmv 4-bit 4096^2 g64", lambda: mx.quantized_matmul(v, wq, sc, bi, transpose=True,
                                                             group_size=64, bits=4), 2000),
    ]
    for name, fn, reps in cases:
        if only not in name:
            continue
        print(f"{name:28s} {median_ms(fn, reps):9.3f} ms")


if __name__ == "__main__":
    main()
