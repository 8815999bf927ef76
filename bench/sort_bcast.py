"""The sort family over broadcast views (every row the same; every row one value), median ms of 9
calls: runs with our package or, with PYTHONPATH unset, in the real MLX's environment.

    PYTHONPATH=<build>/python python bench/sort_bcast.py
"""
import os
import sys

import numpy as np

import mlx.core as mx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import median_time  # noqa: E402

rng = np.random.default_rng(0)
A = mx.array(rng.standard_normal((2000, 2000), dtype=np.float32)); mx.eval(A)
R = mx.broadcast_to(A[:1], (2000, 2000))
for nm, f in [("topk bcast row", lambda: mx.topk(R, 4, axis=-1)), ("sort bcast row", lambda: mx.sort(R, axis=-1)), ("partition bcast row", lambda: mx.partition(R, 4, axis=-1)), ("argsort bcast row", lambda: mx.argsort(R, axis=-1))]:
    print(f"{nm:22} {median_time(lambda: mx.eval(f()), 9)*1e3:7.3f}")
C = mx.broadcast_to(A[:, :1], (2000, 2000))
for nm, f in [("partition bcast col", lambda: mx.partition(C, 4, axis=-1)), ("topk bcast col", lambda: mx.topk(C, 4, axis=-1)), ("argsort bcast col", lambda: mx.argsort(C, axis=-1))]:
    print(f"{nm:22} {median_time(lambda: mx.eval(f()), 9)*1e3:7.3f}")
