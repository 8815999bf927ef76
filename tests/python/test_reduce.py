"""Reductions, statistics, softmax, arg-reductions, scans, sort/partition/topk, searchsorted and
count_nonzero against numpy (float64 references), over MLX's dtypes and layouts."""
import math

import numpy as np
import pytest

import mlx.core as mx

rng = np.random.default_rng(7)

INTS = [mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64]
FLOATS = [mx.float16, mx.bfloat16, mx.float32, mx.float64]
REALS = [mx.bool_] + INTS + FLOATS
ALL = REALS + [mx.complex64]
SMALL_INT = {mx.bool_: mx.int32, mx.int8: mx.int32, mx.int16: mx.int32, mx.uint8: mx.uint32,
             mx.uint16: mx.uint32}
TOL = {mx.float16: 2e-3, mx.bfloat16: 1.6e-2, mx.float32: 2e-6, mx.float64: 1e-12,
       mx.complex64: 2e-6}


def name(d):
    return str(d).split(".")[-1]


def to_np(a):
    """numpy copy of a (bfloat16 through float32), as float64/complex128/int64/bool."""
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    x = np.array(a)
    if x.dtype == np.bool_:
        return x
    if np.iscomplexobj(x):
        return x.astype(np.complex128)
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.int64) if x.dtype != np.uint64 else x
    return x.astype(np.float64)


def make(shape, dtype, low=-4, high=5):
    """Random values exactly representable in dtype; returns (mx array, numpy float64 view)."""
    if dtype == mx.bool_:
        x = rng.integers(0, 2, shape).astype(bool)
    elif dtype in (mx.uint8, mx.uint16, mx.uint32, mx.uint64):
        x = rng.integers(0, high, shape).astype(np.float64)
    elif dtype in INTS:
        x = rng.integers(low, high, shape).astype(np.float64)
    elif dtype == mx.complex64:
        x = (rng.integers(low, high, shape) + 1j * rng.integers(low, high, shape)) / 2
    else:
        x = rng.integers(low * 4, high * 4, shape) / 4.0
    a = mx.array(x).astype(dtype) if dtype != mx.complex64 else mx.array(x.astype(np.complex64))
    return a, to_np(a)


def layouts(x, dtype, low=-4, high=5):
    """(name, mx array, numpy array) triples: contiguous, transposed and broadcast views."""
    a, ref = make(x, dtype, low, high)
    out = [("contig", a, ref)]
    if len(x) >= 2:
        out.append(("transposed", mx.transpose(a), ref.T))
    b = mx.broadcast_to(a, (2,) + tuple(x))
    out.append(("broadcast", b, np.broadcast_to(ref, (2,) + tuple(x))))
    return out


def close(got, expected, dtype, rtol=None, atol=None):
    g = to_np(got)
    t = TOL.get(dtype, 0)
    rtol = t if rtol is None else rtol
    atol = t if atol is None else atol
    assert g.shape == np.shape(expected), (g.shape, np.shape(expected))
    np.testing.assert_allclose(g, expected, rtol=rtol, atol=atol, equal_nan=True)


# ------------------------------------------------------------------ plain reductions

def expected_dtype(op, d):
    if op in ("sum", "prod"):
        return SMALL_INT.get(d, d)
    if op in ("all", "any"):
        return mx.bool_
    if op in ("max", "min"):
        return d
    if op == "mean":
        return d if d in FLOATS or d == mx.complex64 else mx.float32
    raise ValueError(op)


NP_RED = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "all": np.all,
          "any": np.any, "mean": np.mean}


@pytest.mark.parametrize("dtype", ALL, ids=name)
@pytest.mark.parametrize("op", ["prod", "max", "min", "all", "any", "mean"])
def test_reductions_dtypes_layouts(op, dtype):
    if dtype == mx.complex64 and op in ("max", "min"):
        pytest.skip("complex max/min order is checked separately")
    # float16's product of 24 values up to 4.75 can pass 65504 (then inf, against numpy's float64
    # reference): values up to 1.5 keep it finite whatever the module's generator gives
    small = op == "prod" and dtype == mx.float16
    for lname, a, ref in layouts((3, 4), dtype, *((-1.5, 1.75) if small else ())):
        for axis in (None, 0, -1, (0, 1), (1,)):
            for keepdims in (False, True):
                r = getattr(mx, op)(a, axis=axis, keepdims=keepdims)
                e = NP_RED[op](ref, axis=axis, keepdims=keepdims)
                assert r.dtype == expected_dtype(op, dtype), (lname, axis)
                if op in ("all", "any"):
                    np.testing.assert_array_equal(to_np(r), e)
                else:
                    close(r, e, expected_dtype(op, dtype))
        m = getattr(a, op)(1) if op != "sum" else None  # array method, positional axis
        close(m, NP_RED[op](ref, axis=1), expected_dtype(op, dtype))


def test_reductions_zero_d_and_empty():
    z = mx.array(2.5)
    for op in ("prod", "max", "min", "mean"):
        r = getattr(mx, op)(z)
        assert r.shape == () and r.item() == 2.5
    e = mx.zeros((0, 3))
    assert mx.prod(e, axis=0).tolist() == [1.0, 1.0, 1.0]
    assert mx.all(e, axis=0).tolist() == [True] * 3
    assert mx.any(e).item() is False
    assert all(math.isnan(v) for v in mx.mean(e, axis=0).tolist())
    assert mx.max(e, axis=1).shape == (0,)
    with pytest.raises(ValueError, match=r"\[max\] Cannot max reduce over axis 0 with size 0"):
        mx.max(e, axis=0)
    with pytest.raises(ValueError, match="Cannot min reduce"):
        mx.min(e)
    # no axes: the input (all/any as bool)
    a = mx.array([[1, 0], [3, 4]], mx.int8)
    assert mx.prod(a, axis=[]).dtype == mx.int8
    assert mx.all(a, axis=[]).tolist() == [[True, False], [True, True]]
    assert mx.mean(a, axis=[]).dtype == mx.float32


def test_reduction_nan_and_complex_order():
    x = mx.array([3.0, float("nan"), 1.0])
    assert math.isnan(mx.max(x).item()) and math.isnan(mx.min(x).item())
    c = mx.array([1 + 1j, 2 - 1j, 1 + 3j])
    assert mx.max(c).item() == 2 - 1j
    assert mx.min(c).item() == 1 + 1j


@pytest.mark.parametrize("npd", [np.float32, np.float64])
def test_max_min_long_rows(npd):
    # rows of 64 and more (the AVX-512 loop: 4 vectors per step, then a scalar tail); NaN in the
    # vector part, in the tail or nowhere, infinities, one row and rows along an axis
    for n in (64, 65, 127, 1000, 4099):
        x = rng.standard_normal(n).astype(npd) * 100
        x[n // 3] = np.inf
        x[n // 2] = -np.inf
        for nan_at in (None, 0, 17, n - 1):
            y = x.copy()
            if nan_at is not None:
                y[nan_at] = np.nan
            for op, ref in ((mx.max, np.max), (mx.min, np.min)):
                got = op(mx.array(y, dtype=mx.float32 if npd == np.float32 else mx.float64)).item()
                want = ref(y)
                assert (math.isnan(got) and math.isnan(want)) or got == want, (n, nan_at, op)
        z = rng.standard_normal((3, n)).astype(npd)
        z[1, n - 1] = np.nan
        zm = mx.array(z, dtype=mx.float32 if npd == np.float32 else mx.float64)
        np.testing.assert_array_equal(np.array(mx.max(zm, axis=1)), np.max(z, axis=1))
        np.testing.assert_array_equal(np.array(mx.min(zm, axis=1)), np.min(z, axis=1))
    assert mx.max(mx.full((100,), -np.inf)).item() == -np.inf
    assert mx.min(mx.full((100,), np.inf)).item() == np.inf


def test_all_any_long_rows_decided_anywhere():
    # contiguous rows stop at the first block that decides all / any (blocks of 16384): the
    # decider first, in a later block, in the last element, or nowhere; bool, float and int rows
    n = 100003
    for pos in (0, 16383, 16384, 70000, n - 1, None):
        for dt in (np.bool_, np.float32, np.int32):
            ones = np.ones(n, dt)
            zeros = np.zeros(n, dt)
            if pos is not None:
                ones[pos] = 0
                zeros[pos] = 1
            assert mx.all(mx.array(ones)).item() == bool(ones.all()), (pos, dt)
            assert mx.any(mx.array(zeros)).item() == bool(zeros.any()), (pos, dt)
            assert mx.min(mx.array(ones.astype(np.bool_))).item() == bool(ones.all())
            assert mx.max(mx.array(zeros.astype(np.bool_))).item() == bool(zeros.any())
            rows = np.stack([ones, np.ones(n, dt)])
            np.testing.assert_array_equal(np.array(mx.all(mx.array(rows), axis=1)), rows.all(axis=1))


def test_sum_accuracy_and_large():
    ones = mx.ones((10**7,))
    assert mx.sum(ones).item() == 1e7
    assert mx.mean(ones).item() == 1.0
    x = rng.standard_normal(300000).astype(np.float32)
    np.testing.assert_allclose(mx.mean(mx.array(x)).item(), x.astype(np.float64).mean(),
                               rtol=1e-5, atol=1e-7)


def test_reduction_errors():
    a = mx.ones((2, 3))
    with pytest.raises(IndexError):
        mx.prod(a, axis=2)
    with pytest.raises(ValueError, match="Duplicate axes"):
        mx.max(a, axis=(0, -2))
    with pytest.raises(TypeError):
        mx.max([1, 2])
    with pytest.raises(TypeError):
        mx.all(a, axis=1.5)
    with pytest.raises(TypeError):
        mx.any(a, keepdims=2)
    assert mx.sum(a).item() == 6  # still working


# ------------------------------------------------------------------ var, std, median

@pytest.mark.parametrize("dtype", ALL, ids=name)
def test_var_std(dtype):
    if dtype == mx.bool_:
        a, ref = make((4, 5), dtype)
    else:
        a, ref = make((4, 5), dtype)
    rdt = mx.float32 if dtype == mx.complex64 or dtype not in FLOATS else dtype
    tol = TOL.get(rdt) * 4
    for lname, x, r in [("contig", a, ref), ("transposed", mx.transpose(a), ref.T)]:
        for axis in (None, 0, 1, (0, 1)):
            for ddof in (0, 1):
                v = mx.var(x, axis=axis, ddof=ddof)
                assert v.dtype == rdt
                close(v, np.var(r, axis=axis, ddof=ddof), rdt, rtol=tol, atol=tol)
                s = mx.std(x, axis=axis, ddof=ddof)
                assert s.dtype == rdt
                close(s, np.std(r, axis=axis, ddof=ddof), rdt, rtol=tol, atol=tol)
    close(a.var(0, True, 1), np.var(ref, axis=0, ddof=1, keepdims=True), rdt, rtol=tol, atol=tol)
    close(a.std(correction=1), np.std(ref, ddof=1), rdt, rtol=tol, atol=tol)


def test_var_edge_cases():
    x = mx.array([1e4 + 1, 1e4 + 2, 1e4 + 3])
    np.testing.assert_allclose(mx.var(x).item(), 2 / 3, rtol=1e-5)
    a = mx.ones((2, 3))
    assert mx.var(a, ddof=5).item() == 0.0
    assert math.isnan(mx.var(a, ddof=6).item())
    assert mx.var(mx.array(5.0)).item() == 0.0
    assert all(math.isnan(v) for v in mx.var(mx.zeros((0, 3)), axis=0).tolist())
    np.testing.assert_allclose(mx.var(mx.array([1 + 1j, 2 - 1j, 3j])).item(), 10 / 3, rtol=1e-6)
    with pytest.raises(TypeError):
        mx.var(a, ddof=1.0)


@pytest.mark.parametrize("dtype", REALS + [mx.complex64], ids=name)
def test_median(dtype):
    rdt = dtype if dtype in FLOATS or dtype == mx.complex64 else mx.float32
    for shape in [(5,), (4,), (3, 4), (2, 3, 4)]:
        a, ref = make(shape, dtype)
        axes = [None] + list(range(len(shape)))
        if len(shape) == 3:
            axes += [(0, 2), (-1, 1)]
        for axis in axes:
            for keepdims in (False, True):
                r = mx.median(a, axis=axis, keepdims=keepdims)
                assert r.dtype == rdt
                if dtype == mx.complex64:
                    continue
                close(r, np.median(ref, axis=axis, keepdims=keepdims), rdt)
    c = mx.array([1 + 1j, 2 - 1j, 1 + 3j])
    assert mx.median(c).item() == 1 + 3j


def test_median_nan_empty_errors():
    assert math.isnan(mx.median(mx.array([1.0, float("nan"), 3.0])).item())
    x = mx.array([[1.0, 2.0, float("nan"), 4.0], [4.0, 3.0, 2.0, 1.0]])
    r = mx.median(x, axis=1).tolist()
    assert math.isnan(r[0]) and r[1] == 2.5
    assert mx.median(mx.array(5.0)).item() == 5.0
    assert mx.median(mx.zeros((3, 0)), axis=0).shape == (0,)
    with pytest.raises(ValueError, match="Cannot take median along empty axis"):
        mx.median(mx.zeros((0, 3)), axis=0)
    with pytest.raises(ValueError):
        mx.median(mx.ones((2, 2)), axis=[])
    big = rng.standard_normal(100001).astype(np.float32)
    assert mx.median(mx.array(big)).item() == np.median(big)


# ------------------------------------------------------------------ logsumexp, softmax

@pytest.mark.parametrize("dtype", REALS + [mx.complex64], ids=name)
def test_logsumexp(dtype):
    rdt = dtype if dtype in FLOATS or dtype == mx.complex64 else mx.float32
    for lname, a, ref in layouts((3, 5), dtype):
        for axis in (None, 0, -1, (0, 1)):
            for keepdims in (False, True):
                r = mx.logsumexp(a, axis=axis, keepdims=keepdims)
                assert r.dtype == rdt
                e = np.log(np.sum(np.exp(ref.astype(np.complex128 if dtype == mx.complex64
                                                    else np.float64)), axis=axis,
                                  keepdims=keepdims))
                close(r, e, rdt, rtol=TOL.get(rdt) * 2, atol=TOL.get(rdt) * 2)
    ref = ref.astype(np.complex128 if dtype == mx.complex64 else np.float64)
    close(a.logsumexp(0), np.log(np.sum(np.exp(ref), axis=0)), rdt, rtol=TOL.get(rdt) * 2,
          atol=TOL.get(rdt) * 2)


def test_logsumexp_special():
    inf, nan = float("inf"), float("nan")
    assert mx.logsumexp(mx.array([-inf, -inf])).item() == -inf
    assert mx.logsumexp(mx.array([inf, -inf])).item() == inf
    assert math.isnan(mx.logsumexp(mx.array([1.0, nan])).item())
    np.testing.assert_allclose(mx.logsumexp(mx.array([1000.0, 1000.0])).item(),
                               1000 + math.log(2), rtol=1e-6)
    assert mx.logsumexp(mx.array(5.0)).item() == 5.0
    assert mx.logsumexp(mx.array([[1, 2], [3, 4]]), axis=[]).dtype == mx.float32
    with pytest.raises(ValueError, match=r"\[logsumexp\] Received empty array"):
        mx.logsumexp(mx.zeros((0, 3)), axis=1)


def np_softmax(x, axis):
    m = np.max(x.real if np.iscomplexobj(x) else x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


@pytest.mark.parametrize("dtype", FLOATS + [mx.complex64], ids=name)
def test_softmax(dtype):
    for lname, a, ref in layouts((4, 6), dtype):
        for axis in (None, -1, 0, (0, 1), [1, 0]):
            for precise in (False, True):
                r = mx.softmax(a, axis=axis, precise=precise)
                assert r.dtype == dtype and r.shape == a.shape
                ax = tuple(axis) if isinstance(axis, list) else axis
                close(r, np_softmax(ref, ax), dtype, rtol=TOL[dtype] * 4, atol=TOL[dtype])


def test_softmax_special():
    inf, nan = float("inf"), float("nan")
    assert all(math.isnan(v) for v in mx.softmax(mx.array([-inf, -inf])).tolist())
    assert all(math.isnan(v) for v in mx.softmax(mx.array([inf, 1.0])).tolist())
    assert mx.softmax(mx.array(5.0)).item() == 1.0
    assert mx.softmax(mx.ones((2, 2)), axis=[]).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert mx.softmax(mx.zeros((0, 3)), axis=0).shape == (0, 3)
    r = mx.softmax(mx.array([[1, 2, 3]], mx.int32), axis=0)  # integers keep their dtype...
    assert r.dtype == mx.int32 and r.tolist() == [[1, 1, 1]]
    r = mx.softmax(mx.array([1, 2], mx.uint8))  # ...except over exactly the last axis
    assert r.dtype == mx.float32
    np.testing.assert_allclose(r.tolist(), [0.26894142, 0.73105858], rtol=1e-6)
    assert mx.softmax(mx.array([[True, False]]), axis=-1).dtype == mx.float32
    assert mx.softmax(mx.array([[1, 2], [3, 4]], mx.int32)).dtype == mx.int32
    x = rng.standard_normal((50, 2000)).astype(np.float32) * 10
    close(mx.softmax(mx.array(x), axis=-1), np_softmax(x.astype(np.float64), -1), mx.float32,
          rtol=1e-5, atol=1e-9)
    with pytest.raises(IndexError):
        mx.softmax(mx.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="Duplicate axes"):
        mx.softmax(mx.ones((2, 3)), axis=(0, 0))
    with pytest.raises(TypeError):
        mx.softmax(mx.ones((2, 3)), precise=1)


# ------------------------------------------------------------------ argmin, argmax

@pytest.mark.parametrize("dtype", REALS, ids=name)
def test_argmin_argmax(dtype):
    for lname, a, ref in layouts((5, 7), dtype):
        for axis in (None, 0, 1, -1):
            for keepdims in (False, True):
                for op, nop in (("argmax", np.argmax), ("argmin", np.argmin)):
                    r = getattr(mx, op)(a, axis=axis, keepdims=keepdims)
                    assert r.dtype == mx.uint32
                    e = nop(ref, axis=axis, keepdims=keepdims)
                    np.testing.assert_array_equal(to_np(r), e, err_msg=f"{lname} {op} {axis}")
    assert a.argmax(1).tolist() == np.argmax(ref, axis=1).tolist()


def test_argmin_argmax_of_transposed_views():
    # a transposed view whose reduced axis is contiguous in memory reduces in place (its rows are
    # the output's order); other views go through a copy; ties pick the first index
    import itertools
    a = rng.integers(0, 7, (3, 4, 1, 5)).astype(np.float32)
    m = mx.array(a)
    for perm in itertools.permutations(range(4)):
        v, vn = mx.transpose(m, perm), a.transpose(perm)
        for ax in range(4):
            np.testing.assert_array_equal(np.array(mx.argmax(v, axis=ax)), vn.argmax(axis=ax))
            np.testing.assert_array_equal(np.array(mx.argmin(v, axis=ax)), vn.argmin(axis=ax))
    big = rng.standard_normal((700, 3000)).astype(np.float32)
    big[5, 2999] = 9.0  # the extremum in a row's last block
    big[6, 100] = big[6, 2500] = 9.0  # tied: the first
    bt = mx.array(big).T
    np.testing.assert_array_equal(np.array(mx.argmax(bt, axis=0)), big.argmax(axis=1))
    np.testing.assert_array_equal(np.array(mx.argmax(mx.array(big)[:, ::2].T, axis=0)),
                                  big[:, ::2].argmax(axis=1))


def test_argmin_argmax_long_rows_nan_complex():
    x = rng.standard_normal((3, 50000)).astype(np.float32)
    a = mx.array(x)
    np.testing.assert_array_equal(np.array(mx.argmax(a, axis=1)), np.argmax(x, axis=1))
    np.testing.assert_array_equal(np.array(mx.argmin(a, axis=0)), np.argmin(x, axis=0))
    assert mx.argmax(a).item() == np.argmax(x)
    x[1, 30000] = np.nan
    x[1, 40000] = np.nan
    r = mx.argmin(mx.array(x), axis=1).tolist()
    assert r[1] == 30000 and mx.argmax(mx.array(x)).item() == 80000
    assert mx.argmax(mx.array([1, 3, 3, 2])).item() == 1
    assert mx.argmax(mx.array([1 + 1j, 2 - 1j, 1 + 3j])).item() == 1
    assert mx.argmin(mx.array([1 + 1j, 2 - 1j, 1 + 3j])).item() == 0
    assert mx.argmax(mx.array(5.0)).item() == 0
    assert mx.argmax(mx.array([[1, 5], [7, 2]]), keepdims=True).shape == (1, 1)
    with pytest.raises(ValueError, match=r"\[argmax\] Cannot argmax reduce zero size array"):
        mx.argmax(mx.zeros((2, 0)), axis=0)
    with pytest.raises(IndexError):
        mx.argmin(mx.ones((2, 3)), axis=2)
    with pytest.raises(TypeError):
        mx.argmax(mx.ones((2, 3)), axis=(0,))


# ------------------------------------------------------------------ scans

def np_scan(op, x, axis, reverse, inclusive):
    x = np.moveaxis(x, axis, -1)
    if reverse:
        x = x[..., ::-1]
    if op == "cumsum":
        r = np.cumsum(x, axis=-1)
        ident = 0
    elif op == "cumprod":
        r = np.cumprod(x, axis=-1)
        ident = 1
    elif op == "cummax":
        r = np.maximum.accumulate(x, axis=-1)
        ident = -np.inf
    elif op == "cummin":
        r = np.minimum.accumulate(x, axis=-1)
        ident = np.inf
    else:
        r = np.logaddexp.accumulate(x, axis=-1)
        ident = -np.inf
    if not inclusive:
        r = np.concatenate([np.full(r.shape[:-1] + (1,), ident, dtype=r.dtype), r[..., :-1]],
                           axis=-1)
    if reverse:
        r = r[..., ::-1]
    return np.moveaxis(r, -1, axis)


def scan_dtype(op, d):
    if op == "cumsum" and d == mx.bool_:
        return mx.int32
    if op == "logcumsumexp" and d not in FLOATS:
        return mx.float32
    return d


@pytest.mark.parametrize("dtype", REALS, ids=name)
@pytest.mark.parametrize("op", ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"])
def test_scans(op, dtype):
    small = op == "cumprod"  # keep products exact in every dtype
    for lname, a, ref in layouts((4, 5), dtype, -2 if small else -4, 3 if small else 5):
        ref = ref.astype(np.float64)
        for axis in (0, 1, -1):
            for reverse in (False, True):
                for inclusive in (False, True):
                    r = getattr(mx, op)(a, axis=axis, reverse=reverse, inclusive=inclusive)
                    rdt = scan_dtype(op, dtype)
                    assert r.dtype == rdt
                    e = np_scan(op, ref, axis, reverse, inclusive)
                    if not inclusive and op in ("cummax", "cummin") and dtype not in FLOATS:
                        continue  # integer identities are the dtype's limits (checked below)
                    close(r, e, rdt if rdt in TOL else mx.float32,
                          rtol=TOL.get(rdt, 0) * 8, atol=TOL.get(rdt, 0) * 8)
    r = getattr(a, op)()  # array method: axis None flattens
    assert r.shape == (a.size,)


def test_float32_cumsum_many_rows_exact():
    # float32 sums run in double in scan order (sixteen rows at a time on AVX-512), so each output
    # is the float64 running sum rounded once: equal to numpy's float64 accumulate cast to float32
    for shape in ((16, 16), (37, 53), (33, 7), (18, 3, 40)):
        x = (rng.standard_normal(shape) * rng.choice([1e-3, 1.0, 1e4], size=shape)).astype(np.float32)
        for reverse in (False, True):
            for inclusive in (False, True):
                want = np_scan("cumsum", x.astype(np.float64), -1, reverse, inclusive)
                got = mx.cumsum(mx.array(x), axis=-1, reverse=reverse, inclusive=inclusive)
                np.testing.assert_array_equal(np.array(got), want.astype(np.float32))


def test_half_scans_long_rows_exact():
    # float16 / bfloat16 rows are scanned in float in blocks of 1024: each output is the float32
    # running value rounded once, across block boundaries and in both directions
    x32 = rng.standard_normal((3, 2500)).astype(np.float32)
    for dt in (mx.float16, mx.bfloat16):
        a = mx.array(x32).astype(dt)
        xf = np.array(a.astype(mx.float32))
        for op, acc in (("cumsum", np.add), ("cummax", np.maximum)):
            for reverse in (False, True):
                for inclusive in (False, True):
                    v = xf[:, ::-1] if reverse else xf
                    want = acc.accumulate(v, axis=-1, dtype=np.float32)
                    if not inclusive:
                        first = np.full((3, 1), 0.0 if op == "cumsum" else -np.inf, np.float32)
                        want = np.concatenate([first, want[:, :-1]], axis=-1)
                    want = want[:, ::-1] if reverse else want
                    got = getattr(mx, op)(a, axis=-1, reverse=reverse, inclusive=inclusive)
                    np.testing.assert_array_equal(np.array(got.astype(mx.float32)),
                                                  np.array(mx.array(want).astype(dt).astype(mx.float32)))


def test_logcumsumexp_long_rows():
    # rows long enough for the sixteen-element chunks, with chunks that span more than 80, nan,
    # +inf and runs of -inf partway, in float32 / float16 / bfloat16, against float64
    for shape, scale in (((3, 1000), 1.0), ((2, 37), 10.0), ((4, 333), 100.0), ((1, 4099), 1.0)):
        x = (rng.standard_normal(shape) * scale).astype(np.float32)
        if shape[1] > 40:
            x[0, 20], x[1 % shape[0], 30] = np.nan, np.inf
            x[-1, 25:40] = -np.inf
        for dt, tol in ((mx.float32, 2e-6), (mx.float16, 4e-3), (mx.bfloat16, 3e-2)):
            a = mx.array(x).astype(dt)
            ref = np.array(a.astype(mx.float32)).astype(np.float64)
            for reverse in (False, True):
                for inclusive in (False, True):
                    with np.errstate(invalid="ignore"):
                        want = np_scan("logcumsumexp", ref, -1, reverse, inclusive)
                    got = np.array(mx.logcumsumexp(a, axis=-1, reverse=reverse, inclusive=inclusive)
                                   .astype(mx.float32)).astype(np.float64)
                    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
                    fin = np.isfinite(want)
                    np.testing.assert_array_equal(got[~fin & ~np.isnan(want)],
                                                  want[~fin & ~np.isnan(want)])
                    np.testing.assert_allclose(got[fin], want[fin], rtol=tol, atol=tol)


def test_scan_details():
    assert mx.cummax(mx.array([1, 3, 2, 5]), inclusive=False).tolist() == [-2**31, 1, 3, 3]
    assert mx.cummin(mx.array([1, 3, 2, 5], mx.uint8), inclusive=False).tolist() == [255, 1, 1, 1]
    assert mx.cummin(mx.array([True, False]), inclusive=False).tolist() == [True, True]
    assert mx.cumprod(mx.array([1, 2, 3, 4, 5, 6], mx.int8)).tolist()[-1] == 720 % 256 - 256
    assert mx.cumsum(mx.array([1, 3, 2, 5], mx.uint8), dtype=mx.float32).dtype == mx.float32
    assert mx.cumsum(mx.array([1.5, 3, 2, 5]), dtype=mx.int32).tolist() == [1, 4, 6, 11]
    nan = float("nan")
    r = mx.cummax(mx.array([1.0, nan, 2.0, 5.0])).tolist()
    assert r[0] == 1.0 and all(math.isnan(v) for v in r[1:])
    assert mx.logcumsumexp(mx.array([-float("inf"), -float("inf"), 1.0])).tolist() == \
        [-float("inf"), -float("inf"), 1.0]
    assert mx.cumsum(mx.array(3)).tolist() == [3]
    assert mx.cumsum(mx.zeros((0, 3)), axis=0).shape == (0, 3)
    c = mx.array([1 + 1j, 2 - 1j, 3j])
    np.testing.assert_allclose(np.array(mx.cumsum(c)), np.cumsum(np.array([1 + 1j, 2 - 1j, 3j])))
    with pytest.raises(IndexError, match=r"\[cumsum\] Axis 2 is out of bounds"):
        mx.cumsum(mx.ones((2, 3)), axis=2)
    with pytest.raises(TypeError):
        mx.cumsum(mx.ones((2, 3)), axis=[0])
    with pytest.raises(TypeError):
        mx.cumsum(mx.ones(3), reverse=1)


def test_scan_long_rows():
    n = 3 * 10**6
    assert mx.cumsum(mx.ones((n,))).tolist()[-1] == n
    x = rng.standard_normal(n).astype(np.float32)
    a = mx.array(x)
    for reverse in (False, True):
        for inclusive in (False, True):
            r = np.array(mx.cumsum(a, reverse=reverse, inclusive=inclusive))
            e = np_scan("cumsum", x.astype(np.float64), 0, reverse, inclusive)
            np.testing.assert_allclose(r, e, rtol=1e-4, atol=1e-2)
            r = np.array(mx.cummax(a, reverse=reverse, inclusive=inclusive))
            e = np_scan("cummax", x.astype(np.float64), 0, reverse, inclusive)
            np.testing.assert_array_equal(r, e.astype(np.float32))


# ------------------------------------------------------------------ sort, partition, topk

def np_sort_ref(x, axis):
    return np.sort(x, axis=axis, kind="stable")


@pytest.mark.parametrize("dtype", ALL, ids=name)
def test_sort_argsort(dtype):
    for shape in [(9,), (40,), (300,), (6, 50), (3, 4, 5)]:
        a, ref = make(shape, dtype)
        for lname, x, r in [("contig", a, ref), ("transposed", mx.transpose(a), ref.T)]:
            for axis in [None] + list(range(-len(shape), len(shape))):
                s = mx.sort(x, axis=axis)
                i = mx.argsort(x, axis=axis)
                assert s.dtype == dtype and i.dtype == mx.uint32
                rr = r.reshape(-1) if axis is None else r
                ax = -1 if axis is None else axis
                np.testing.assert_array_equal(to_np(s), np.sort(rr, axis=ax, kind="stable"))
                np.testing.assert_array_equal(to_np(i), np.argsort(rr, axis=ax, kind="stable"))


def test_sort_special_values():
    nan, inf = float("nan"), float("inf")
    x = mx.array([3.0, nan, 1.0, -inf, 2.0, nan, inf, 0.0, -0.0])
    s = mx.sort(x).tolist()
    assert s[:7] == [-inf, 0.0, -0.0, 1.0, 2.0, 3.0, inf] and all(map(math.isnan, s[7:]))
    assert math.copysign(1, s[2]) == -1  # the signs of zeros are kept, stable order
    assert mx.argsort(x).tolist() == [3, 7, 8, 2, 4, 0, 6, 1, 5]
    for d in (mx.float16, mx.bfloat16, mx.float64):
        assert mx.argsort(x.astype(d)).tolist() == [3, 7, 8, 2, 4, 0, 6, 1, 5]
    z = np.array([0.0, -0.0, 3.0, -0.0, 0.0, -1.0], np.float32)
    neg_nan = np.frombuffer(np.array([0xFFC00001, 0x7FC00000, 0x7F800001], np.uint32).tobytes(),
                            np.float32)
    for npd, d in ((np.float32, mx.float32), (np.float64, mx.float64), (np.float16, mx.float16)):
        r = np.array(mx.sort(mx.array(z.astype(npd)).astype(d)))
        assert r.tolist() == [-1.0, 0.0, -0.0, -0.0, 0.0, 3.0]
        assert [math.copysign(1, v) for v in r[1:5]] == [1, -1, -1, 1]  # input order kept
    r = np.array(mx.sort(mx.array(np.concatenate([neg_nan, np.array([2.0, -5.0], np.float32)]))))
    assert r[:2].tolist() == [-5.0, 2.0] and np.isnan(r[2:]).all()
    assert r[2:].view(np.uint32).tolist() == [0xFFC00001, 0x7FC00000, 0x7F800001]
    c = mx.array([1 + 2j, 1 + 1j, 0 + 5j, nan + 0j, 1 - 1j])
    assert mx.argsort(c).tolist() == [2, 4, 1, 0, 3]
    assert mx.sort(mx.array([True, False, True])).tolist() == [False, True, True]
    big = rng.integers(0, 100, 10**6).astype(np.int32)
    np.testing.assert_array_equal(np.array(mx.argsort(mx.array(big))),
                                  np.argsort(big, kind="stable"))
    f = rng.standard_normal(10**6).astype(np.float32)
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(f))), np.sort(f))
    i64 = rng.integers(-2**62, 2**62, 5000)
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(i64))), np.sort(i64))
    assert mx.sort(mx.zeros((0, 3)), axis=0).shape == (0, 3)
    with pytest.raises(IndexError, match=r"\[sort\] Axis -1 is out of bounds"):
        mx.sort(mx.array(5.0))
    with pytest.raises(TypeError):
        mx.sort(mx.array([1, 2]), 0.5)


def test_sort_long_rows_over_the_pool():
    # rows of 2^20 and more sort each radix pass over the worker pool in two index ranges
    # (odd lengths: a shorter last range); argsort stays stable across the ranges
    n = (1 << 20) + 3
    ties = rng.integers(0, 1000, n).astype(np.int32)
    np.testing.assert_array_equal(np.array(mx.argsort(mx.array(ties))),
                                  np.argsort(ties, kind="stable"))
    f = rng.standard_normal(n).astype(np.float32)
    f[::1001] = np.nan
    f[5::997] = -0.0
    f[7::991] = 0.0
    s = np.array(mx.sort(mx.array(f)))
    np.testing.assert_array_equal(s.view(np.uint32), np.sort(f, kind="stable").view(np.uint32))
    np.testing.assert_array_equal(np.array(mx.argsort(mx.array(f))), np.argsort(f, kind="stable"))
    d = rng.standard_normal(n)
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(d, dtype=mx.float64))), np.sort(d))
    h = rng.standard_normal(n).astype(np.float16)
    np.testing.assert_array_equal(np.array(mx.argsort(mx.array(h))), np.argsort(h, kind="stable"))
    # 16-bit value sorts of 2^16 keys and more count every key value (one row, and rows)
    h[::1001] = np.nan
    h[5::997] = -0.0
    h[7::991] = 0.0
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(h))).view(np.uint16),
                                  np.sort(h, kind="stable").view(np.uint16))
    for v in (rng.integers(-30000, 30000, n).astype(np.int16), rng.integers(0, 65535, n).astype(np.uint16)):
        np.testing.assert_array_equal(np.array(mx.sort(mx.array(v))), np.sort(v))
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(v.reshape(1, n).repeat(2, 0)), axis=1))[1],
                                  np.sort(v))
    b = mx.array(f).astype(mx.bfloat16)
    np.testing.assert_array_equal(np.array(mx.sort(b).astype(mx.float32)),
                                  np.sort(np.array(b.astype(mx.float32))))
    two = mx.array(f.reshape(1, n).repeat(2, axis=0))  # two such rows: the pool takes the rows
    np.testing.assert_array_equal(np.array(mx.argsort(two, axis=1))[1],
                                  np.argsort(f, kind="stable"))


def test_partition_topk_long_rows_over_the_pool():
    # rows of 2^19 and more: the first byte's histogram, the first gathering and the writing
    # run in two index ranges; the output is still smaller, equal, larger, each in input order
    n = (1 << 19) + 7
    for x in (rng.standard_normal(n).astype(np.float32), rng.integers(0, 50, n).astype(np.int32),
              rng.standard_normal(n)):
        for kth in (0, 12345, n // 2, n - 1):
            pv = np.partition(x, kth)[kth]
            order = np.concatenate([np.flatnonzero(x < pv), np.flatnonzero(x == pv),
                                    np.flatnonzero(x > pv)])
            xm = mx.array(x, dtype=mx.float64) if x.dtype == np.float64 else mx.array(x)
            np.testing.assert_array_equal(np.array(mx.argpartition(xm, kth)), order)
            np.testing.assert_array_equal(np.array(mx.partition(xm, kth)), x[order])
            if kth > 0:  # (k = n returns the input as it is)
                np.testing.assert_array_equal(np.array(mx.topk(xm, n - kth)), x[order][kth:])


def order_keys(x):
    """int64 keys in MLX's sort order: floats by value, -0.0 equal to 0.0, every NaN last."""
    if x.dtype != np.float32:
        return x.astype(np.int64)
    u = np.where(x == 0, np.float32(0), x).view(np.uint32).astype(np.int64)
    k = np.where(u >> 31, 0xFFFFFFFF - u, u | 0x80000000)
    return np.where(np.isnan(x), 1 << 33, k)


def test_sort_partition_quicksort_rows():
    # value sorts of 32- and 64-bit dtypes and argsorts of 32-bit ones by the AVX-512 quicksort
    # of their keys (argsort: key and index in 64 bits, so as stable as the radix sort), and the
    # 32-bit partitions' vector writing: sizes around the sorting networks (8 ... 256 keys) and
    # the pooled split (2^16), inputs that break naive quicksorts, the dtypes' extremes, strided
    # rows, and float rows whose keys do not map back (-0.0, a non-canonical NaN: the radix sort
    # takes those)
    i32, i64 = np.iinfo(np.int32), np.iinfo(np.int64)
    for n in (17, 127, 128, 129, 255, 256, 257, 1000, (1 << 16) + 1, 200003):
        rows = {"random": rng.standard_normal(n).astype(np.float32),
                "sorted": np.arange(n, dtype=np.float32),
                "reversed": np.arange(n, 0, -1).astype(np.float32),
                "equal": np.full(n, 3.5, np.float32),
                "two": rng.integers(0, 2, n).astype(np.float32),
                "nan inf": np.where(rng.random(n) < 0.3, np.nan,
                                    np.where(rng.random(n) < 0.5, np.inf, -np.inf)).astype(np.float32),
                "int32": rng.integers(i32.min, i32.max, n, dtype=np.int64).astype(np.int32),
                "int32 extremes": rng.choice(np.array([i32.min, -1, 0, i32.max], np.int32), n),
                "uint32": rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32),
                "uint32 max": np.where(rng.random(n) < 0.9, 2**32 - 1, 7).astype(np.uint32),
                "float64": rng.standard_normal(n) * 1e300,
                "float64 nan inf": np.where(rng.random(n) < 0.3, np.nan, np.inf * rng.standard_normal(n)),
                "int64": rng.integers(i64.min, i64.max, n, dtype=np.int64),
                "int64 extremes": rng.choice(np.array([i64.min, -1, 0, i64.max], np.int64), n),
                "uint64": rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)}
        for dt, nan_bits in ((np.float32, 0x7FC00001), (np.float64, 0xFFF8000000000001)):
            zeros = rng.standard_normal(n).astype(dt)
            zeros[::7] = -0.0
            zeros[3::7] = 0.0
            rows[f"signed zeros {dt.__name__}"] = zeros
            one = rng.standard_normal(n).astype(dt)  # the refill's blocks without a zero or NaN
            one[n // 3] = -0.0
            one[n // 2] = np.array(nan_bits).astype(zeros.view(np.uint32 if dt == np.float32
                                                                  else np.uint64).dtype).view(dt)
            rows[f"one -0.0 and NaN payload {dt.__name__}"] = one
        for label, x in rows.items():
            xm = mx.array(x, dtype=mx.float64) if x.dtype == np.float64 else mx.array(x)
            s = np.array(mx.sort(xm))
            bits = {4: np.uint32, 8: np.uint64}[x.itemsize]
            # bit for bit: the signs of zeros kept, in input order
            np.testing.assert_array_equal(s.view(bits), np.sort(x, kind="stable").view(bits),
                                          err_msg=label)
            np.testing.assert_array_equal(np.array(mx.argsort(xm)), np.argsort(x, kind="stable"),
                                          err_msg=label)
            if x.itemsize == 8:
                continue
            for kth in (0, int(rng.integers(0, n)), n - 1):
                p = np.array(mx.partition(xm, kth))
                kp, kx = order_keys(p), np.sort(order_keys(x))
                assert kp[kth] == kx[kth], label
                assert (kp[:kth] <= kp[kth]).all() and (kp[kth + 1:] >= kp[kth]).all(), label
                np.testing.assert_array_equal(np.sort(p.view(bits)), np.sort(x.view(bits)))
                # the values are the input at argpartition's indices (partition's vjp needs it)
                np.testing.assert_array_equal(
                    p.view(bits), x[np.array(mx.argpartition(xm, kth))].view(bits), err_msg=label)
            np.testing.assert_array_equal(np.sort(order_keys(np.array(mx.topk(xm, 5)))), kx[-5:],
                                          err_msg=label)
    # strided rows (a transposed view): the keys' pass reads with the row's stride
    m = rng.standard_normal((300, 700)).astype(np.float32)
    t = mx.transpose(mx.array(m))
    np.testing.assert_array_equal(np.array(mx.sort(t, axis=1)), np.sort(m.T, axis=1))
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(m), axis=0)), np.sort(m, axis=0))
    np.testing.assert_array_equal(np.array(mx.argsort(t, axis=1)), np.argsort(m.T, axis=1, kind="stable"))
    d = mx.array(m, dtype=mx.float64)
    np.testing.assert_array_equal(np.array(mx.sort(d, axis=0)), np.sort(m.astype(np.float64), axis=0))
    p = np.array(mx.partition(t, 150, axis=1))
    np.testing.assert_array_equal(p[:, 150], np.sort(m.T, axis=1)[:, 150])
    assert (p[:, :150] <= p[:, 150:151]).all() and (p[:, 151:] >= p[:, 150:151]).all()


@pytest.mark.parametrize("npd", [np.float32, np.int32, np.float64, np.int8, np.float16])
def test_partition_rows_of_every_length(npd):
    # rows up to 128 (32 for 64-bit keys) are sorted by (key, index) in registers; longer ones take
    # the radix select, with one histogram below 4096 and the last few candidates sorted: values
    # and indices agree (partition's vjp scatters through argpartition) and partition the row
    for w in (3, 16, 32, 33, 100, 128, 129, 300, 1000, 5000):
        for dup in (False, True):
            x = rng.standard_normal((7, w)) * (3 if dup else 1000)
            x = (np.round(x) if dup or npd in (np.int32, np.int8) else x).astype(npd)
            xm = mx.array(x, dtype=mx.float64) if npd == np.float64 else mx.array(x)
            for kth in (0, w // 3, w - 1):
                p, i = mx.partition(xm, kth, axis=1), mx.argpartition(xm, kth, axis=1)
                np.testing.assert_array_equal(to_np(p), np.take_along_axis(x, to_np(i).astype(np.int64), 1))
                check_partition(p, i, x, kth, 1)
            k = max(1, w // 4)
            np.testing.assert_array_equal(np.sort(to_np(mx.topk(xm, k, axis=1)), axis=1),
                                          np.sort(x, axis=1)[:, w - k:])


@pytest.mark.parametrize("npd", [np.float32, np.int32, np.float16, np.float64])
def test_partition_rows_of_ties(npd):
    # rows where many keys tie: one value throughout (the candidates found all equal at the first
    # level), a relu's output (half zeros, with -0.0 among them for floats), three values; the
    # gathering of candidates without a branch when more than 1 in 8 keep their byte; a row of
    # 2^20 goes over the worker pool
    for w, rows in ((300, 5), (1000, 5), (5000, 3), (1 << 20, 1)):
        x = rng.standard_normal((rows, w))
        cases = [np.full((rows, w), 7.0), np.maximum(x, 0), np.round(x * 1.2) % 3]
        if npd in (np.float32, np.float64):
            relu = np.maximum(x, 0)
            relu[:, ::7] = -0.0
            cases.append(relu)
        for x in cases:
            x = (x * 100 if npd == np.int32 else x).astype(npd)
            xm = mx.array(x, dtype=mx.float64) if npd == np.float64 else mx.array(x)
            for kth in (0, w // 2, w // 2 + 3, w - 1):
                p, i = mx.partition(xm, kth, axis=1), mx.argpartition(xm, kth, axis=1)
                np.testing.assert_array_equal(to_np(p), np.take_along_axis(x, to_np(i).astype(np.int64), 1))
                check_partition(p, i, x, kth, 1)
            np.testing.assert_array_equal(np.sort(to_np(mx.topk(xm, 9, axis=1)), axis=1),
                                          np.sort(x, axis=1)[:, w - 9:])


def check_partition(p, i, ref, kth, axis):
    """p (values) and i (indices into ref) each partition ref around kth."""
    p, i = to_np(p), to_np(i)
    srt = np.moveaxis(np.sort(ref, axis=axis), axis, -1)
    rm = np.moveaxis(ref, axis, -1)
    taken = np.take_along_axis(rm, np.moveaxis(i, axis, -1).astype(np.int64), -1)
    for pm in (np.moveaxis(p, axis, -1), taken):
        np.testing.assert_array_equal(pm[..., kth], srt[..., kth])
        assert np.all(pm[..., :kth] <= pm[..., kth:kth + 1])
        assert np.all(pm[..., kth + 1:] >= pm[..., kth:kth + 1])
        np.testing.assert_array_equal(np.sort(pm, axis=-1), srt)


@pytest.mark.parametrize("dtype", REALS, ids=name)
def test_partition(dtype):
    for shape, axis in [((50,), 0), ((7, 33), 1), ((33, 7), 0), ((4, 5, 6), 1)]:
        a, ref = make(shape, dtype)
        n = shape[axis]
        for kth in (0, n // 2, n - 1, -1, -n):
            p = mx.partition(a, kth, axis=axis)
            i = mx.argpartition(a, kth, axis=axis)
            assert p.dtype == dtype and i.dtype == mx.uint32
            check_partition(p, i, ref, kth % n, axis)
    big = rng.standard_normal(200001).astype(np.float32)
    p = mx.partition(mx.array(big), 100000)
    assert np.array(p)[100000] == np.sort(big)[100000]
    x = mx.array([[3, 1], [2, 4]])
    assert sorted(mx.partition(x, 1, axis=None).tolist()) == [1, 2, 3, 4]
    with pytest.raises(ValueError, match=r"\[partition\] Received invalid kth 4"):
        mx.partition(mx.zeros((4, 3)), 4, axis=0)
    with pytest.raises(ValueError, match="invalid kth -5"):
        mx.argpartition(mx.zeros((4, 3)), -5, axis=0)


@pytest.mark.parametrize("dtype", [mx.int32, mx.float32, mx.float16, mx.uint8], ids=name)
def test_topk(dtype):
    a, ref = make((6, 40), dtype, low=-50, high=50)
    for axis, k in [(-1, 5), (0, 3), (1, 40), (0, 0), (None, 7)]:
        r = mx.topk(a, k, axis=axis)
        rr = ref.reshape(-1) if axis is None else ref
        ax = -1 if axis is None else axis
        e = np.sort(rr, axis=ax)
        e = np.take(e, range(rr.shape[ax] - k, rr.shape[ax]), axis=ax)
        np.testing.assert_array_equal(np.sort(to_np(r), axis=ax), e)
    assert sorted(mx.topk(mx.array([5, 1, 4, 2, 3, 9, 0]), 3).tolist()) == [4, 5, 9]
    with pytest.raises(ValueError, match=r"\[topk\] Received invalid k=5 along axis 0"):
        mx.topk(mx.zeros((4, 3)), 5, axis=0)
    with pytest.raises(ValueError, match="invalid k=-1"):
        mx.topk(mx.zeros((4, 3)), -1)
    with pytest.raises(TypeError):
        mx.topk(mx.zeros((4, 3)), 1.0)


# ------------------------------------------------------------------ searchsorted, count_nonzero

def test_searchsorted():
    s = mx.array([1, 2, 2, 4])
    v = mx.array([[0, 2], [3, 5]])
    r = mx.searchsorted(s, v)
    assert r.dtype == mx.uint32 and r.tolist() == [[0, 1], [3, 4]]
    assert mx.searchsorted(s, v, side="right").tolist() == [[0, 3], [3, 4]]
    assert mx.searchsorted(mx.array([1.0, 2, 2, 4]), mx.array([float("nan"), 2.5])).tolist() == \
        [4, 3]
    assert mx.searchsorted(s, mx.array([2.5])).tolist() == [3]
    assert mx.searchsorted(s, mx.array(3)).tolist() == 3
    assert mx.searchsorted(mx.array([], mx.float32), mx.array([2.5])).tolist() == [0]
    seq = np.sort(rng.integers(0, 1000, 5000))
    vals = rng.integers(-5, 1005, (30, 40))
    for side in ("left", "right"):
        np.testing.assert_array_equal(
            np.array(mx.searchsorted(mx.array(seq), mx.array(vals), side=side)),
            np.searchsorted(seq, vals, side=side))
    with pytest.raises(ValueError, match="must be 1-D"):
        mx.searchsorted(mx.array([[1.0, 2.0]]), mx.array([0.0]))
    with pytest.raises(ValueError, match="Invalid side 'middle'"):
        mx.searchsorted(s, v, side="middle")


def test_count_nonzero():
    x = mx.array([[1.0, 0.0], [0.0, 0.5]])
    r = mx.count_nonzero(x, axis=0)
    assert r.dtype == mx.int32 and r.tolist() == [1, 1]
    assert mx.count_nonzero(x).item() == 2
    assert mx.count_nonzero(x, axis=1, keepdims=True).shape == (2, 1)
    assert mx.count_nonzero(mx.array([float("nan"), 0.0])).item() == 1
    assert mx.count_nonzero(mx.array([1j, 0, 2, -0.0 + 0j])).item() == 2
    a, ref = make((5, 6), mx.int16)
    np.testing.assert_array_equal(np.array(mx.count_nonzero(a, axis=(0,))),
                                  np.count_nonzero(ref, axis=0))
    with pytest.raises(TypeError):
        mx.count_nonzero(x, 0)  # axis is keyword-only
    # a 0-d input counts as int32 too (its sum alone would stay bool), as in the real MLX
    for v in (mx.array(3, mx.uint8), mx.array(0.0), mx.array(True), mx.array(2j)):
        for kd in (False, True):
            r = mx.count_nonzero(v, keepdims=kd)
            assert r.dtype == mx.int32 and r.shape == () and r.item() == np.count_nonzero(np.array(v))


def test_two_thread_paths():
    """Inputs large enough to be split over two threads, checked against numpy."""
    x = rng.standard_normal((6, 100003)).astype(np.float32)
    a = mx.array(x)
    np.testing.assert_array_equal(np.array(mx.argmax(a, axis=1)), np.argmax(x, axis=1))
    np.testing.assert_array_equal(np.array(mx.argmin(a, axis=0)), np.argmin(x, axis=0))
    np.testing.assert_allclose(np.array(mx.softmax(a, axis=-1)),
                               np_softmax(x.astype(np.float64), -1), rtol=1e-5, atol=1e-10)
    np.testing.assert_allclose(np.array(mx.logsumexp(a, axis=1)),
                               np.log(np.exp(x.astype(np.float64)).sum(axis=1)), rtol=1e-6)
    np.testing.assert_array_equal(np.array(mx.sort(a, axis=1)), np.sort(x, axis=1))
    np.testing.assert_array_equal(np.array(mx.argsort(a, axis=0)),
                                  np.argsort(x, axis=0, kind="stable"))
    np.testing.assert_allclose(np.array(mx.cumsum(a, axis=1)), np.cumsum(x.astype(np.float64),
                                                                        axis=1), rtol=1e-4,
                               atol=2e-2)
    np.testing.assert_array_equal(np.array(mx.cummax(a, axis=0)), np.maximum.accumulate(x, 0))
    p = np.array(mx.partition(a, 50000, axis=1))
    assert (p[:, 50000] == np.sort(x, axis=1)[:, 50000]).all()
    t = np.sort(np.array(mx.topk(a, 5, axis=1)), axis=1)
    np.testing.assert_array_equal(t, np.sort(x, axis=1)[:, -5:])


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, True), (1, False), ((0, 1), True)])
def test_minmax_matches_numpy(axis, keepdims):
    a = np.random.default_rng(2).standard_normal((4, 5)).astype(np.float32)
    lo, hi = mx.minmax(mx.array(a), axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(np.array(lo), a.min(axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(np.array(hi), a.max(axis=axis, keepdims=keepdims))
    with pytest.raises(ValueError, match=r"\[min\] Cannot min reduce over axis 0 with size 0"):
        mx.minmax(mx.array([]))


def test_matrix_transpose_and_matrix_norm():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(np.array(mx.matrix_transpose(mx.array(a))), a.swapaxes(-1, -2))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        mx.matrix_transpose(mx.ones(3))
    assert mx.matrix_norm(mx.array(a[0])).item() == pytest.approx(np.linalg.norm(a[0]), rel=1e-6)


@pytest.mark.parametrize("npd", [np.float32, np.float64, np.int32, np.uint8, np.float16])
def test_argmin_argmax_short_rows(npd):
    # rows of up to 16 are scanned element by element with selects: the first extremum wins ties,
    # the first NaN wins outright (as numpy); 17 takes the block scan
    for w in (1, 2, 3, 4, 7, 16, 17):
        x = rng.integers(0, 4, (500, w)).astype(npd)  # many ties
        if np.issubdtype(npd, np.floating):
            x[rng.random((500, w)) < 0.05] = np.nan
        xm = mx.array(x)
        np.testing.assert_array_equal(np.array(mx.argmax(xm, axis=1)), x.argmax(axis=1))
        np.testing.assert_array_equal(np.array(mx.argmin(xm, axis=1)), x.argmin(axis=1))


def test_reductions_keep_broadcast_dims():
    # kept dims along which the input is a broadcast (stride 0) give equal outputs: the reduction
    # runs once along them and the output is broadcast; every op, dtype and layout that follows
    a = (rng.uniform(0.6, 1.4, (6, 40)) * rng.choice([-1, 1], (6, 40))).astype(np.float32)  # prods stay in range
    ma = mx.array(a)
    views = [(mx.broadcast_to(ma[:1], (30, 40)), np.broadcast_to(a[:1], (30, 40))),
             (mx.broadcast_to(ma[None], (3, 6, 40)), np.broadcast_to(a[None], (3, 6, 40))),
             (mx.broadcast_to(ma[:, None], (6, 5, 40)), np.broadcast_to(a[:, None], (6, 5, 40)))]
    for v, r in views:
        for axes in (-1, (0, -1), (-1,) if v.ndim == 2 else (1, 2), 0):
            for op in ("sum", "max", "min", "prod", "mean"):
                got = getattr(mx, op)(v, axis=axes, keepdims=axes == 0)
                want = getattr(np, op)(r.astype(np.float64), axis=axes, keepdims=axes == 0)
                np.testing.assert_allclose(to_np(got), want, rtol=1e-4)
                np.testing.assert_allclose(to_np(got * 2 + mx.array(want.astype(np.float32))), want * 3, rtol=1e-4)
            np.testing.assert_array_equal(to_np(mx.all(v > 0, axis=axes)), np.all(r > 0, axis=axes))
            np.testing.assert_array_equal(to_np(mx.any(v > 1, axis=axes)), np.any(r > 1, axis=axes))
        s = mx.sum(v.astype(mx.int32), axis=-1)  # an integer sum, accumulated then converted
        np.testing.assert_array_equal(to_np(s), r.astype(np.int32).sum(-1))
        np.testing.assert_array_equal(to_np(s.reshape(-1)[::2]), r.astype(np.int32).sum(-1).reshape(-1)[::2])


def test_softmax_logsumexp_over_dense_layouts():
    # contiguous rows of a dense layout that is not row-major (a broadcast of rows, outer dims
    # transposed): the distinct rows only, the output taking the layout; what follows reads it
    a = rng.standard_normal((6, 50)).astype(np.float32)
    ma = mx.array(a)

    def softmax(x):
        e = np.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    def lse(x):
        m = x.max(-1, keepdims=True)
        return m + np.log(np.exp(x - m).sum(-1, keepdims=True))

    for v, r in [(mx.broadcast_to(ma[:1], (40, 50)), np.broadcast_to(a[:1], (40, 50))),
                 (mx.broadcast_to(ma[None], (3, 6, 50)), np.broadcast_to(a[None], (3, 6, 50))),
                 (ma.reshape(2, 3, 50).transpose(1, 0, 2), a.reshape(2, 3, 50).transpose(1, 0, 2))]:
        r64 = r.astype(np.float64)
        s, l = mx.softmax(v, axis=-1), mx.logsumexp(v, axis=-1, keepdims=True)
        np.testing.assert_allclose(to_np(s), softmax(r64), rtol=1e-5)
        np.testing.assert_allclose(to_np(l), lse(r64), rtol=1e-5)
        np.testing.assert_allclose(to_np(mx.logsumexp(v, axis=-1)), lse(r64)[..., 0], rtol=1e-5)
        np.testing.assert_allclose(to_np(s * 2 - mx.array(softmax(r64).astype(np.float32))), softmax(r64), rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(to_np(mx.sum(l, axis=0)), lse(r64).sum(0), rtol=1e-5)
        np.testing.assert_allclose(to_np(l.reshape(-1)[1:]), lse(r64).reshape(-1)[1:], rtol=1e-5)


@pytest.mark.parametrize("npd", [np.float32, np.int32, np.float16, np.float64, np.uint8, np.complex64])
def test_argmin_argmax_of_column_slices_in_place(npd):
    # argmin / argmax along axis 0 of a column slice (x[:, a:b], x[None, :, 1:], rows of a 3-d
    # slice) read the strided rows in place instead of copying them: ties keep the first index,
    # NaN wins for floats
    for rows, cols in [(1000, 5), (3001, 40), (70, 2100)]:
        x = rng.standard_normal((rows, cols)) * 4
        if npd == np.complex64:
            x = x + 1j * np.round(rng.standard_normal((rows, cols)))
        x = np.round(x).astype(npd)  # ties
        if npd in (np.float32, np.float64):
            x[rows // 3, 1] = np.nan
        dt = mx.float64 if npd == np.float64 else None
        mxx = mx.array(x, dtype=dt)
        for view, ref in [(mxx[:, 1:cols - 1], x[:, 1:cols - 1]), (mxx[::2, 2:], x[::2, 2:]),
                          (mxx[None, :, 1:], x[None, :, 1:])]:
            axis = 1 if view.ndim == 3 else 0
            np.testing.assert_array_equal(to_np(mx.argmin(view, axis=axis)), np.argmin(ref, axis=axis))
            np.testing.assert_array_equal(to_np(mx.argmax(view, axis=axis)), np.argmax(ref, axis=axis))


def _argref(ref, axis, is_max):
    # numpy's rule is MLX's: the first NaN, else the first extremum
    return np.argmax(ref, axis=axis) if is_max else np.argmin(ref, axis=axis)


@pytest.mark.parametrize("dtype", ALL, ids=name)
def test_argmin_argmax_narrow_columns(dtype):
    # narrow columns (up to 16 lanes, 8 for 64-bit types) run one masked vector per row over four
    # accumulators (rows i % 4), merged in row order: ties across accumulators keep the first row,
    # and the first NaN wins even when a later accumulator's row is the extremum
    for n in (5, 8, 9, 13, 64, 1001):
        for w in (1, 2, 3, 7, 8, 9, 15, 16, 17):
            a, ref = make((n, w + 1), dtype, -2, 3)  # a few values: many ties
            for view, r in [(a, ref), (a[:, 1:], ref[:, 1:]), (a[::3, :w], ref[::3, :w])]:
                for is_max in (False, True):
                    f = mx.argmax if is_max else mx.argmin
                    np.testing.assert_array_equal(to_np(f(view, axis=0)), _argref(r, 0, is_max))
    if dtype in FLOATS:
        x = np.zeros((40, 5), np.float32)
        x[5, 0] = x[3, 0] = 3      # tie in accumulators 1 and 3: row 3
        x[9, 1] = np.nan           # NaN in accumulator 1 before the extremum of accumulator 0
        x[12, 1] = 5
        x[30, 2] = np.nan          # two NaNs: the first, in a later accumulator
        x[27, 2] = np.nan
        x[39, 3] = -7              # the last row (the remainder loop) holds the minimum
        x[1, 4] = x[5, 4] = -7     # ties in the same accumulator
        m = mx.array(x).astype(dtype)
        for is_max in (False, True):
            f = mx.argmax if is_max else mx.argmin
            np.testing.assert_array_equal(to_np(f(m, axis=0)), _argref(x, 0, is_max))


@pytest.mark.parametrize("dtype", [mx.float32, mx.int32, mx.float16, mx.float64, mx.uint8,
                                   mx.complex64], ids=name)
def test_argmin_argmax_long_axis_split_over_threads(dtype):
    # columns along a long axis in fewer chunks than threads split the axis into parts, whose
    # answers merge in order: a tie or NaN in an early part beats a later one
    n = 70000
    for w in (3, 40):
        a, ref = make((n, w), dtype, -3, 4)
        x = np.array(ref)
        x[:, 0] = 0
        x[[20000, 50000], 0] = 9         # ties in two parts
        x[:, 1] = 2
        x[[1000, 60000, 69999], 1] = 0   # the minimum, first in the first part
        if dtype in FLOATS or dtype == mx.complex64:
            x[[66000, 30000], 2] = np.nan  # the NaN of the earlier part wins
        m = mx.array(x.astype(np.complex64) if dtype == mx.complex64 else x).astype(dtype)
        for view, r in [(m, x), (m[:, 1:], x[:, 1:]), (m[1:], x[1:])]:
            for is_max in (False, True):
                f = mx.argmax if is_max else mx.argmin
                np.testing.assert_array_equal(to_np(f(view, axis=0)), _argref(r, 0, is_max))


@pytest.mark.parametrize("dtype", [mx.float32, mx.int16, mx.float16, mx.float64, mx.complex64],
                         ids=name)
def test_sort_family_over_broadcast_rows(dtype):
    # dims other than the axis along which the input is broadcast hold equal rows: the kernels
    # run over the distinct rows and repeat the results (row-contiguous, as MLX's)
    a, ref = make((3, 1, 50), dtype, -9, 9)
    for shape, axis in [((3, 40, 50), -1), ((3, 40, 50), 0), ((3, 40, 50), 2)]:
        v, r = mx.broadcast_to(a, shape), np.broadcast_to(ref, shape)
        np.testing.assert_array_equal(to_np(mx.sort(v, axis=axis)), np.sort(r, axis=axis))
        np.testing.assert_array_equal(to_np(mx.argsort(v, axis=axis)),
                                      np.argsort(r, axis=axis, kind="stable"))
        # the result is usable as an ordinary array afterwards
        np.testing.assert_array_equal(to_np(mx.sort(v, axis=axis) + 0), np.sort(r, axis=axis))
        if dtype == mx.complex64:
            continue
        n = r.shape[axis]
        k = min(7, n - 1)
        kth = np.take(np.partition(r, k, axis=axis), [k], axis=axis)
        got = to_np(mx.partition(v, k, axis=axis))
        np.testing.assert_array_equal(np.take(got, [k], axis=axis), kth)
        np.testing.assert_array_equal(np.sort(got, axis=axis), np.sort(r, axis=axis))
        ap = to_np(mx.argpartition(v, k, axis=axis)).astype(np.int64)
        np.testing.assert_array_equal(np.sort(ap, axis=axis),
                                      np.broadcast_to(np.arange(n).reshape([-1 if d == axis % 3
                                                                            else 1 for d in range(3)]),
                                                      shape))
        np.testing.assert_array_equal(np.take(np.take_along_axis(r, ap, axis=axis), [k], axis=axis),
                                      kth)
        t = min(4, n)
        top = to_np(mx.topk(v, t, axis=axis))
        np.testing.assert_array_equal(np.sort(top, axis=axis),
                                      np.take(np.sort(r, axis=axis), range(n - t, n), axis=axis))


@pytest.mark.parametrize("dtype", [mx.float32, mx.int16, mx.float16, mx.float64, mx.complex64],
                         ids=name)
def test_sort_family_along_a_broadcast_axis(dtype):
    # rows of one value (the input broadcast along the axis, alone or with other broadcast dims)
    # are in order already: the values as they are, the positions 0, 1, ... for the arg forms
    a, ref = make((3, 40, 1), dtype, -9, 9)
    for src, r in [(a, ref), (a[:1], ref[:1])]:
        shape = (3, 40, 50)
        v, rv = mx.broadcast_to(src, shape), np.broadcast_to(r, shape)
        for axis in (-1, 2):
            np.testing.assert_array_equal(to_np(mx.sort(v, axis=axis)), rv)
            np.testing.assert_array_equal(to_np(mx.argsort(v, axis=axis)),
                                          np.argsort(rv, axis=axis, kind="stable"))
            if dtype == mx.complex64:
                continue
            np.testing.assert_array_equal(to_np(mx.partition(v, 9, axis=axis)), rv)
            np.testing.assert_array_equal(to_np(mx.argpartition(v, 9, axis=axis)),
                                          np.broadcast_to(np.arange(50), shape))
            np.testing.assert_array_equal(to_np(mx.topk(v, 4, axis=axis)), rv[..., :4])
    with pytest.raises(ValueError, match="partition"):
        mx.eval(mx.partition(mx.broadcast_to(a, (3, 40, 50)), 50, axis=-1))
