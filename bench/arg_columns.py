"""argmin along the first axis of narrow and wide columns, contiguous and column slices, over
dtypes: median ms of 7 calls (results checked against numpy). Runs with our package or, with
PYTHONPATH unset, in the real MLX's environment, for a side-by-side reading.

    PYTHONPATH=<build>/python python bench/arg_columns.py
"""
import os
import sys

import numpy as np

import mlx.core as mx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import median_time  # noqa: E402

rng = np.random.default_rng(0)
print(f"mlx {mx.__version__}: argmin(x, axis=0), ms")
for dt in ("float32", "int32", "float16", "float64"):
    for shape, cols in (((2500000, 4), 3), ((2500000, 3), None), ((625000, 16), None),
                        ((100000, 100), None), ((1000, 10000), None)):
        a = (rng.standard_normal(shape) * 100).astype(dt)
        m = mx.array(a)
        x, ref = (m[:, :cols], a[:, :cols]) if cols else (m, a)
        for f in ("argmin", "argmax"):
            got = np.array(getattr(mx, f)(x, axis=0))
            assert (got == getattr(np, f)(ref, axis=0)).all(), (dt, shape, f)
        t = median_time(lambda: mx.eval(mx.argmin(x, axis=0)), 7) * 1e3
        view = f"{shape}[:, :{cols}]" if cols else str(shape)
        print(f"{dt:8} {view:22} {t:7.2f}")
