"""Differential sweep of mlx.core ops, ours against the real MLX (CPU): unary and binary ops
over dtypes and Python scalars, reductions, scans, sort/search, shape/indexing, __setitem__,
creation and dtype utilities (~11k cases, ~20 s).

    PYTHONPATH=<build>/python .venv/bin/python scripts/compare_ops_with_mlx.py \
        [--mlx /tmp/mlxref/bin/python] [--out /tmp/compare_ops.json] [--lines 300]

It runs itself in each environment with --dump FILE (the real MLX without PYTHONPATH), then
reports cases where one side raises, dtypes or shapes differ, or values differ (exact for ints;
rtol = atol = 1e-5, or 2e-3 float16, 1.6e-2 bfloat16; nan == nan, infs must match, -0.0 == 0.0).
A case that kills the process (MLX: SIGFPE in integer divmod by zero) is an error "crash" and
the dump resumes after it. partition/argpartition/topk compare in a canonical form (kth values,
sorted parts) since their order is unspecified."""
import argparse
import itertools
import json
import math
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

INF, NAN = math.inf, math.nan
ALL = ("bool_ uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 bfloat16 float32 "
       "float64 complex64").split()
BIN = "bool_ uint8 int8 int32 int64 uint32 uint64 float16 bfloat16 float32 complex64".split()
RED = "bool_ int8 uint8 int32 int64 uint32 float16 bfloat16 float32".split()
KIND = {d: "b" if d == "bool_" else "c" if d == "complex64" else "f" if "float" in d else "i"
        for d in ALL}  # b(ool), i(nt), f(loat), c(omplex): picks the input values
TOL = {"float16": 2e-3, "bfloat16": 1.6e-2}  # rtol = atol; 1e-5 for the other float types
UN = dict(b=[1, 0, 1, 0, 0, 1, 1], i=[0, 1, -1, "max", "min", 7, -8],
          f=[0, -0.0, 1, -1, 0.5, -2.5, 3.7, 100, 1e-30, -1e-30, 70000, INF, -INF, NAN],
          c=[0.5j, -0.0, 1 - 1j, -1 + 2j, 0.5, -2.5 + 1j, 3.7 - 0.5j, 100 + 3j, 1e-30, -1e-30,
             7 + 1j, complex(INF, 0), complex(2, -INF), complex(NAN, 0)])
BA = dict(b=[1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1],
          i=[7, -7, 0, 5, -128, -1, 3, 1, 100, 127, 64, -3],
          f=[7, -7, 0, 5.5, -2.5, -1, 3, 1e-3, 100, INF, NAN, -0.0],
          c=[7 + 1j, -7, 0, 5.5 - 2j, -2.5, -1 + 1j, 3, 1e-3j, 100, 1 + 1j, 2j, -0.0])
BB = dict(b=[1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0], i=[2, -2, 3, 0, -1, 3, 0, 64, 33, 8, 7, -7],
          f=[2, -2, 3, 0, -1.5, 3, 0, 64, INF, -INF, NAN, 0.5],
          c=[2, -2 + 1j, 3, 0, -1.5j, 3, 0, 1 + 1j, 2, -1, 0.5j, 0.5])
RV = dict(b=[1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0],
          i=[3, -1, 0, 7, 2, -5, 100, 3, 1, 0, -8, 4, 4, 9, -2],
          f=[0.5, -1.5, 3, 2, 0, -0.0, 7.25, 1e3, -2, 4, 1, 1, 9, -3, 0.125])
SV = dict(b=[1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1], i=[3, 1, -2, 2, 1, 7, 0, 2, -9, 0, 1, 5],
          f=[3, 1, NAN, 2, 1, -INF, 0, 2, INF, -0.0, 1, 5])
UNARY = ("abs sign negative positive square sqrt rsqrt reciprocal exp expm1 log log2 log10 log1p "
         "sin cos tan sinh cosh tanh arcsin arccos arctan arcsinh arccosh arctanh sigmoid erf "
         "erfinv floor ceil round degrees radians isnan isinf isfinite isposinf isneginf "
         "nan_to_num conj real imag bitwise_invert logical_not stop_gradient").split()
BINARY = ("add subtract multiply divide floor_divide remainder divmod power maximum minimum "
          "arctan2 logaddexp left_shift right_shift bitwise_and bitwise_or bitwise_xor equal "
          "not_equal less less_equal greater greater_equal logical_and logical_or logical_xor "
          "isclose allclose array_equal").split()
REDUCE = {**dict.fromkeys(("sum prod min max mean var std all any logsumexp argmin argmax median "
                           "count_nonzero softmax").split(), {}), "var(ddof=1)": dict(ddof=1),
          "std(ddof=1)": dict(ddof=1), "softmax(precise)": dict(precise=True)}  # op -> kwargs


def mk(mx, dt, vals, shape):
    npdt = np.dtype(np.float32 if dt == "bfloat16" else getattr(np, dt))
    if npdt.kind in "iu":
        info = np.iinfo(npdt)
        vals = [info.max if v == "max" else info.min if v == "min" else v for v in vals]
        vals = [(int(v) - info.min) % (1 << info.bits) + info.min for v in vals]
    return mx.array(np.array(vals, npdt).reshape(shape), dtype=getattr(mx, dt))


def cases(mx):
    """Yields (name, thunk, inputs); inputs are shown next to differing values."""
    for dt in ALL:  # 1. unary
        a = mk(mx, dt, UN[KIND[dt]], (2, 7) if KIND[dt] in "fc" else (7,))
        ops = [(op, lambda a, op=op: getattr(mx, op)(a)) for op in UNARY]
        ops += [(f"round(decimals={d})", lambda a, d=d: mx.round(a, d)) for d in (1, -1)]
        ops += [("nan_to_num(1.5,9,-9)", lambda a: mx.nan_to_num(a, 1.5, posinf=9.0, neginf=-9.0)),
                ("nan_to_num(posinf=1e5)", lambda a: mx.nan_to_num(a, posinf=1e5))]
        for op, f in ops:
            yield f"unary/{op}/{dt}", lambda f=f, a=a: f(a), [a]
    ops = {op: getattr(mx, op) for op in BINARY}  # 2. binary
    ops["array_equal(equal_nan)"] = lambda x, y: mx.array_equal(x, y, equal_nan=True)
    for d1 in BIN:
        a = mk(mx, d1, BA[KIND[d1]], (3, 4))
        for d2 in BIN:
            b = mk(mx, d2, BB[KIND[d2]], (3, 4))
            for op, f in ops.items():
                yield f"binary/{op}/{d1},{d2}", lambda f=f, b=b, a=a: f(a, b), [a, b]
        for s in (2, -3, 2.5, True):
            for op, f in ops.items():
                yield f"binary/{op}/{d1},s={s}", lambda f=f, s=s, a=a: f(a, s), [a]
                yield f"binary/{op}/s={s},{d1}", lambda f=f, s=s, a=a: f(s, a), [a]
    for dt in RED:  # 3. reductions, on a second input with a nan for floats and on (0, 3)
        v = RV[KIND[dt]]
        variants = [(dt, v, (3, 5)), (dt + "-empty", [], (0, 3))]
        if KIND[dt] == "f":
            variants.append((dt + "-nan", v[:6] + [NAN] + v[7:], (3, 5)))
        for vn, vals, shape in variants:
            a = mk(mx, dt, vals, shape)
            axes = (0, 1, None) if vn.endswith("empty") else (None, 0, -1, (0, 1))
            for (op, kw), ax, kd in itertools.product(REDUCE.items(), axes, (False, True)):
                if op.startswith("softmax") and kd:  # softmax takes no keepdims
                    continue
                kw = dict(kw, axis=ax, **({} if op.startswith("softmax") else dict(keepdims=kd)))
                yield (f"reduce/{op}/{vn}/axis={ax},kd={int(kd)}",
                       lambda f=getattr(mx, op.split("(")[0]), a=a, kw=kw: f(a, **kw), [a])
    for dt in ("int32", "float32", "float16", "bool_"):  # 4. scans, sort, search
        a = mk(mx, dt, SV[KIND[dt]], (3, 4))
        for op, ax, rev, inc in itertools.product(
                ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"), (0, 1, None),
                (False, True), (True, False)):
            yield (f"scan/{op}/{dt}/axis={ax},rev={int(rev)},inc={int(inc)}",
                   lambda f=getattr(mx, op), ax=ax, r=rev, i=inc, a=a:
                   f(a, axis=ax, reverse=r, inclusive=i), [a])
        for ax in (0, -1, None):
            yield f"sort/sort/{dt}/axis={ax}", lambda ax=ax, a=a: mx.sort(a, axis=ax), [a]
            yield f"sort/argsort/{dt}/axis={ax}", lambda ax=ax, a=a: mx.argsort(a, axis=ax), [a]
            for kth in (0, 1, -1):
                yield (f"sort/partition/{dt}/kth={kth},axis={ax}",
                       lambda ax=ax, k=kth, a=a: canon(mx, mx.partition(a, k, axis=ax), k, ax), [])
                yield (f"sort/argpartition/{dt}/kth={kth},axis={ax}",
                       lambda ax=ax, k=kth, a=a: canon(mx, mx.take_along_axis(
                           a, mx.argpartition(a, k, axis=ax), axis=ax), k, ax), [])
            for k in (1, 2):
                yield (f"sort/topk/{dt}/k={k},axis={ax}",
                       lambda ax=ax, k=k, a=a: mx.sort(mx.topk(a, k, axis=ax), axis=ax), [])
        for side in ("left", "right"):
            yield (f"sort/searchsorted/{dt}/{side}",
                   lambda s=side, a=a: mx.searchsorted(mx.sort(a.flatten()), a, side=s), [a])
    yield from shape_cases(mx)
    yield from dtype_cases(mx)


def canon(mx, p, k, ax):
    """kth values, then the sorted parts below and above them, along the partitioned axis."""
    p = p if ax is None else mx.moveaxis(p, ax, -1)
    k = k % p.shape[-1]
    return [p[..., k], mx.sort(p[..., :k], axis=-1), mx.sort(p[..., k + 1:], axis=-1)]


# 5. shape and indexing, 6. creation: each case is an expression (its name) over x =
# arange(15).reshape(3, 5) int32, xf = x / 4 float32, y = arange(24).reshape(2, 3, 4), v = [1, 2, 3]
SHAPE = """
x.reshape(5, 3) ; mx.reshape(x, (-1,)) ; mx.reshape(x, (3, -1, 5)) ; mx.reshape(x, (4, 4))
mx.flatten(y) ; mx.flatten(y, 1, 2) ; mx.flatten(y, start_axis=-2) ; mx.flatten(mx.array(3))
mx.unflatten(x, 1, (5, 1)) ; mx.unflatten(y, -1, (2, -1)) ; mx.squeeze(x[None, :, None])
mx.squeeze(x.reshape(3, 1, 5), 1) ; mx.squeeze(x, 0) ; mx.expand_dims(x, 0) ; mx.expand_dims(x, -1)
mx.expand_dims(x, (0, 2)) ; mx.expand_dims(x, (0, -1)) ; mx.transpose(y) ; y.T
mx.transpose(y, (1, 0, 2)) ; mx.transpose(y, (2, 0, 1)) ; mx.swapaxes(y, 0, 2)
mx.swapaxes(y, -1, 1) ; mx.moveaxis(y, 0, -1) ; mx.moveaxis(y, -1, 0)
mx.broadcast_to(x[0], (3, 5)) ; mx.broadcast_to(x[:, :1], (2, 3, 5)) ; mx.broadcast_to(x, (5, 3))
mx.broadcast_to(2.5, (2, 2)) ; mx.concatenate([x, x], 0) ; mx.concatenate([x, xf], 1)
mx.concatenate([x, y], axis=None) ; mx.concatenate([x, y]) ; mx.stack([x, x])
mx.stack([x, xf], -1) ; mx.stack([x, x.T]) ; mx.split(x, 3) ; mx.split(x, [1, 4], axis=1)
mx.split(x, 2) ; mx.split(x, [-1], 1) ; mx.split(x, [3, 1], 1) ; mx.repeat(x, 2)
mx.repeat(x, 2, axis=1) ; mx.repeat(x, 0, axis=0) ; mx.tile(x, 2) ; mx.tile(x, (2, 1))
mx.tile(x, (2, 1, 1)) ; mx.flip(x) ; mx.flip(x, 0) ; mx.flip(x, 1) ; mx.flip(x, (0, 1))
mx.flip(x, -1) ; mx.roll(x, 2) ; mx.roll(x, -1, 0) ; mx.roll(x, (1, 2), (0, 1)) ; mx.roll(x, 7, 1)
mx.roll(x, -16) ; mx.roll(x, 1, (0, 1)) ; mx.pad(x, 1, constant_values=-1)
mx.pad(x, (1, 0), constant_values=2.5) ; mx.take(x, mx.array([0, -1, 2]))
mx.take(x, mx.array([0, -1, 2]), axis=1) ; mx.take(x, 3)
mx.take(x, mx.array([[0, -2], [1, 2]]), axis=0) ; mx.take(x, -1, axis=1) ; mx.take(x, 1, axis=0)
mx.take_along_axis(x, mx.argsort(-x, axis=1), axis=1)
mx.take_along_axis(x, mx.array([3, -1]), None)
mx.take_along_axis(x, mx.array([[0], [2], [-1]]), 1) ; mx.diagonal(x) ; mx.diagonal(x, 1)
mx.diagonal(x, -1) ; mx.diagonal(x, 4) ; mx.diagonal(x, -3) ; mx.diagonal(x, 9)
mx.diagonal(y, 0, 1, 2) ; mx.diagonal(y, 1, 2, 0) ; mx.diag(x) ; mx.diag(x, 1) ; mx.diag(x, -2)
mx.diag(v) ; mx.diag(v, -1) ; mx.diag(y) ; mx.trace(x) ; mx.trace(x, 1) ; mx.trace(x, -2)
mx.trace(y, 0, 1, 2) ; mx.trace(x, dtype=mx.float32) ; mx.tril(x) ; mx.tril(x, 1) ; mx.triu(x, -1)
mx.triu(y, 1) ; mx.tril(xf, -1) ; mx.diff(x) ; mx.diff(x, 2) ; mx.diff(x, 1, 0) ; mx.diff(x, 5)
mx.diff(mx.array([3, 1, 200], mx.uint8)) ; mx.diff(mx.array([True, False, False]))
mx.atleast_1d(mx.array(3)) ; mx.atleast_2d(v) ; mx.atleast_3d(x) ; mx.atleast_3d(v)
mx.atleast_2d(mx.array(1), v, x) ; x[1] ; x[-1] ; x[1, 2] ; x[:, ::-1] ; x[::-2, 1:-1] ; x[None]
x[..., 1] ; x[None, ..., None] ; x[mx.array([0, -1])] ; x[:, mx.array([[0, 1], [4, 3]])]
x[mx.array([0, 2]), mx.array([1, 3])] ; x[1:1] ; x[5:] ; x[-10:10] ; x[mx.array([0, 2]), None, 1:]
x[1, mx.array([4, 0])] ; x[::-1, -4::-2] ; x[x > 5] ; x[mx.array([True, False, True])]
y[..., ::2, None] ; y[1, ..., -1]
"""
SETITEM = """
a[1] = 7 ; a[:, ::-1] = mx.arange(5) ; a[mx.array([0, 0, 2])] = 9 ; a[..., 1] = 2.7 ; a[a > 5] = 0
a[mx.array([0, -1]), 1] = mx.array([100, 200]) ; a[None, 1:] = -1 ; a[::2, ::-2] = 0
a[1:3] = mx.array([[1], [2]]) ; a[-1] = mx.array([1, 2]) ; a[1] += 7 ; a[mx.array([0, 0, 2])] += 9
a[:, ::-1] += mx.arange(5) ; a[1:3] += mx.array([[1], [2]]) ; a[mx.array([1, 1]), 2] -= 1
"""
CREATE = """
mx.arange(5) ; mx.arange(2, 10, 3) ; mx.arange(0, 1, 0.25) ; mx.arange(5, dtype=mx.float16)
mx.arange(10, 0, -3) ; mx.arange(0.5, 3) ; mx.arange(0, 1, 0.1) ; mx.arange(1, 0) ; mx.arange(2.0)
mx.arange(-3, 3, dtype=mx.uint32) ; mx.arange(0, 5, 2, dtype=mx.float32)
mx.arange(0, 2.5, dtype=mx.int32) ; mx.arange(0, 1, 0.3, dtype=mx.bfloat16)
mx.arange(5, dtype=mx.bool_) ; mx.linspace(0, 1, 5) ; mx.linspace(0, 1, 1) ; mx.linspace(0, 1, 0)
mx.linspace(-2, 10, 4, dtype=mx.int32) ; mx.linspace(3, -1, 6, dtype=mx.float16)
mx.linspace(0, 1, -1) ; mx.eye(3) ; mx.eye(3, 4, k=1) ; mx.eye(3, k=-2) ; mx.eye(2, dtype=mx.int32)
mx.eye(2, k=5) ; mx.tri(3) ; mx.tri(3, 4, k=1) ; mx.tri(3, k=-1) ; mx.tri(2, dtype=mx.int32)
mx.identity(3) ; mx.identity(2, dtype=mx.bool_) ; mx.meshgrid(mx.arange(3), mx.arange(2.0))
mx.meshgrid(mx.arange(3), mx.arange(2), indexing="ij")
mx.meshgrid(mx.arange(3), mx.arange(2), sparse=True)
mx.meshgrid(mx.arange(2), mx.arange(3), mx.arange(1), indexing="ij") ; mx.asarray([1, 2.5, True])
mx.asarray([[1, 2], [3, 4.0]]) ; mx.asarray([True, 2]) ; mx.asarray([[True, False]])
mx.asarray([1, 2**40]) ; mx.asarray([]) ; mx.asarray([[1, 2], [3]]) ; mx.asarray([2**31])
mx.asarray([1.5, 2j]) ; mx.asarray([[[]]]) ; mx.asarray([2**64 - 1])
mx.asarray([1, 2.7], dtype=mx.float16)
"""


def shape_cases(mx):
    exprs = lambda t: [e for ln in t.strip().splitlines() for e in ln.split(" ; ")]  # noqa: E731
    xn = np.arange(15, dtype=np.int32).reshape(3, 5)
    ns = dict(mx=mx, x=mx.array(xn), xf=mx.array(xn / 4, dtype=mx.float32), v=mx.array([1, 2, 3]),
              y=mx.array(np.arange(24, dtype=np.int32).reshape(2, 3, 4)))
    pads = [f"mx.pad(x, {w}, mode={m!r})" for m in ("constant", "edge", "symmetric", "reflect")
            for w in (1, (1, 2), [(1, 0), (0, 2)], [(3, 4), (0, 6)])]
    for e in exprs(SHAPE) + pads:
        op = e.split("(")[0].split(".")[-1] if e.startswith("mx.") else "x[...]"
        yield f"shape/{op}/{e}", lambda e=e: eval(e, ns), []

    def setitem(stmt):
        env = dict(ns, a=mx.array(xn))
        exec(stmt, env)
        return env["a"]
    for e in exprs(SETITEM):
        op = "op=" if " += " in e or " -= " in e else "="
        yield f"setitem/{op}/{e}", lambda e=e: setitem(e), []
    create = exprs(CREATE) + [f"mx.{w}({m})" for w in ("bartlett", "blackman", "hamming", "hanning")
                              for m in (0, 1, 5)]
    create += [e.format(dt) for dt in ALL for e in (
        *[f"mx.full((2, 3), {v}, dtype=mx.{{}})" for v in (2.5, -1, True, 70000)],
        "mx.zeros_like(mx.ones((2, 2), dtype=mx.{}))", "mx.ones_like(mx.zeros((2,), dtype=mx.{}))",
        "mx.ones_like(mx.zeros((2,), dtype=mx.{}), dtype=mx.float32)")]
    for e in create:
        yield f"create/{e.split('(')[0][3:]}/{e}", lambda e=e: eval(e, ns), []


def dtype_cases(mx):
    cats = ("generic number integer signedinteger unsignedinteger floating inexact "
            "complexfloating bool_ float32 int32").split()
    for d1 in ALL:
        a = getattr(mx, d1)
        for d2, f in itertools.product(ALL, (mx.result_type, mx.can_cast)):
            yield f"dtype/{f.__name__}/{d1},{d2}", lambda f=f, a=a, b=getattr(mx, d2): f(a, b), []
        for c in cats:
            yield (f"dtype/issubdtype/{d1},{c}",
                   lambda a=a, c=c: mx.issubdtype(a, getattr(mx, c)), [])
        yield f"dtype/result_type/{d1},array(1.5)", lambda a=a: mx.result_type(mx.array(1.5), a), []
        for s in (2, -3, 2.5, True, 2 ** 40, 1e10, 1j):
            yield f"dtype/promote/{d1},s={s}", lambda a=a, s=s: (mx.zeros(2, a) + s).dtype, []
        info = mx.finfo if KIND[d1] in "fc" else mx.iinfo
        for fld in ("min", "max", "eps", "dtype") if info is mx.finfo else ("min", "max", "dtype"):
            yield (f"dtype/{info.__name__}.{fld}/{d1}",
                   lambda i=info, a=a, f=fld: getattr(i(a), f), [])


def to_rec(mx, r):
    if isinstance(r, mx.array):
        dt = str(r.dtype).split(".")[-1]
        v = np.array(r.astype(mx.float32) if r.dtype in (mx.float16, mx.bfloat16) else r)
        tgt = {"b": np.bool_, "c": np.complex128, "f": np.float64, "i": np.int64}
        return ("ok", dt, tuple(v.shape), v.astype(tgt.get(v.dtype.kind, np.uint64)))
    if isinstance(r, mx.Dtype):
        return ("ok", "Dtype", (), np.array(str(r).split(".")[-1]))
    return ("ok", type(r).__name__, (), np.array(r))


def dump(path, start, gen=None):
    """Appends ("start", i, name), then ("done", i, name, [records], inputs), per case."""
    import mlx.core as mx
    warnings.simplefilter("ignore")
    with open(path, "ab") as f:
        pickle.dump(("meta", f"{mx.__file__} {getattr(mx, '__version__', '?')}"), f)
        for i, (name, fn, inputs) in enumerate((gen or cases)(mx)):
            if i < start:
                continue
            pickle.dump(("start", i, name), f)
            f.flush()
            try:
                r = fn()
                recs = [to_rec(mx, x) for x in (r if isinstance(r, (list, tuple)) else [r])]
            except Exception as e:  # noqa: BLE001 - every failure is a result here
                recs = [("error", type(e).__name__, str(e)[:200])]
            pickle.dump(("done", i, name, recs, [to_rec(mx, a)[3] for a in inputs]), f)
            f.flush()


def run_side(cmd, env, path):
    """Runs the dump, resuming after any case that kills the process."""
    recs, inputs, start = {}, {}, 0
    no_core = lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # noqa: E731
    while True:
        open(path, "wb").close()
        try:
            rc = subprocess.run(cmd + ["--dump", path, "--start", str(start)], env=env,
                                timeout=300, preexec_fn=no_core).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        last = None
        with open(path, "rb") as f:
            while True:
                try:
                    r = pickle.load(f)
                except (EOFError, pickle.UnpicklingError):
                    break
                if r[0] == "meta":
                    meta = r[1]
                elif r[0] == "start":
                    last = r
                else:
                    last, recs[r[2]], inputs[r[2]] = None, r[3], r[4]
        if last is None:
            if rc != 0:
                sys.exit(f"dump failed ({rc}) outside a case: {cmd}")
            return recs, inputs, meta
        recs[last[2]] = [("error", "crash", f"process died ({rc}) in this case")]
        start = last[1] + 1


def fmt(v):  # values come as float64 / complex128 / int64 / uint64 / bool / str
    return f"{v:.6g}" if isinstance(v, (float, complex)) else str(getattr(v, "item", lambda: v)())


def compare(a, b, ins):
    """None when equal, else (kind, detail)."""
    if a[0] != b[0]:
        side, e, ok = ("ours", a, b) if a[0] == "error" else ("MLX", b, a)
        return "error-vs-result", f"{side} raised {e[1]}: {e[2][:90]!r}; other: {ok[1]} {ok[2]}"
    if a[0] == "error":
        return None
    what, va, vb = [f"dtype ours={a[1]} mlx={b[1]}"] if a[1] != b[1] else [], a[3], b[3]
    if a[2] != b[2]:
        return "shape", "; ".join(what + [f"shape ours={a[2]} mlx={b[2]}"])
    if va.dtype.kind in "fc" or vb.dtype.kind in "fc":
        t = max(TOL.get(a[1], 1e-5), TOL.get(b[1], 1e-5))
        with np.errstate(all="ignore"):
            bad = ~np.isclose(va, vb, rtol=t, atol=t, equal_nan=True)
    else:  # exact; object compare keeps uint64 vs int64 and strings exact
        bad = np.array(va.astype(object) != vb.astype(object), dtype=bool)
    if bad.any():
        pos = []
        for idx in list(zip(*np.nonzero(bad)))[:3] if bad.ndim else [()]:
            inp = [fmt(np.broadcast_to(x, va.shape)[idx]) for x in ins if x.ndim <= va.ndim and
                   all(m in (1, n) for m, n in zip(x.shape[::-1], va.shape[::-1]))]
            pos.append(f"{[int(i) for i in idx]}: in={','.join(inp) or '-'} "
                       f"ours={fmt(va[idx])} mlx={fmt(vb[idx])}")
        what.append(f"{int(bad.sum())}/{bad.size} values differ: " + "; ".join(pos))
    return (("dtype" if a[1] != b[1] else "values"), "; ".join(what)) if what else None


def main(gen=None, script=__file__, out="/tmp/compare_ops.json", doc=__doc__):
    """gen, script, out, doc: another sweep's case generator, file, default --out, doc."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--mlx", default=os.environ.get("MLXREF_PYTHON", "/tmp/mlxref/bin/python"))
    ap.add_argument("--out", default=out)
    ap.add_argument("--dump", help="internal: write this environment's results to DUMP")
    ap.add_argument("--start", type=int, default=0, help="internal: first case to run")
    ap.add_argument("--lines", type=int, default=300, help="cap on printed lines")
    args = ap.parse_args()
    if args.dump:
        return dump(args.dump, args.start, gen)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.time()
        ours, ins, m1 = run_side([sys.executable, script], dict(os.environ), f"{d}/a")
        t1 = time.time()
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the real MLX alone
        ref, _, m2 = run_side([args.mlx, script], env, f"{d}/b")
        t2 = time.time()
    diffs = []  # each: dict(case, kind, detail)
    for name in list(ours) + [n for n in ref if n not in ours]:
        A, B = (d.get(name, [("error", "missing", "")]) for d in (ours, ref))
        if len(A) == len(B) and A[0][0] == B[0][0] == "ok":  # tuples: each array on its own
            res = [(name + (f"#{j}" if len(A) > 1 else ""), compare(x, y, ins.get(name, [])))
                   for j, (x, y) in enumerate(zip(A, B))]
        else:  # an error on either side, or tuples of different lengths
            res = [(name, compare(*[r[0] if len(r) == 1 else ("ok", "tuple", len(r))
                                    for r in (A, B)], []))]
        diffs += [dict(case=n, kind=r[0], detail=r[1]) for n, r in res if r]
    with open(args.out, "w") as f:
        json.dump(diffs, f, indent=1)
    lines = [f"ours: {m1}\nMLX:  {m2}",
             f"{len(ours)} cases ({sum(map(len, ours.values()))} results; ours {t1 - t0:.1f}s, "
             f"MLX {t2 - t1:.1f}s), {len(diffs)} differences; full list in {args.out}"]
    by = {}  # (kind, category/op) -> diffs
    for x in diffs:
        by.setdefault((x["kind"], "/".join(x["case"].split("/")[:2])), []).append(x)
    for knd in ("error-vs-result", "shape", "dtype", "values"):
        gs = sorted(((k[1], len(v)) for k, v in by.items() if k[0] == knd), key=lambda g: -g[1])
        if gs:
            lines.append(f"== {knd}: {sum(g[1] for g in gs)} in {len(gs)} ops: "
                         + ", ".join(f"{op}({n})" for op, n in gs))
    per = 3 if len(diffs) > args.lines else len(diffs)  # examples per (kind, op) group
    for (knd, op), xs in by.items():
        lines += [f"{x['case']}  [{knd}] {x['detail']}" for x in xs[:per]]
        lines += [f"    ... {len(xs) - per} more {knd} in {op}"] if len(xs) > per else []
    more = len(lines) - args.lines
    print("\n".join(lines[:args.lines]) + (f"\n... {more} more lines" if more > 0 else ""))


if __name__ == "__main__":
    main()
