"""Ops over short rows and small last dims (shapes like (N, 2), (N, 3), (N, 4): coordinates,
channels, top-k over a few classes) against numpy, 10^7 float32 elements, median ms of 5 calls;
a row is flagged where numpy is faster. Per-row overheads that long rows hide show here.

    PYTHONPATH=<build>/python python bench/short_rows.py
"""
import os
import sys

import numpy as np

import mlx.core as mx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import median_time  # noqa: E402

rng = np.random.default_rng(0)
N = 10**7
a = rng.standard_normal(N, dtype=np.float32)
n3 = a[: (N // 3) * 3].reshape(-1, 3); n4 = a.reshape(-1, 4); n2 = a.reshape(-1, 2); col = a[: N // 4].reshape(-1, 1)
m3, m4, m2, mcol, ma = mx.array(n3), mx.array(n4), mx.array(n2), mx.array(col), mx.array(a)
b = rng.standard_normal(N // 2, dtype=np.float32); mb = mx.array(b)
rows16, rows1000 = a.reshape(-1, 16), a.reshape(-1, 1000)


def SET_COLS(x):
    c = x.copy()
    c[:, 1:3] = 0
    return c


m16, m1000 = mx.array(rows16), mx.array(rows1000)
n4r = a[::-1].copy().reshape(-1, 4); m4r = mx.array(n4r)
cases = [
 ("stack([x,y],-1)", lambda: mx.stack([mb, mb], axis=-1), lambda: np.stack([b, b], axis=-1)),
 ("concat (N,1)x2 axis1", lambda: mx.concatenate([mcol, mcol], axis=1), lambda: np.concatenate([col, col], axis=1)),
 ("concat (N,2)x2 axis1", lambda: mx.concatenate([m2, m2], axis=1), lambda: np.concatenate([n2, n2], axis=1)),
 ("tile 1-d x2", lambda: mx.tile(mb, 2), lambda: np.tile(b, 2)),
 ("broadcast (N,1)->(N,4)", lambda: mx.contiguous(mx.broadcast_to(mcol, (col.shape[0], 4))), lambda: np.ascontiguousarray(np.broadcast_to(col, (col.shape[0], 4)))),
 ("flip last (N,4)", lambda: mx.contiguous(m4[:, ::-1]), lambda: np.ascontiguousarray(n4[:, ::-1])),
 ("sum axis0 (N,3)", lambda: mx.sum(m3, axis=0), lambda: n3.sum(axis=0)),
 ("sum axis1 (N,3)", lambda: mx.sum(m3, axis=1), lambda: n3.sum(axis=1)),
 ("max axis1 (N,4)", lambda: mx.max(m4, axis=1), lambda: n4.max(axis=1)),
 ("argmax axis1 (N,4)", lambda: mx.argmax(m4, axis=1), lambda: n4.argmax(axis=1)),
 ("cumsum axis0 (N,3)", lambda: mx.cumsum(m3, axis=0), lambda: np.cumsum(n3, axis=0)),
 ("cumsum axis1 (N,3)", lambda: mx.cumsum(m3, axis=1), lambda: np.cumsum(n3, axis=1)),
 ("softmax (N,4)", lambda: mx.softmax(m4, axis=1), lambda: np.exp(n4 - n4.max(1, keepdims=True)) / np.exp(n4 - n4.max(1, keepdims=True)).sum(1, keepdims=True)),
 ("x.T (N,3) copy", lambda: mx.contiguous(m3.T), lambda: np.ascontiguousarray(n3.T)),
 ("(N,2)+(2,) ", lambda: m2 + mx.array([1.0, 2.0]), lambda: n2 + np.array([1.0, 2.0], np.float32)),
 ("(N,3) - (N,1)", lambda: m3 - m3[:, :1], lambda: n3 - n3[:, :1]),
 ("(N,1)*(1,4)", lambda: mcol * mx.array([[1.0, 2.0, 3.0, 4.0]]), lambda: col * np.array([[1.0, 2.0, 3.0, 4.0]], np.float32)),
 ("take last axis (N,4)[:, [3,0]]", lambda: mx.take(m4, mx.array([3, 0]), axis=1), lambda: np.take(n4, [3, 0], axis=1)),
 ("sort axis1 (N,4)", lambda: mx.sort(m4, axis=1), lambda: np.sort(n4, axis=1)),
 ("argsort axis1 (N,4)", lambda: mx.argsort(m4, axis=1), lambda: np.argsort(n4, axis=1)),
 ("pad (N,2) last axis", lambda: mx.pad(m2, ((0, 0), (1, 1))), lambda: np.pad(n2, ((0, 0), (1, 1)))),
 ("slice_update (N,4)[:, 1:3]", lambda: mx.slice_update(m4, mx.zeros((n4.shape[0], 2)), mx.array([0, 1]), (0, 1)),
  lambda: SET_COLS(n4)),
 ("where (N,4)", lambda: mx.where(m4 > 0, m4, 0.0), lambda: np.where(n4 > 0, n4, 0)),
 ("diff axis1 (N,4)", lambda: mx.diff(m4, axis=1), lambda: np.diff(n4, axis=1)),
 ("var axis1 (N,4)", lambda: mx.var(m4, axis=1), lambda: n4.var(axis=1)),
 ("logsumexp axis1 (N,4)", lambda: mx.logsumexp(m4, axis=1), None),
 ("topk axis1 (N,4) k=2", lambda: mx.topk(m4, 2, axis=1), lambda: np.partition(n4, 2, axis=1)[:, 2:]),
 ("topk axis1 (N,16) k=5", lambda: mx.topk(m16, 5, axis=1), lambda: np.partition(rows16, 11, axis=1)[:, 11:]),
 ("topk axis1 (N,1000) k=5", lambda: mx.topk(m1000, 5, axis=1), lambda: np.partition(rows1000, 995, axis=1)[:, 995:]),
 ("argpartition axis1 (N,16)", lambda: mx.argpartition(m16, 8, axis=1), lambda: np.argpartition(rows16, 8, axis=1)),
 ("repeat 2 axis1 (N,2)", lambda: mx.repeat(m2, 2, axis=1), lambda: np.repeat(n2, 2, axis=1)),
 ("astype f16 (N,3).T", lambda: m3.T.astype(mx.float16), lambda: n3.T.astype(np.float16)),
 # column slices: strided rows of 3, gathered in bands (ew_common.h)
 ("x[:, :3] + y[:, 1:] (N,4)", lambda: m4[:, :3] + m4r[:, 1:], lambda: n4[:, :3] + n4r[:, 1:]),
 ("x[:, 1:] * 2 (N,4)", lambda: m4[:, 1:] * 2, lambda: n4[:, 1:] * 2),
 ("maximum(x[:, :3], y[:, 1:])", lambda: mx.maximum(m4[:, :3], m4r[:, 1:]), lambda: np.maximum(n4[:, :3], n4r[:, 1:])),
 ("exp(x[:, :3]) (N,4)", lambda: mx.exp(m4[:, :3]), lambda: np.exp(n4[:, :3])),
 ("abs(x[:, 1:]) (N,4)", lambda: mx.abs(m4[:, 1:]), lambda: np.abs(n4[:, 1:])),
 ("where(x[:, :3] > 0, x[:, :3], y[:, 1:])", lambda: mx.where(m4[:, :3] > 0, m4[:, :3], m4r[:, 1:]),
  lambda: np.where(n4[:, :3] > 0, n4[:, :3], n4r[:, 1:])),
 ("argmin(x[:, :3], axis=0) (N,4)", lambda: mx.argmin(m4[:, :3], axis=0), lambda: np.argmin(n4[:, :3], axis=0)),
 ("argmax axis0 (N,3)", lambda: mx.argmax(m3, axis=0), lambda: np.argmax(n3, axis=0)),
 ("contiguous(x[:, :3]) (N,4)", lambda: mx.contiguous(m4[:, :3]), lambda: np.ascontiguousarray(n4[:, :3])),
 ("linalg.cross (N,3)", lambda: mx.linalg.cross(m3, m3[::-1]), lambda: np.cross(n3, n3[::-1])),
]
print(f"{'case':<32}{'ours ms':>9}{'numpy ms':>9}")
for name, f, g in cases:
    t = median_time(lambda: mx.eval(f()), 5) * 1e3
    r = median_time(g, 5) * 1e3 if g else float('nan')
    flag = "  <-- slower" if g and t > r * 0.9 else ""
    print(f"{name:<32}{t:9.2f}{r:9.2f}{flag}")
