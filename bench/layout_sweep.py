"""Ops x layouts against the real MLX: every op below over transposed, sliced (strided and column
slices of short rows), broadcast (rows, columns) and integer views, median ms of 5 calls, written
as JSON; run it once with our package and once in the real MLX's environment, then compare (the
rows where ours is slower come first). The layout sweep behind docs/BENCHMARKS.md's notes of the
session of 2026-11-27 from 19:52 UTC.

    PYTHONPATH=<build>/python python bench/layout_sweep.py ours.json
    /path/to/mlxref/bin/python bench/layout_sweep.py mlx.json   (with PYTHONPATH unset)
    python bench/layout_sweep.py --compare ours.json mlx.json
"""
import json
import statistics
import sys
import time


def compare(ours, ref):
    o, m = json.load(open(ours)), json.load(open(ref))
    rows = sorted((m[k] / o[k], k, o[k], m[k]) for k in o if o[k] and m.get(k))
    print(f"{len(rows)} cases, {sum(r[0] < 1 for r in rows)} slower than the reference")
    for r, k, a, b in rows[:40]:
        print(f"{r:6.2f}x  {k:40s} ours {a:8.3f} ms  reference {b:8.3f} ms")
    failed = [k for k in o if o[k] is None and m.get(k) is not None]
    if failed:
        print("failed here, ran there:", ", ".join(failed))


if len(sys.argv) == 4 and sys.argv[1] == "--compare":
    compare(sys.argv[2], sys.argv[3])
    sys.exit(0)

import numpy as np  # noqa: E402

import mlx.core as mx  # noqa: E402

rng = np.random.default_rng(0)
def t(f, k=5):
    try:
        mx.eval(f())
    except Exception as e:
        return None
    ts = []
    for _ in range(k):
        t0 = time.perf_counter(); mx.eval(f()); ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3
base = rng.standard_normal(4 * 10**6, dtype=np.float32)
A = mx.array(base.reshape(2000, 2000)); mx.eval(A)
B = mx.array(base.reshape(-1, 4)); mx.eval(B)
C = mx.array(base.reshape(100, 200, 200)); mx.eval(C)
I = mx.array((base * 100).astype(np.int32).reshape(2000, 2000)); mx.eval(I)
layouts = {
 "sq": A, "sq.T": A.T, "sq[:, ::2]": A[:, ::2], "sq[::2]": A[::2], "sq[:, 1:-1]": A[:, 1:-1],
 "n4[:, :3]": B[:, :3], "n4.T": B.T, "c3.transpose(2,0,1)": C.transpose(2, 0, 1), "c3[:, :, 1:]": C[:, :, 1:],
 "bcast row": mx.broadcast_to(A[:1], (2000, 2000)), "bcast col": mx.broadcast_to(A[:, :1], (2000, 2000)),
 "int sq.T": I.T, "int n4": I.reshape(-1, 4)[:, :3],
}
ops = {
 "sum -1": lambda x: mx.sum(x, axis=-1), "sum 0": lambda x: mx.sum(x, axis=0), "sum": lambda x: mx.sum(x),
 "max -1": lambda x: mx.max(x, axis=-1), "argmax -1": lambda x: mx.argmax(x, axis=-1), "argmin 0": lambda x: mx.argmin(x, axis=0),
 "mean 0": lambda x: mx.mean(x, axis=0), "var -1": lambda x: mx.var(x, axis=-1),
 "logsumexp -1": lambda x: mx.logsumexp(x, axis=-1), "softmax -1": lambda x: mx.softmax(x.astype(mx.float32), axis=-1),
 "cumsum -1": lambda x: mx.cumsum(x, axis=-1), "cumsum 0": lambda x: mx.cumsum(x, axis=0), "cummax 0": lambda x: mx.cummax(x, axis=0),
 "sort -1": lambda x: mx.sort(x, axis=-1), "argsort 0": lambda x: mx.argsort(x, axis=0),
 "exp": lambda x: mx.exp(x.astype(mx.float32)), "x+1": lambda x: x + 1, "x*x": lambda x: x * x, "x+x.T?": lambda x: x + x,
 "astype f16": lambda x: x.astype(mx.float16), "astype i32": lambda x: x.astype(mx.int32),
 "contiguous": lambda x: mx.contiguous(x), "flatten": lambda x: x.flatten(),
 "where>0": lambda x: mx.where(x > 0, x, 0), "clip": lambda x: mx.clip(x, -1, 1),
 "abs": lambda x: mx.abs(x), "square": lambda x: mx.square(x), "sign": lambda x: mx.sign(x),
 "flip 0": lambda x: x[::-1], "roll -1": lambda x: mx.roll(x, 3, axis=-1), "roll 0": lambda x: mx.roll(x, 3, axis=0),
 "diff -1": lambda x: mx.diff(x, axis=-1), "diff 0": lambda x: mx.diff(x, axis=0),
 "take_along": lambda x: mx.take_along_axis(x, mx.zeros((x.shape[0], 1), mx.int32), axis=-1),
 "tril": lambda x: mx.tril(x) if x.ndim == 2 else x, "pad": lambda x: mx.pad(x, 1),
 "concat self 0": lambda x: mx.concatenate([x, x], axis=0), "stack": lambda x: mx.stack([x, x]),
 "all>0 -1": lambda x: mx.all(x > 0, axis=-1), "count_nonzero": lambda x: mx.count_nonzero(x, axis=-1) if hasattr(mx, "count_nonzero") else x,
 "topk 4 -1": lambda x: mx.topk(x, 2, axis=-1), "partition -1": lambda x: mx.partition(x, 1, axis=-1),
 "isnan": lambda x: mx.isnan(x), "maximum x x": lambda x: mx.maximum(x, x * 0.5), "mx.power": lambda x: mx.power(mx.abs(x), 1.5),
 "matmul vec": lambda x: x.reshape(x.shape[0], -1) @ mx.ones((x.reshape(x.shape[0], -1).shape[1],), x.dtype) if x.ndim >= 2 else x,
 "std 0": lambda x: mx.std(x, axis=0), "prod -1": lambda x: mx.prod(x, axis=-1), "min 0": lambda x: mx.min(x, axis=0),
}
res = {}
for ln, x in layouts.items():
    for on, f in ops.items():
        res[f"{on} | {ln}"] = t(lambda: f(x))
json.dump(res, open(sys.argv[1], "w"))
