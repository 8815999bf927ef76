"""Elementwise family: unary and binary ops, comparisons, logical ops, where, clip, closeness,
operators and array methods, against numpy (float64 references) and MLX's documented rules."""
import math
import statistics

import numpy as np
import pytest

import mlx.core as mx

rng = np.random.default_rng(7)
nan, inf = float("nan"), float("inf")

F_DTYPES = [(mx.float32, np.float32, 2e-6), (mx.float16, np.float16, 2e-3),
            (mx.bfloat16, np.float32, 1.6e-2), (mx.float64, np.float64, 1e-13)]
INT_DTYPES = [(mx.int8, np.int8), (mx.int16, np.int16), (mx.int32, np.int32),
              (mx.int64, np.int64), (mx.uint8, np.uint8), (mx.uint16, np.uint16),
              (mx.uint32, np.uint32), (mx.uint64, np.uint64)]


def npa(a):
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    return np.array(a)


def to_mx(x, dt):
    return mx.array(np.asarray(x, np.float32 if dt == mx.bfloat16 else None)).astype(dt) \
        if dt == mx.bfloat16 else mx.array(x, dt)


def stored(x, dt, npdt):
    """The values an array of dtype dt holds for x, as float64."""
    return npa(to_mx(np.asarray(x, npdt), dt)).astype(np.float64)


def round_to(x, dt):
    """float64 values rounded to dtype dt (overflow to inf, underflow to 0), as float64."""
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        if dt == mx.float16:
            return x.astype(np.float16).astype(np.float64)
        if dt == mx.bfloat16:
            return npa(mx.array(x.astype(np.float32)).astype(mx.bfloat16)).astype(np.float64)
        if dt == mx.float32:
            return x.astype(np.float32).astype(np.float64)
    return x


_ndist = statistics.NormalDist()


def _erfinv(y):
    if abs(y) >= 1:
        return math.copysign(inf, y) if abs(y) == 1 else nan
    if abs(y) < 1e-12:
        return y * math.sqrt(math.pi) / 2
    return _ndist.inv_cdf((y + 1) / 2) / math.sqrt(2)


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


# name -> (mx fn, numpy reference on float64, input domain (lo, hi))
UNARY = {
    "abs": (mx.abs, np.abs, (-5, 5)),
    "sign": (mx.sign, np.sign, (-5, 5)),
    "negative": (mx.negative, np.negative, (-5, 5)),
    "square": (mx.square, np.square, (-5, 5)),
    "sqrt": (mx.sqrt, np.sqrt, (0, 100)),
    "rsqrt": (mx.rsqrt, lambda x: 1 / np.sqrt(x), (0.01, 100)),
    "reciprocal": (mx.reciprocal, lambda x: 1 / x, (0.5, 10)),
    "exp": (mx.exp, np.exp, (-20, 20)),
    "expm1": (mx.expm1, np.expm1, (-3, 3)),
    "log": (mx.log, np.log, (1e-3, 100)),
    "log2": (mx.log2, np.log2, (1e-3, 100)),
    "log10": (mx.log10, np.log10, (1e-3, 100)),
    "log1p": (mx.log1p, np.log1p, (-0.9, 10)),
    "sin": (mx.sin, np.sin, (-10, 10)),
    "cos": (mx.cos, np.cos, (-10, 10)),
    "tan": (mx.tan, np.tan, (-1.4, 1.4)),
    "sinh": (mx.sinh, np.sinh, (-5, 5)),
    "cosh": (mx.cosh, np.cosh, (-5, 5)),
    "tanh": (mx.tanh, np.tanh, (-5, 5)),
    "arcsin": (mx.arcsin, np.arcsin, (-1, 1)),
    "arccos": (mx.arccos, np.arccos, (-1, 1)),
    "arctan": (mx.arctan, np.arctan, (-10, 10)),
    "arcsinh": (mx.arcsinh, np.arcsinh, (-10, 10)),
    "arccosh": (mx.arccosh, np.arccosh, (1, 10)),
    "arctanh": (mx.arctanh, np.arctanh, (-0.95, 0.95)),
    "sigmoid": (mx.sigmoid, _sigmoid, (-10, 10)),
    "erf": (mx.erf, np.vectorize(math.erf), (-3, 3)),
    "erfinv": (mx.erfinv, np.vectorize(_erfinv), (-0.99, 0.99)),
    "floor": (mx.floor, np.floor, (-5, 5)),
    "ceil": (mx.ceil, np.ceil, (-5, 5)),
    "round": (mx.round, np.round, (-5, 5)),
    "degrees": (mx.degrees, np.degrees, (-5, 5)),
    "radians": (mx.radians, np.radians, (-500, 500)),
}


def check_unary(name, x, dt, npdt, rtol, atol=None):
    fn, ref, _ = UNARY[name]
    a = to_mx(np.asarray(x, npdt), dt) if not isinstance(x, mx.array) else x
    r = fn(a)
    assert r.dtype == dt, (name, r.dtype)
    xs = npa(a).astype(np.float64)
    with np.errstate(all="ignore"):
        expected = ref(xs)
    if atol is None:
        atol = rtol * 4
    expected = round_to(expected, dt)
    np.testing.assert_allclose(npa(r).astype(np.float64), expected, rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=f"{name} {dt}")


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dt, npdt, rtol", F_DTYPES, ids=["f32", "f16", "bf16", "f64"])
def test_unary_float(name, dt, npdt, rtol):
    lo, hi = UNARY[name][2]
    x = rng.uniform(lo, hi, 257)
    check_unary(name, x, dt, npdt, rtol)


@pytest.mark.parametrize("name", ["exp", "log", "sin", "tanh", "sqrt", "abs", "sigmoid", "erf"])
def test_unary_layouts(name):
    lo, hi = UNARY[name][2]
    base = rng.uniform(lo, hi, (33, 65)).astype(np.float32)
    a = mx.array(base)
    fn, ref = UNARY[name][0], UNARY[name][1]
    views = {
        "transposed": (a.T, base.T),
        "broadcast row": (mx.broadcast_to(a[0:1] if hasattr(a, "__getitem__") else a, (4, 65)),
                          np.broadcast_to(base[0:1], (4, 65))),
        "broadcast scalar": (mx.broadcast_to(mx.array(base[0, 0]), (3, 5)),
                             np.broadcast_to(base[0, 0], (3, 5))),
        "3-d permuted": (mx.transpose(a.reshape(3, 11, 65), (2, 0, 1)),
                         base.reshape(3, 11, 65).transpose(2, 0, 1)),
    }
    for label, (v, nv) in views.items():
        r = fn(v)
        assert r.shape == nv.shape, label
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(npa(r), ref(nv.astype(np.float64)), rtol=3e-6, atol=1e-6,
                                       err_msg=f"{name} {label}")


def test_unary_strided_slice():
    base = rng.standard_normal((40, 30)).astype(np.float32)
    a = mx.array(base)
    try:
        v = a[::2, 1::3]
    except Exception:
        pytest.skip("slicing not available")
    np.testing.assert_allclose(npa(mx.exp(v)), np.exp(base[::2, 1::3].astype(np.float64)),
                               rtol=3e-6)
    np.testing.assert_allclose(npa(mx.maximum(v, v.T.T * 0.5)),
                               np.maximum(base[::2, 1::3], base[::2, 1::3] * 0.5))


# float32 accuracy over the whole range that matters, in units in the last place
ULP_CASES = {
    "exp": (-87, 88), "expm1": (-20, 20), "log": (1e-30, 1e30), "log2": (1e-30, 1e30),
    "log10": (1e-30, 1e30), "log1p": (-0.999, 1e6), "sin": (-1e4, 1e4), "cos": (-1e4, 1e4),
    "tan": (-100, 100), "tanh": (-10, 10), "sinh": (-80, 80), "cosh": (-80, 80),
    "sigmoid": (-80, 80), "arcsin": (-1, 1), "arccos": (-1, 1), "arctan": (-1e4, 1e4),
    "arcsinh": (-1e4, 1e4), "arccosh": (1, 1e4), "arctanh": (-1, 1), "erf": (-5, 5),
    "sqrt": (0, 1e30), "rsqrt": (1e-30, 1e30),
}


@pytest.mark.parametrize("name", list(ULP_CASES))
def test_float32_accuracy_in_ulps(name):
    lo, hi = ULP_CASES[name]
    n = 20000
    if lo > 0:  # log-uniform for wide positive ranges
        x = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    else:
        x = rng.uniform(lo, hi, n)
        x[: n // 4] *= 1e-3  # and values near zero
    x = x.astype(np.float32)
    r = npa(UNARY[name][0](mx.array(x))).astype(np.float64)
    with np.errstate(all="ignore"):
        ref = UNARY[name][1](x.astype(np.float64))
    ok = np.isfinite(ref) & (np.abs(ref) < 3e38) & (np.abs(ref) > 1e-37)
    ulp = np.spacing(np.abs(ref[ok]).astype(np.float32)).astype(np.float64)
    err = np.abs(r[ok] - ref[ok]) / ulp
    assert err.max() <= 2.5, (name, err.max(), x[ok][np.argmax(err)])


def test_special_values_float32():
    x = np.array([0.0, -0.0, inf, -inf, nan, 1.0, -1.0, 1e-45, 3e38, -3e38], np.float32)
    a = mx.array(x)
    for name in ["exp", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "sinh",
                 "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
                 "sqrt", "rsqrt", "sign", "floor", "ceil", "round", "erf", "erfinv", "sigmoid"]:
        fn, ref, _ = UNARY[name]
        with np.errstate(all="ignore"):
            expected = ref(x.astype(np.float64)).astype(np.float32)
        if name == "sign":
            expected[np.isnan(x)] = 0  # MLX: sign(nan) = 0
        got = npa(fn(a))
        assert np.array_equal(np.isnan(got), np.isnan(expected)), (name, got, expected)
        fin = ~np.isnan(expected)
        np.testing.assert_allclose(got[fin], expected[fin], rtol=3e-6, atol=0, err_msg=name)
        if name in ("sign", "floor", "ceil", "round", "sqrt", "sin", "tanh", "arctan", "erf",
                    "log1p", "expm1", "tan", "sinh", "arcsin", "arcsinh", "arctanh", "erfinv"):
            # signed zeros as C / numpy
            zero = expected == 0
            assert np.array_equal(np.signbit(got[zero & fin]), np.signbit(expected[zero & fin])) \
                or name == "sign", name


def test_scalar_code_math_without_avx512():
    """The float32 functions (and softmax / logsumexp's exp sums) again with MLXC_VMATH=0: the
    scalar-code loops that CPUs without AVX-512 (and strided rows) use, in a fresh process (the
    setting is read once)."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, MLXC_VMATH="0")
    reduce_tests = os.path.join(os.path.dirname(__file__), "test_reduce.py")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                        reduce_tests, "-k",
                        "ulps or special_values or large_arguments or softmax or logsumexp"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]


def test_large_arguments_of_sin_cos_tan():
    x = np.array([1e6, -3e7, 1e20, 3.4e38, 12345.678, 2.0 ** 20, 2.0 ** 20 - 1], np.float32)
    for fn, ref in [(mx.sin, np.sin), (mx.cos, np.cos), (mx.tan, np.tan)]:
        np.testing.assert_allclose(npa(fn(mx.array(x))), ref(x.astype(np.float64)), rtol=2e-6,
                                   atol=1e-7)


def test_unary_integer_inputs_give_float32():
    x = np.array([0, 1, 2, 3, 10], np.int32)
    for name in ["sqrt", "exp", "log1p", "sin", "arctan", "sigmoid", "erf", "degrees",
                 "reciprocal", "rsqrt", "tanh"]:
        for dt in (mx.int32, mx.uint8, mx.int64, mx.bool_):
            r = UNARY[name][0](mx.array(x, dt))
            assert r.dtype == mx.float32, (name, dt)
    np.testing.assert_allclose(npa(mx.exp(mx.array(x))), np.exp(x), rtol=2e-6)


@pytest.mark.parametrize("dt, npdt", INT_DTYPES)
def test_unary_integer_ops(dt, npdt):
    info = np.iinfo(npdt)
    vals = [int(info.min), int(info.min) + 1, -3, -1, 0, 1, 2, 7, int(info.max)]
    x = np.array([v for v in vals if info.min <= v <= info.max], npdt)
    a = mx.array(x)
    with np.errstate(all="ignore"):
        for fn, ref in [(mx.abs, np.abs), (mx.negative, np.negative), (mx.square, np.square),
                        (mx.sign, np.sign), (mx.bitwise_invert, np.invert),
                        (mx.floor, lambda v: v), (mx.ceil, lambda v: v), (mx.round, lambda v: v)]:
            r = fn(a)
            assert r.dtype == dt
            np.testing.assert_array_equal(npa(r), ref(x))
    np.testing.assert_array_equal(npa(mx.logical_not(a)), x == 0)
    for fn, v in [(mx.isnan, False), (mx.isinf, False), (mx.isfinite, True),
                  (mx.isposinf, False), (mx.isneginf, False)]:
        r = fn(a)
        assert r.dtype == mx.bool_ and r.shape == a.shape
        assert (npa(r) == v).all()


def test_bool_unary():
    b = mx.array([True, False, True])
    assert mx.abs(b).tolist() == [True, False, True]
    assert mx.sign(b).dtype == mx.bool_ and mx.square(b).tolist() == [True, False, True]
    assert mx.bitwise_invert(b).tolist() == [False, True, False]
    assert mx.logical_not(b).tolist() == [False, True, False]
    assert (~b).tolist() == [False, True, False]
    with pytest.raises(ValueError, match="logical_not"):
        mx.negative(b)


def test_classification_and_nan_to_num():
    x = np.array([0.0, -1.5, inf, -inf, nan, 3.0], np.float32)
    for dt, npdt in [(mx.float32, np.float32), (mx.float16, np.float16), (mx.bfloat16, np.float32),
                     (mx.float64, np.float64)]:
        a = to_mx(x.astype(npdt), dt)
        assert npa(mx.isnan(a)).tolist() == np.isnan(x).tolist()
        assert npa(mx.isinf(a)).tolist() == np.isinf(x).tolist()
        assert npa(mx.isfinite(a)).tolist() == np.isfinite(x).tolist()
        assert npa(mx.isposinf(a)).tolist() == np.isposinf(x).tolist()
        assert npa(mx.isneginf(a)).tolist() == np.isneginf(x).tolist()
    a = mx.array(x)
    r = mx.nan_to_num(a)
    assert r.dtype == mx.float32
    np.testing.assert_array_equal(npa(r), np.nan_to_num(x))
    np.testing.assert_array_equal(npa(mx.nan_to_num(a, 5.0, 7.0, -7.0)),
                                  np.nan_to_num(x, nan=5, posinf=7, neginf=-7))
    h = mx.nan_to_num(a.astype(mx.float16))
    assert h.dtype == mx.float16 and npa(h)[2] == 65504 and npa(h)[3] == -65504
    assert npa(mx.nan_to_num(a.astype(mx.float16), posinf=1e10))[2] == inf  # rounds to float16
    assert npa(mx.nan_to_num(a.astype(mx.bfloat16)))[2] > 3e38
    d = mx.array(x, dtype=mx.float64)  # float64: the float64 limits (was an error)
    np.testing.assert_array_equal(npa(mx.nan_to_num(d)), np.nan_to_num(x.astype(np.float64)))
    np.testing.assert_array_equal(npa(mx.nan_to_num(d, 1.5, neginf=-9.0)),
                                  np.nan_to_num(x.astype(np.float64), nan=1.5, neginf=-9))
    assert mx.nan_to_num(mx.array([1, 2])).tolist() == [1, 2]
    assert mx.nan_to_num(nan).item() == 0.0
    with pytest.raises(ValueError):  # (MLX also refuses float64 unless posinf and neginf are given)
        mx.nan_to_num(mx.array([1j]))


def test_round_with_decimals():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.675, 1234.5678, -0.004], np.float32)
    a = mx.array(x)
    np.testing.assert_array_equal(npa(mx.round(a)), np.round(x))
    # as MLX: scaled in float32 (2.675f * 100 rounds to 267.5, so 2.68)
    np.testing.assert_allclose(npa(mx.round(a, 2)),
                               np.round(x * np.float32(100)) * np.float32(0.01), rtol=1e-6)
    np.testing.assert_allclose(npa(mx.round(a, -2)), np.round(x, -2), atol=1e-5)
    assert npa(mx.round(a, 2))[5] == np.float32(268) * np.float32(0.01)  # MLX: times 1/100
    ints = mx.array([15, 25, 149, -151])
    assert mx.round(ints, -1).tolist() == [20, 20, 150, -150]
    assert mx.round(ints, 1).tolist() == [15, 25, 149, -151]
    assert mx.round(ints, -1).dtype == mx.int32
    assert a.round(1).dtype == mx.float32
    assert mx.round(mx.array([1.25 + 2.35j]), 1).dtype == mx.complex64
    with pytest.raises(TypeError):
        mx.round(a, 1.5)


def test_trunc_positive_stop_gradient():
    x = np.array([-1.5, -0.5, 0.5, 1.5, -0.0], np.float32)
    r = npa(mx.trunc(mx.array(x)))
    np.testing.assert_array_equal(r, np.trunc(x))
    assert mx.trunc(mx.array([3, -4])).tolist() == [3, -4]
    a = mx.array([1.0, 2.0])
    assert mx.positive(a).tolist() == [1.0, 2.0]
    s = mx.stop_gradient(a)
    assert s.tolist() == [1.0, 2.0] and s.dtype == mx.float32
    for f in (mx.positive, mx.trunc, mx.stop_gradient):
        with pytest.raises(TypeError):
            f(3)


def test_complex_unary():
    z = np.array([1 + 2j, -0.5 + 0.25j, 3 - 4j, -2 - 1j], np.complex64)
    a = mx.array(z)
    zd = z.astype(np.complex128)
    cases = [(mx.exp, np.exp), (mx.log, np.log), (mx.log2, np.log2), (mx.log10, np.log10),
             (mx.log1p, np.log1p), (mx.sqrt, np.sqrt), (mx.rsqrt, lambda v: 1 / np.sqrt(v)),
             (mx.sin, np.sin), (mx.cos, np.cos), (mx.tan, np.tan), (mx.sinh, np.sinh),
             (mx.cosh, np.cosh), (mx.tanh, np.tanh), (mx.arcsin, np.arcsin),
             (mx.arccos, np.arccos), (mx.arctan, np.arctan), (mx.arcsinh, np.arcsinh),
             (mx.arccosh, np.arccosh), (mx.arctanh, np.arctanh), (mx.square, np.square),
             (mx.negative, np.negative), (mx.reciprocal, lambda v: 1 / v),
             (mx.conj, np.conj), (mx.conjugate, np.conj), (mx.degrees, lambda v: v * 180 / np.pi)]
    for fn, ref in cases:
        r = fn(a)
        assert r.dtype == mx.complex64
        np.testing.assert_allclose(npa(r), ref(zd), rtol=1e-5, atol=1e-6, err_msg=fn.__name__)
    r = mx.abs(a)
    assert r.dtype == mx.float32
    np.testing.assert_allclose(npa(r), np.abs(zd), rtol=1e-6)
    np.testing.assert_allclose(npa(mx.sign(a)), zd / np.abs(zd), rtol=1e-6)
    assert mx.sign(mx.array([0j])).tolist() == [0j]
    np.testing.assert_array_equal(npa(mx.real(a)), z.real)
    np.testing.assert_array_equal(npa(mx.imag(a)), z.imag)
    assert a.real.dtype == mx.float32 and a.imag.tolist() == z.imag.tolist()
    np.testing.assert_array_equal(npa(mx.imag(a.T)), z.imag)
    np.testing.assert_array_equal(npa(mx.real(mx.broadcast_to(a, (2, 4)))), np.broadcast_to(z.real, (2, 4)))
    assert mx.imag(mx.array([1.5, 2])).tolist() == [0, 0]
    assert mx.real(mx.array([1, 2])).dtype == mx.int32
    w = mx.array([complex(nan, 0), complex(0, inf), complex(inf, 0), 1j, 0j])
    assert mx.isnan(w).tolist() == [True, False, False, False, False]
    assert mx.isinf(w).tolist() == [False, True, True, False, False]
    assert mx.isfinite(w).tolist() == [False, False, False, True, True]
    assert mx.isposinf(w).tolist() == [False, False, True, False, False]
    assert mx.logical_not(w).tolist() == [False, False, False, False, True]
    for f in (mx.expm1, mx.sigmoid, mx.erf, mx.erfinv, mx.floor, mx.ceil, mx.bitwise_invert):
        with pytest.raises(ValueError):
            f(a)


# ------------------------------------------------------------------ binary

BIN_FLOAT = {
    "maximum": (mx.maximum, np.maximum),
    "minimum": (mx.minimum, np.minimum),
    "power": (mx.power, np.power),
    "remainder": (mx.remainder, np.remainder),
    "floor_divide": (mx.floor_divide, lambda a, b: np.floor(a / b)),
    "arctan2": (mx.arctan2, np.arctan2),
    "logaddexp": (mx.logaddexp, np.logaddexp),
}

BROADCASTS = [((17,), (17,)), ((3, 5), (5,)), ((4, 1), (1, 6)), ((), (2, 3)), ((2, 1, 3), (4, 1)),
              ((0, 3), (1, 3))]


@pytest.mark.parametrize("name", list(BIN_FLOAT))
@pytest.mark.parametrize("dt, npdt, rtol", F_DTYPES, ids=["f32", "f16", "bf16", "f64"])
def test_binary_float(name, dt, npdt, rtol):
    fn, ref = BIN_FLOAT[name]
    for sa, sb in BROADCASTS:
        x = rng.uniform(-4, 4, sa)
        y = rng.uniform(-4, 4, sb)
        if name == "power":
            x = np.abs(x) + 0.1
        if name in ("remainder", "floor_divide"):
            y = np.where(np.abs(y) < 0.5, 1.5, y)
        a, b = to_mx(np.asarray(x, npdt), dt), to_mx(np.asarray(y, npdt), dt)
        r = fn(a, b)
        assert r.dtype == dt and r.shape == np.broadcast_shapes(sa, sb)
        xs, ys = npa(a).astype(np.float64), npa(b).astype(np.float64)
        with np.errstate(all="ignore"):
            expected = ref(xs, ys)
        got = npa(r).astype(np.float64)
        if name in ("remainder", "floor_divide") and dt != mx.float64:
            # quotients that round across an integer change the floor: check consistency only
            q = npa(mx.floor_divide(a, b)).astype(np.float64)
            assert np.all(np.abs(q - np.floor(xs / ys)) <= 1)
            if name == "remainder":
                assert np.all(np.abs(got) <= np.abs(ys) * (1 + rtol))
                assert np.all((got == 0) | (np.sign(got) == np.sign(ys)))
            continue
        np.testing.assert_allclose(got, expected, rtol=rtol * 2, atol=rtol * 4,
                                   err_msg=f"{name} {dt} {sa} {sb}")


def test_binary_layouts_and_threads():
    # large enough to be split over threads; transposed / broadcast operands
    x = rng.standard_normal((1200, 1100)).astype(np.float32)
    y = rng.standard_normal((1100, 1200)).astype(np.float32)
    a, b = mx.array(x), mx.array(y)
    np.testing.assert_array_equal(npa(mx.maximum(a, b.T)), np.maximum(x, y.T))
    np.testing.assert_array_equal(npa(mx.minimum(a.T, b)), np.minimum(x.T, y))
    np.testing.assert_array_equal(npa(mx.less(a.T, b.T.T)), x.T < y)
    np.testing.assert_array_equal(npa(mx.maximum(b.T, a)), np.maximum(y.T, x))
    c = mx.array(y.T.copy())  # same (column-major) layout on both sides
    np.testing.assert_array_equal(npa(mx.maximum(b.T, c.T.T)), np.maximum(y.T, y.T))
    row = mx.array(x[:1])
    np.testing.assert_array_equal(npa(mx.greater(a, row)), x > x[:1])
    np.testing.assert_allclose(npa(mx.exp(a)), np.exp(x.astype(np.float64)), rtol=3e-6)
    np.testing.assert_allclose(npa(mx.exp(a.T)), np.exp(x.T.astype(np.float64)), rtol=3e-6)
    m = x > 0
    np.testing.assert_array_equal(npa(mx.where(mx.array(m), a, b.T)), np.where(m, x, y.T))
    np.testing.assert_array_equal(npa(mx.where(mx.array(m).T, a.T, 0.0)), np.where(m.T, x.T, 0))


@pytest.mark.parametrize("dt", ["float32", "int32", "float16"])
def test_binary_transposed_operand_tiles(dt):
    # ew_binary.c's tiled path: a transposed operand staged through 16 x 16 register
    # transposes (4-byte types), edge tiles not multiples of 16 rows or columns, batches,
    # either side transposed
    x = (rng.standard_normal((3, 301, 277)) * 100).astype(dt)
    y = (rng.standard_normal((3, 277, 301)) * 100).astype(dt)
    a, b = mx.array(x), mx.array(y)
    yt = np.swapaxes(y, 1, 2)
    bt = mx.swapaxes(b, 1, 2)
    np.testing.assert_array_equal(npa(mx.maximum(a, bt)), np.maximum(x, yt))
    np.testing.assert_array_equal(npa(mx.minimum(bt, a)), np.minimum(yt, x))
    np.testing.assert_array_equal(npa(mx.greater(bt, a)), yt > x)
    # binary.c's add/subtract/multiply take the same rows and tiles (mx_ew_binary_rows)
    np.testing.assert_array_equal(npa(mx.subtract(a, bt)), x - yt)
    with np.errstate(over="ignore"):  # float16 products past 65504 are inf on both sides
        np.testing.assert_array_equal(npa(mx.multiply(bt, a)), yt * x)
    np.testing.assert_array_equal(npa(mx.add(bt, bt)), yt + yt)
    s = bt[:, 5:290, 3:260]  # sliced: the tile starts off any alignment
    np.testing.assert_array_equal(npa(mx.maximum(a[:, 5:290, 3:260], s)),
                                  np.maximum(x[:, 5:290, 3:260], yt[:, 5:290, 3:260]))


def test_streamed_rows_of_broadcast_binary_ops():
    # rows of at least 4 KiB of a cheap op stream their output out (MLXC_STREAM_MIN_BYTES=1 makes
    # every size qualify): broadcast rows and columns, odd lengths, both binary drivers
    import os
    import subprocess
    import sys
    code = """
import numpy as np, mlx.core as mx
rng = np.random.default_rng(0)
for shape in ((5, 3001), (3, 1024), (2, 4099)):
    for dt in (np.float32, np.int32):
        x = (rng.standard_normal(shape) * 100).astype(dt)
        r = (rng.standard_normal((1, shape[1])) * 100).astype(dt)
        c = (rng.standard_normal((shape[0], 1)) * 100).astype(dt)
        a, ra, ca = mx.array(x), mx.array(r), mx.array(c)
        for got, want in ((a + ra, x + r), (ca - a, c - x), (mx.maximum(a, ra), np.maximum(x, r)),
                          (mx.minimum(ca, a), np.minimum(c, x)), (a * ca, x * c)):
            np.testing.assert_array_equal(np.array(got), want)
# tiles of a transposed operand: each tile row is streamed out
for shape, dt in (((1100, 1300), np.float32), ((300, 1029), np.int64), ((2, 140, 1031), np.int32)):
    x = (rng.standard_normal(shape) * 100).astype(dt)
    y = (rng.standard_normal(shape[:-2] + shape[-1:] + shape[-2:-1]) * 100).astype(dt)
    xt = mx.swapaxes(mx.array(x), -1, -2)
    np.testing.assert_array_equal(np.array(mx.maximum(mx.array(y), xt)),
                                  np.maximum(y, np.swapaxes(x, -1, -2)))
    np.testing.assert_array_equal(np.array(xt - mx.array(y)), np.swapaxes(x, -1, -2) - y)
print("ok")
"""
    env = dict(os.environ, MLXC_STREAM_MIN_BYTES="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_streamed_output_of_math_ops():
    # a flat loop past the last-level cache streams its output out through a small staging block,
    # for every op (MLXC_STREAM_MIN_BYTES=1: every size; =0: never): the same values either way,
    # odd lengths, a broadcast scalar operand
    import os
    import subprocess
    import sys
    import tempfile
    code = """
import sys, numpy as np, mlx.core as mx
rng = np.random.default_rng(3)
x = rng.standard_normal(3001).astype(np.float32)
y = rng.standard_normal(3001).astype(np.float32)
a, b, p = mx.array(x), mx.array(y), mx.array(np.abs(x) + 1)
outs = [mx.exp(a), mx.sin(a), mx.cos(a), mx.tan(a), mx.arctan(a), mx.arccosh(p), mx.erf(a),
        mx.sigmoid(a), mx.log1p(p), mx.rsqrt(p), mx.arctan2(a, b), mx.arctan2(a, mx.array(0.5)),
        mx.power(p, b), mx.logaddexp(a, b), mx.remainder(a, b), mx.sqrt(p), a + b]
np.savez(sys.argv[1], *[np.array(o) for o in outs])
"""
    with tempfile.TemporaryDirectory() as d:
        files = []
        for setting in ("1", "0"):
            f = os.path.join(d, setting + ".npz")
            env = dict(os.environ, MLXC_STREAM_MIN_BYTES=setting)
            out = subprocess.run([sys.executable, "-c", code, f], env=env, capture_output=True,
                                 text=True)
            assert out.returncode == 0, out.stderr[-2000:]
            files.append(np.load(f))
        streamed, plain = files
        for k in plain.files:
            np.testing.assert_array_equal(streamed[k], plain[k], err_msg=k)
        np.testing.assert_allclose(plain["arr_0"], np.exp(np.random.default_rng(3)
                                                          .standard_normal(3001)
                                                          .astype(np.float32)), rtol=1e-6)


def test_arctan2_special_values():
    # every pair of signed zeros, infinities, NaN and ordinary values: the AVX-512 rows
    # (contiguous operands) and the scalar-code loop (strided) give C's atan2, bit for bit alike
    sp = np.array([0.0, -0.0, inf, -inf, nan, 1.0, -1.0, 1e-40, -3e38, 2.5], np.float32)
    y, x = np.repeat(sp, sp.size), np.tile(sp, sp.size)
    want = np.arctan2(y.astype(np.float64), x.astype(np.float64)).astype(np.float32)
    got = npa(mx.arctan2(mx.array(y), mx.array(x)))
    strided = npa(mx.arctan2(mx.array(np.repeat(y, 2))[::2], mx.array(np.repeat(x, 2))[::2]))
    assert np.array_equal(got.view(np.uint32), strided.view(np.uint32))
    assert np.array_equal(np.isnan(got), np.isnan(want))
    fin = ~np.isnan(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=3e-7, atol=0)
    assert np.array_equal(np.signbit(got[fin]), np.signbit(want[fin]))


def test_maximum_minimum_nan_and_zero():
    a = mx.array([1.0, nan, 2.0, -0.0, 0.0])
    b = mx.array([nan, 1.0, 3.0, 0.0, -0.0])
    mxr = npa(mx.maximum(a, b))
    assert np.isnan(mxr[0]) and np.isnan(mxr[1]) and mxr[2] == 3.0
    assert not np.signbit(mxr[3]) and np.signbit(mxr[4])  # as MLX: a > b ? a : b
    mnr = npa(mx.minimum(a, b))
    assert np.isnan(mnr[0]) and np.isnan(mnr[1]) and mnr[2] == 2.0
    assert mx.maximum(mx.array([True, False]), mx.array([False, False])).tolist() == [True, False]
    z = mx.maximum(mx.array([1 + 5j, 2 + 0j, 2 + 1j]), mx.array([2 + 0j, 1 + 5j, 2 + 0j]))
    assert z.tolist() == [2 + 0j, 2 + 0j, 2 + 1j]


@pytest.mark.parametrize("dt, npdt", INT_DTYPES)
def test_integer_binary(dt, npdt):
    info = np.iinfo(npdt)
    lo = max(info.min, -100)
    x = rng.integers(lo, 100, 200).astype(npdt)
    y = rng.integers(lo, 100, 200).astype(npdt)
    y[y == 0] = 3
    a, b = mx.array(x), mx.array(y)
    np.testing.assert_array_equal(npa(mx.maximum(a, b)), np.maximum(x, y))
    np.testing.assert_array_equal(npa(mx.minimum(a, b)), np.minimum(x, y))
    np.testing.assert_array_equal(npa(mx.floor_divide(a, b)), np.floor_divide(x, y))
    np.testing.assert_array_equal(npa(mx.remainder(a, b)), np.remainder(x, y))
    q, r = mx.divmod(a, b)
    np.testing.assert_array_equal(npa(q), np.floor_divide(x, y))
    np.testing.assert_array_equal(npa(r), np.remainder(x, y))
    for fn, ref in [(mx.bitwise_and, np.bitwise_and), (mx.bitwise_or, np.bitwise_or),
                    (mx.bitwise_xor, np.bitwise_xor)]:
        r = fn(a, b)
        assert r.dtype == dt
        np.testing.assert_array_equal(npa(r), ref(x, y))
    sh = (np.abs(y.astype(np.int64)) % 7).astype(npdt)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(npa(mx.left_shift(a, mx.array(sh))), np.left_shift(x, sh))
        np.testing.assert_array_equal(npa(mx.right_shift(a, mx.array(sh))), np.right_shift(x, sh))
    e = (np.abs(y.astype(np.int64)) % 5).astype(npdt)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(npa(mx.power(a, mx.array(e))), np.power(x, e))
    for fn, ref in [(mx.equal, np.equal), (mx.not_equal, np.not_equal), (mx.less, np.less),
                    (mx.less_equal, np.less_equal), (mx.greater, np.greater),
                    (mx.greater_equal, np.greater_equal)]:
        r = fn(a, b)
        assert r.dtype == mx.bool_
        np.testing.assert_array_equal(npa(r), ref(x, y))


def test_int32_division_full_range():
    # the kernel divides in double: exact over the whole int32 range
    x = rng.integers(-2 ** 31, 2 ** 31, 200_000, dtype=np.int64).astype(np.int32)
    y = np.concatenate([rng.integers(-2 ** 31, 2 ** 31, 100_000, dtype=np.int64),
                        rng.integers(-40, 40, 100_000)]).astype(np.int32)
    y[y == 0] = 7
    x[:3], y[:3] = [2 ** 31 - 1, -2 ** 31, 2 ** 31 - 2], [2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31 - 1]
    a, b = mx.array(x), mx.array(y)
    np.testing.assert_array_equal(npa(mx.floor_divide(a, b)), np.floor_divide(x, y))
    np.testing.assert_array_equal(npa(mx.remainder(a, b)), np.remainder(x, y))
    u = rng.integers(0, 2 ** 16, 1000).astype(np.uint16)
    v = rng.integers(1, 2 ** 16, 1000).astype(np.uint16)
    np.testing.assert_array_equal(npa(mx.array(u) // mx.array(v)), u // v)
    np.testing.assert_array_equal(npa(mx.array(u) % mx.array(v)), u % v)


def test_integer_division_edge_cases():
    a = mx.array([7, -7, 7, -7, 5, -5])
    b = mx.array([2, 2, -2, -2, 0, 0])
    assert mx.floor_divide(a, b).tolist() == [3, -4, -4, 3, 0, 0]
    assert mx.remainder(a, b).tolist() == [1, 1, -1, -1, 5, -5]
    assert (a // 2).tolist() == [3, -4, 3, -4, 2, -3]
    assert (a % 3).tolist() == [1, 2, 1, 2, 2, 1]
    m = mx.array([-2 ** 31], mx.int32)
    assert mx.floor_divide(m, -1).tolist() == [-2 ** 31]  # wraps, no trap
    assert mx.remainder(m, -1).tolist() == [0]
    assert mx.floor_divide(mx.array([-128], mx.int8), mx.array([-1], mx.int8)).tolist() == [-128]
    u = mx.array([7, 250], mx.uint8)
    assert mx.remainder(u, mx.array([2, 7], mx.uint8)).tolist() == [1, 5]
    assert mx.floor_divide(u, mx.array([0, 0], mx.uint8)).tolist() == [0, 0]
    t = mx.array([True, False])
    assert mx.floor_divide(t, mx.array([True, True])).tolist() == [True, False]
    assert mx.remainder(t, mx.array([True, True])).tolist() == [False, False]
    assert mx.remainder(mx.array([True]), mx.array([False])).tolist() == [True]


def test_float_remainder_and_floor_divide():
    x = np.array([7.0, -7.0, 7.0, -7.0, 1.0, 0.0, -0.0, 6.0, 5.0, -5.0, inf, 1e30, 2.5],
                 np.float32)
    y = np.array([2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 3.0, -3.0, inf, inf, 2.0, 3.0, 0.7], np.float32)
    r = npa(mx.remainder(mx.array(x), mx.array(y)))
    with np.errstate(all="ignore"):
        expected = np.remainder(x.astype(np.float64), y.astype(np.float64))
    expected[8:10] = [5.0, inf]  # MLX: fmod, then + b when the sign differs from b
    expected[11] = math.fmod(float(x[11]), 3.0)
    np.testing.assert_allclose(r, expected.astype(np.float32), rtol=1e-6, equal_nan=True)
    assert np.signbit(r[6]) and not np.signbit(r[7])  # -0 % 3 = -0, 6 % -3 = 0 (as MLX)
    q = npa(mx.floor_divide(mx.array(x[:4]), mx.array(y[:4])))
    np.testing.assert_array_equal(q, [3, -4, -4, 3])
    qd, rd = mx.divmod(mx.array([7.5, -7.5]), mx.array([2.0, 2.0]))
    assert qd.tolist() == [3.0, -4.0] and rd.tolist() == [1.5, 0.5]
    assert mx.floor_divide(mx.array([3.5 + 1j]), mx.array([1j])).dtype == mx.complex64


def test_power_rules():
    a = mx.array([2, 3, -2, 0, 2, 1, -1])
    assert mx.power(a, mx.array([3, 0, 3, 0, -1, -5, -4])).tolist() == [8, 1, -8, 1, 0, 0, 0]
    assert (a ** 2).tolist() == [4, 9, 4, 0, 4, 1, 1]
    assert (2 ** mx.array([1, 2, 10])).tolist() == [2, 4, 1024]
    assert mx.power(mx.array([2, 3], mx.uint8), mx.array([8, 5], mx.uint8)).tolist() == [0, 243]
    assert mx.power(mx.array([True, False]), mx.array([False, True])).tolist() == [True, False]
    f = mx.array([2.0, -8.0, 0.0, -2.0, -0.0, nan, 1.0, -1.0])
    g = mx.array([0.5, 1 / 3, -1.0, 2.0, -1.0, 0.0, nan, inf])
    np.testing.assert_allclose(npa(mx.power(f, g)), [2 ** 0.5, nan, inf, 4.0, -inf, 1, 1, 1],
                               rtol=1e-6)
    x = mx.array([1.5, -2.0, 0.0, inf, nan])
    for e in (2, 2.0, 1, 0, -1, 0.5, 3):
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(npa(x ** e), np.power(npa(x).astype(np.float64), e),
                                       rtol=1e-6, equal_nan=True, err_msg=str(e))
    assert (mx.array([1, 2]) ** 0.5).dtype == mx.float32
    assert (mx.array([1, 2]) ** -1).tolist() == [0, 0]  # MLX: negative integer exponents give 0
    z = mx.power(mx.array([1 + 1j]), mx.array([2 + 0j]))
    np.testing.assert_allclose(npa(z), [2j], atol=1e-6)


@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                np.int64, np.uint64])
def test_shift_counts_out_of_range(dt):
    # negative counts and counts of the type's width or more shift every bit out, as in numpy
    # (they had been taken modulo the width: 7 << -3 was -536870912)
    info = np.iinfo(dt)
    x = np.array([7, 1, info.max, info.min, 0, 5], dtype=dt)
    bits = 8 * np.dtype(dt).itemsize
    counts = [0, 1, bits - 1, bits, bits + 3, 40, 70] + ([-1, -3] if info.min < 0 else [])
    for c in counts:
        for got, fn in [(mx.left_shift(mx.array(x), c), np.left_shift),
                        (mx.right_shift(mx.array(x), c), np.right_shift)]:
            want = fn(x, np.array(c).astype(dt)) if 0 <= c < bits else (
                np.where(x < 0, -1, 0).astype(dt) if fn is np.right_shift else np.zeros_like(x))
            np.testing.assert_array_equal(npa(got), want, err_msg=f"{fn.__name__} {c}")
    cs = mx.array(np.array(counts, dtype=np.int64))
    xs = mx.array(np.resize(x, len(counts)).astype(np.int32))
    eager = mx.left_shift(xs, cs.astype(mx.int32)) + mx.right_shift(xs, cs.astype(mx.int32))
    fused = mx.compile(lambda a, b: mx.left_shift(a, b) + mx.right_shift(a, b))(
        xs, cs.astype(mx.int32))
    np.testing.assert_array_equal(npa(fused), npa(eager))


def test_shifts_and_bitwise_rules():
    assert mx.left_shift(mx.array([True]), mx.array([True])).tolist() == [2]
    assert mx.left_shift(mx.array([True]), mx.array([True])).dtype == mx.uint8
    assert mx.left_shift(mx.array([1], mx.int8), mx.array([1], mx.uint8)).dtype == mx.int16
    assert mx.left_shift(mx.array([1], mx.uint8), mx.array([9], mx.uint8)).tolist() == [0]
    assert mx.right_shift(mx.array([-100], mx.int8), mx.array([1], mx.uint8)).tolist() == [-50]
    assert mx.right_shift(mx.array([200], mx.uint8), mx.array([1], mx.uint8)).tolist() == [100]
    assert mx.bitwise_and(mx.array([True, False]), mx.array([True, True])).dtype == mx.bool_
    assert mx.bitwise_or(True, 2).tolist() == 3
    with pytest.raises(RuntimeError, match="bitwise_and"):
        mx.bitwise_and(mx.array([1.0]), mx.array([1.0]))
    with pytest.raises(RuntimeError, match="left_shift"):
        mx.left_shift(mx.array([1.0]), 1)
    with pytest.raises(RuntimeError):
        mx.bitwise_xor(mx.array([1]), 1.5)
    assert mx.bitwise_or(mx.array([1]), 2).tolist() == [3]  # the process keeps working


@pytest.mark.parametrize("dt", [mx.bool_, mx.int8, mx.uint32, mx.int64, mx.float16, mx.bfloat16,
                                mx.float32, mx.float64, mx.complex64])
def test_comparisons_all_dtypes(dt):
    x = np.array([0, 1, 2, 3, 1, 0, 2, 5])
    y = np.array([1, 1, 0, 3, 2, 0, 3, 4])
    if dt == mx.bool_:
        x, y = x % 2, y % 2
    a, b = mx.array(x).astype(dt), mx.array(y).astype(dt)
    for fn, ref in [(mx.equal, np.equal), (mx.not_equal, np.not_equal), (mx.less, np.less),
                    (mx.less_equal, np.less_equal), (mx.greater, np.greater),
                    (mx.greater_equal, np.greater_equal)]:
        r = fn(a, b)
        assert r.dtype == mx.bool_
        np.testing.assert_array_equal(npa(r), ref(x, y), err_msg=f"{fn.__name__} {dt}")


def test_comparisons_nan_and_complex():
    a = mx.array([nan, 1.0, nan])
    b = mx.array([nan, nan, 1.0])
    assert mx.equal(a, b).tolist() == [False, False, False]
    assert mx.not_equal(a, b).tolist() == [True, True, True]
    assert mx.less(a, b).tolist() == [False, False, False]
    c = mx.array([1 + 1j, 1 + 0j, 0 + 5j, 2 + 2j])
    d = mx.array([1 + 2j, 1 + 1j, 1 + 0j, 2 + 2j])
    assert mx.less(c, d).tolist() == [True, True, True, False]  # real part, then imaginary
    assert mx.less_equal(c, d).tolist() == [True, True, True, True]
    assert mx.greater(c, d).tolist() == [False, False, False, False]
    assert mx.equal(c, d).tolist() == [False, False, False, True]


def test_logical_ops():
    x = mx.array([1.5, 0.0, nan, -2.0])
    y = mx.array([2, 0, 0, 3])
    assert mx.logical_and(x, y).tolist() == [True, False, False, True]
    assert mx.logical_or(x, y).tolist() == [True, False, True, True]
    assert mx.logical_xor(x, y).tolist() == [False, False, True, False]
    assert mx.logical_not(x).tolist() == [False, True, False, False]
    assert mx.logical_and(1, mx.array([True])).tolist() == [True]
    assert mx.logical_xor(1, 0).item() is True
    assert mx.logical_and(mx.array([1, 2], mx.uint8), -3).tolist() == [True, True]
    z = mx.array([1j, 0j, 2 + 0j])
    assert mx.logical_and(z, True).tolist() == [True, False, True]
    assert mx.logical_or(z, False).tolist() == [True, False, True]
    assert mx.logical_xor(z, True).tolist() == [False, True, False]
    assert mx.where(z, 1, 2).tolist() == [1, 2, 1]


def test_where():
    c = mx.array([1, 0, 2])
    r = mx.where(c, mx.array([1, 2, 3]), 5.5)
    assert r.dtype == mx.float32 and r.tolist() == [1, 5.5, 3]
    assert mx.where(True, 1, 2.0).dtype == mx.float32
    r = mx.where(mx.array([True, False]), mx.array([1], mx.int8), mx.array([2.0], mx.float16))
    assert r.dtype == mx.float16 and r.tolist() == [1, 2]
    r = mx.where(mx.array([[True], [False]]), mx.array([1, 2, 3]), 0)
    assert r.tolist() == [[1, 2, 3], [0, 0, 0]]
    assert mx.where(1, mx.array([1, 2], mx.uint8), 3.5).dtype == mx.float32
    for dt in (mx.bool_, mx.int16, mx.int64, mx.float64, mx.complex64, mx.bfloat16):
        x = mx.array([1, 0, 3, 4]).astype(dt)
        y = mx.array([5, 6, 0, 8]).astype(dt)
        m = mx.array([True, False, False, True])
        assert mx.where(m, x, y).dtype == dt
        np.testing.assert_array_equal(npa(mx.where(m, x, y)), np.where(npa(m), npa(x), npa(y)))
    with pytest.raises(ValueError):
        mx.where(mx.array([True, False]), mx.array([1, 2, 3]), 0)
    with pytest.raises(ValueError):
        mx.where(mx.array([True]), mx.array([1], mx.uint8), 300)
    with pytest.raises(ValueError):
        mx.where([True], 1, 2)
    assert mx.where(mx.zeros((0, 3)) > 0, 1.0, 2.0).shape == (0, 3)
    e = mx.where(mx.array(True), mx.array(1.0), mx.array(2.0))
    assert e.shape == () and e.item() == 1.0


def test_clip():
    a = mx.array([1, 2, 3])
    assert mx.clip(a, 0, 2).tolist() == [1, 2, 2]
    assert mx.clip(a, None, 1).tolist() == [1, 1, 1]
    assert mx.clip(a, 2, None).tolist() == [2, 2, 3]
    r = mx.clip(a, 0.5, 1.5)
    assert r.dtype == mx.float32 and r.tolist() == [1, 1.5, 1.5]
    assert mx.clip(a, mx.array([0, 5, 0]), 3).tolist() == [1, 3, 3]
    assert mx.clip(mx.array([5, 1]), 3, 2).tolist() == [2, 2]
    r = npa(mx.clip(mx.array([1.0, nan]), 0, 0.5))
    assert r[0] == 0.5 and np.isnan(r[1])
    assert mx.clip(a, a_min=0, a_max=1).tolist() == [1, 1, 1]
    with pytest.raises(ValueError):
        mx.clip(a, None, None)
    with pytest.raises(ValueError):
        mx.clip(mx.array([1, 2], mx.uint8), -1, 300)


CLIP_DTYPES = [mx.bool_, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32,
               mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.float64]


@pytest.mark.parametrize("dt", CLIP_DTYPES)
def test_clip_one_pass_matches_maximum_then_minimum(dt):
    # clip with both bounds is one Clip primitive; it must give minimum(maximum(a, lo), hi)
    # exactly, for every layout of a and of array bounds (rows, columns, 0-d, zero-size)
    rng = np.random.default_rng(1)
    x = mx.array(rng.standard_normal((37, 53)) * 40).astype(dt)
    lo = mx.array(rng.standard_normal((1, 53)) * 20 - 10).astype(dt)
    hi = mx.array(rng.standard_normal((37, 1)) * 20 + 10).astype(dt)
    cases = [(x, lo, hi), (x.T, lo.T, hi.T), (x[3:30:2, ::-3], lo[:, ::-3], hi[3:30:2]),
             (x, mx.array(-5).astype(dt), mx.array(7).astype(dt)), (x[0, 0], lo[0, 0], hi[0, 0]),
             (x[:0], lo, hi[:0]), (mx.broadcast_to(lo, (37, 53)), x, hi)]
    for a, l, h in cases:
        got = mx.clip(a, l, h)
        want = mx.minimum(mx.maximum(a, l), h)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(npa(got.astype(mx.float64)), npa(want.astype(mx.float64)))
    if dt in (mx.float16, mx.bfloat16, mx.float32, mx.float64):
        a = mx.array([nan, 1.0, 5.0, -5.0, nan]).astype(dt)
        l = mx.array([0.0, nan, 0.0, 0.0, nan]).astype(dt)
        h = mx.array([1.0, 2.0, nan, nan, 1.0]).astype(dt)
        r = npa(mx.clip(a, l, h).astype(mx.float32))
        assert np.isnan(r).all()  # a nan anywhere gives nan, as maximum and minimum do


def test_clip_mixed_dtypes_grads_vmap_compile():
    i = mx.array([1, 5, 9], mx.int8)
    r = mx.clip(i, mx.array(2.5), 7)
    assert r.dtype == mx.float32 and r.tolist() == [2.5, 5, 7]
    assert mx.clip(mx.array([1 + 2j, -1 - 1j]), 0, 1).dtype == mx.complex64
    xs = [-1.0, -0.5, 0.0, 0.5, 1.0]
    # subgradients as MLX's maximum then minimum give them (ties go to the bound)
    g = mx.grad(lambda x: mx.clip(x, -0.5, 0.5).sum())(mx.array(xs))
    assert g.tolist() == [0, 0, 1, 0, 0]
    assert mx.grad(lambda lo: mx.clip(mx.array(xs), lo, 0.5).sum())(mx.array(-0.5)).item() == 2
    assert mx.grad(lambda hi: mx.clip(mx.array(xs), -0.5, hi).sum())(mx.array(0.5)).item() == 2
    _, t = mx.jvp(lambda x, lo: mx.clip(x, lo, 0.5), [mx.array(xs), mx.array(-0.5)],
                  [mx.ones(5), mx.array(10.0)])
    assert t[0].tolist() == [10, 10, 1, 0, 0]
    b = mx.array([[2.0, -1.0], [0.5, 3.0]])
    assert mx.vmap(lambda a, h: mx.clip(a, 0, h), in_axes=(0, 0))(b, mx.array([1.0, 2.0])).tolist() \
        == [[1, 0], [0.5, 2]]
    f = mx.compile(lambda x, lo: mx.clip(x * 2, lo, 1) + 1)  # fused as maximum then minimum
    x = mx.array(np.linspace(-2, 2, 101, dtype=np.float32))
    np.testing.assert_array_equal(npa(f(x, mx.array(-1.0))),
                                  np.clip(np.linspace(-2, 2, 101, dtype=np.float32) * 2, -1, 1) + 1)


def test_streamed_where_and_clip():
    # flat ternary loops past the cache stream their output (MLXC_STREAM_MIN_BYTES=1: every size)
    import os
    import subprocess
    import sys
    code = """
import numpy as np, mlx.core as mx
rng = np.random.default_rng(0)
for n in (1, 63, 1000, 4099):
    for dt in (np.float32, np.float16, np.int8):
        x = (rng.standard_normal(n) * 100).astype(dt)
        y = (rng.standard_normal(n) * 100).astype(dt)
        c = rng.standard_normal(n) > 0
        a, b = mx.array(x), mx.array(y)
        np.testing.assert_array_equal(np.array(mx.clip(a, -50, 50)), np.clip(x, -50, 50))
        np.testing.assert_array_equal(np.array(mx.clip(a, b, 60)), np.minimum(np.maximum(x, y), 60))
        np.testing.assert_array_equal(np.array(mx.where(mx.array(c), a, b)), np.where(c, x, y))
        np.testing.assert_array_equal(np.array(mx.where(mx.array(c), a, 3)), np.where(c, x, 3))
print("ok")
"""
    env = dict(os.environ, MLXC_STREAM_MIN_BYTES="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_isclose_allclose_array_equal():
    a = mx.array([1.0, inf, nan, inf, 1e10, -inf])
    b = mx.array([1.0 + 1e-6, inf, nan, -inf, 1.0001e10, -inf])
    assert mx.isclose(a, b).tolist() == [True, True, False, False, False, True]
    assert mx.isclose(a, b, equal_nan=True).tolist() == [True, True, True, False, False, True]
    assert mx.isclose(mx.array([1.0]), mx.array([1.1]), 0.2).tolist() == [True]
    assert mx.isclose(mx.array([1.0]), mx.array([1.1]), rtol=-0.2, atol=-1).tolist() == [False]
    assert mx.isclose(mx.array([1, 2]), mx.array([1, 3])).tolist() == [True, False]
    assert mx.isclose(mx.array([3], mx.uint8), mx.array([1], mx.uint8), atol=2.5).tolist() == [True]
    assert mx.isclose(mx.array([1 + 1j]), mx.array([1 + 1j])).tolist() == [True]
    x = rng.standard_normal(50).astype(np.float32)
    y = x + rng.standard_normal(50).astype(np.float32) * 1e-5
    np.testing.assert_array_equal(npa(mx.isclose(mx.array(x), mx.array(y), rtol=1e-4, atol=1e-6)),
                                  np.isclose(x, y, rtol=1e-4, atol=1e-6))
    r = mx.allclose(mx.array([1.0, 2.0]), mx.array([1.0, 2.0 + 1e-7]))
    assert r.shape == () and r.dtype == mx.bool_ and r.item() is True
    assert mx.allclose(mx.array([1.0, nan]), mx.array([1.0, nan])).item() is False
    assert mx.allclose(mx.array([1.0, nan]), mx.array([1.0, nan]), equal_nan=True).item() is True
    assert mx.allclose(mx.zeros((0,)), mx.zeros((0,))).item() is True
    with pytest.raises(ValueError):
        mx.allclose(mx.array([1, 2]), mx.array([1, 2, 3]))
    with pytest.raises(TypeError):
        mx.isclose(1.0, 1.0)
    with pytest.raises(TypeError):
        mx.allclose(mx.array([1.0]), 1)
    assert mx.array_equal(mx.array([1, 2]), mx.array([1.0, 2.0])).item() is True
    assert mx.array_equal(mx.array([1, 2]), mx.array([1, 2, 3])).item() is False
    assert mx.array_equal(mx.array([1, 2]), mx.array([[1, 2], [1, 2]])).item() is False
    assert mx.array_equal(mx.array([1, nan]), mx.array([1, nan])).item() is False
    assert mx.array_equal(mx.array([1, nan]), mx.array([1, nan]), equal_nan=True).item() is True
    assert mx.array_equal(mx.array([]), mx.array([])).item() is True
    assert mx.array_equal(1, 1.0).item() is True
    big = mx.arange(3_000_000)
    assert mx.array_equal(big, big + 0).item() is True


def test_degrees_radians_reciprocal():
    x = np.array([0.0, 1.0, -2.5, 180.0], np.float32)
    np.testing.assert_allclose(npa(mx.degrees(mx.array(x))), np.degrees(x), rtol=1e-6)
    np.testing.assert_allclose(npa(mx.radians(mx.array(x))), np.radians(x), rtol=1e-6)
    assert mx.degrees(mx.array([1], mx.int32)).dtype == mx.float32
    r = mx.reciprocal(mx.array([0, 2]))
    assert r.dtype == mx.float32 and r.tolist() == [inf, 0.5]
    assert mx.reciprocal(mx.array([2.0], mx.float16)).dtype == mx.float16


@pytest.mark.parametrize("name", ["exp", "sqrt", "abs", "negative", "isnan", "logical_not"])
def test_zero_size_and_scalars(name):
    fn = getattr(mx, name)
    for shape in [(0,), (3, 0), (0, 2, 2)]:
        r = fn(mx.zeros(shape))
        assert r.shape == shape
    r = fn(mx.array(2.0))
    assert r.shape == ()
    for f in (mx.maximum, mx.power, mx.equal, mx.remainder):
        r = f(mx.zeros((0, 3)), mx.ones((1, 3)))
        assert r.shape == (0, 3)
        assert f(mx.array(2.0), mx.array(3.0)).shape == ()


def test_scalar_and_buffer_arguments():
    assert mx.abs(-3).tolist() == 3 and mx.abs(-3).dtype == mx.int32
    assert mx.exp(0).item() == 1.0
    assert mx.sqrt(np.array([4.0])).tolist() == [2.0]
    assert mx.isnan(1.5).item() is False
    assert mx.logical_not(3).item() is False
    assert mx.bitwise_invert(3).item() == -4
    assert mx.power(2, 3).item() == 8
    assert mx.arctan2(1, 2).dtype == mx.float32
    assert mx.maximum(mx.array([1.0], mx.float16), 2.5).dtype == mx.float16
    assert mx.maximum(2, mx.array([1, 5], mx.uint8)).dtype == mx.uint8
    assert mx.divmod(mx.array([7]), 2)[0].tolist() == [3]
    with pytest.raises(ValueError):
        mx.abs([1, -2])
    with pytest.raises(ValueError):
        mx.maximum(mx.array([1], mx.uint8), -1)
    with pytest.raises(TypeError):
        mx.maximum(a=mx.array([1]), b=2)


def test_dtype_promotion():
    cases = [(mx.int8, mx.uint8, mx.int16), (mx.uint64, mx.int32, mx.float32),
             (mx.float16, mx.bfloat16, mx.float32), (mx.int32, mx.complex64, mx.complex64),
             (mx.bool_, mx.int8, mx.int8), (mx.float16, mx.int64, mx.float16)]
    for ta, tb, tr in cases:
        a, b = mx.array([1, 2]).astype(ta), mx.array([2, 1]).astype(tb)
        assert mx.maximum(a, b).dtype == tr
        assert mx.power(a, b).dtype == tr
        assert mx.equal(a, b).dtype == mx.bool_
    assert mx.arctan2(mx.array([1], mx.int8), mx.array([1], mx.int8)).dtype == mx.float32
    assert mx.logaddexp(mx.array([1], mx.float16), mx.array([1], mx.float16)).dtype == mx.float16


def test_op_errors():
    with pytest.raises(ValueError, match="remainder"):
        mx.remainder(mx.array([1j]), mx.array([1j]))
    with pytest.raises(ValueError, match="divmod"):
        mx.divmod(mx.array([1j]), mx.array([1j]))
    with pytest.raises(ValueError, match="arctan2"):
        mx.arctan2(mx.array([1j]), mx.array([1j]))
    with pytest.raises(ValueError, match="broadcast"):
        mx.maximum(mx.array([1, 2]), mx.array([1, 2, 3]))
    with pytest.raises(ValueError, match="bitwise_invert"):
        mx.bitwise_invert(mx.array([1.0]))
    assert mx.exp(mx.array([0.0])).tolist() == [1.0]


# ------------------------------------------------------------------ operators and methods

def test_comparison_operators():
    a = mx.array([1, 2, 3])
    assert (a == 2).tolist() == [False, True, False]
    assert (2 == a).tolist() == [False, True, False]
    assert (a != 2).tolist() == [True, False, True]
    assert (a < 2.5).tolist() == [True, True, False]
    assert (1.5 > a).tolist() == [True, False, False]
    assert (a <= 2).tolist() == [True, True, False]
    assert (a >= mx.array([3, 2, 1])).tolist() == [False, True, True]
    assert (a == np.array([1, 0, 3])).tolist() == [True, False, True]
    assert (a == "x") is False and (a != "x") is True
    assert (a == [1, 2, 3]) is False and (a == (1, 2)) is False and (a == {}) is False
    with pytest.raises(TypeError):
        a == None  # noqa: E711
    with pytest.raises(TypeError):
        a < None  # noqa: B015
    with pytest.raises(ValueError):
        a < "x"  # noqa: B015
    with pytest.raises(ValueError):
        a == 2 ** 40  # noqa: B015
    assert hash(a) == hash(a) and {a: 1}[a] == 1


def test_arithmetic_operators():
    a = mx.array([7, -7, 5])
    f = mx.array([7.5, -7.5, 2.0])
    assert (a // 2).tolist() == [3, -4, 2]
    assert (7 // mx.array([2, -2])).tolist() == [3, -4]
    assert (a % 3).tolist() == [1, 2, 2]
    assert (-7 % mx.array([3])).tolist() == [2]
    assert (f // 2).tolist() == [3.0, -4.0, 1.0]
    assert (f % 2).tolist() == [1.5, 0.5, 0.0]
    assert (a ** 2).tolist() == [49, 49, 25]
    assert (2 ** mx.array([3])).tolist() == [8]
    assert (2.0 ** mx.array([3])).dtype == mx.float32
    assert pow(mx.array([3]), 2).tolist() == [9]
    with pytest.raises(TypeError):
        pow(mx.array([3]), 2, 5)
    assert abs(mx.array([-1.5, 2])).tolist() == [1.5, 2]
    assert abs(mx.array([3 + 4j])).tolist() == [5.0]
    assert (-mx.array([1, -2])).tolist() == [-1, 2]
    with pytest.raises(TypeError):
        divmod(a, 2)  # MLX defines no __divmod__


def test_bitwise_operators():
    a = mx.array([1, 2, 3])
    b = mx.array([True, False, True])
    assert (a & 1).tolist() == [1, 0, 1]
    assert (a | b).tolist() == [1, 2, 3]
    assert (b ^ b).tolist() == [False, False, False]
    assert (a ^ 3).tolist() == [2, 1, 0]
    assert (a << 2).tolist() == [4, 8, 12]
    assert (a >> 1).tolist() == [0, 1, 1]
    assert (b << 1).tolist() == [2, 0, 2] and (b << 1).dtype == mx.int32
    assert (~a).tolist() == [-2, -3, -4]
    assert (~b).tolist() == [False, True, False]
    assert (a & True).tolist() == [1, 0, 1]
    for expr in (lambda: 1 & a, lambda: 1 | a, lambda: 1 ^ a, lambda: 1 << a, lambda: 1 >> a):
        with pytest.raises(TypeError):
            expr()
    f = mx.array([1.5])
    for expr, what in [(lambda: f & 1, "bitwise and"), (lambda: f | 1, "bitwise or"),
                       (lambda: f ^ 1, "bitwise xor"), (lambda: f << 1, "left shift"),
                       (lambda: a >> 1.5, "right shift"), (lambda: ~f, "bitwise inversion"),
                       (lambda: mx.array([1j]) & 1, "bitwise and")]:
        with pytest.raises(ValueError, match=what):
            expr()


def test_inplace_operators():
    x = mx.array([1, 2])
    alias = x
    x **= 2
    x //= 3
    x %= 5
    assert x is alias and alias.tolist() == [0, 1]
    y = mx.array([6, 3])
    y &= 3
    y |= 4
    y ^= 1
    y <<= 2
    y >>= 1
    assert y.tolist() == [14, 12]
    z = mx.array([1, 2])
    z **= 0.5
    assert z.dtype == mx.float32
    w = mx.array([1.5])
    with pytest.raises(ValueError):
        w &= 1
    with pytest.raises(ValueError):
        u = mx.array([1, 2], mx.uint8)
        u += 300


def test_array_methods():
    a = mx.array([[1.0, -4.0], [9.0, 0.25]])
    x = npa(a).astype(np.float64)
    with np.errstate(all="ignore"):
        for name, ref in [("abs", np.abs), ("square", np.square), ("sqrt", np.sqrt),
                          ("rsqrt", lambda v: 1 / np.sqrt(v)), ("reciprocal", lambda v: 1 / v),
                          ("exp", np.exp), ("log", np.log), ("log2", np.log2),
                          ("log10", np.log10), ("log1p", np.log1p), ("sin", np.sin),
                          ("cos", np.cos)]:
            np.testing.assert_allclose(npa(getattr(a, name)()), ref(x), rtol=3e-6,
                                       equal_nan=True, err_msg=name)
            getattr(a, name)(stream=mx.cpu)
            with pytest.raises(TypeError):
                getattr(a, name)(mx.cpu)
    assert a.round(1).tolist() == npa(a).round(1).tolist()
    assert a.round(decimals=0, stream=mx.cpu).shape == (2, 2)
    with pytest.raises(TypeError):
        a.round(1, mx.cpu)
    z = mx.array([1 + 2j])
    assert z.conj().tolist() == [1 - 2j]
    assert z.real.tolist() == [1.0] and z.imag.tolist() == [2.0]


def test_stream_arguments():
    a = mx.array([1.0, 2.0])
    assert mx.exp(a, stream=mx.cpu).shape == (2,)
    assert mx.isnan(a, mx.cpu).shape == (2,)
    assert mx.maximum(a, 1.5, stream=mx.cpu).tolist() == [1.5, 2.0]
    assert mx.floor_divide(a, 2, mx.cpu).tolist() == [0.0, 1.0]
    assert mx.where(a > 1, a, 0, stream=mx.cpu).tolist() == [0.0, 2.0]
    with pytest.raises(TypeError):
        mx.exp(a, mx.cpu)  # stream is keyword-only here


def test_large_unary_threads_and_donation():
    x = rng.standard_normal(2_500_000).astype(np.float32)
    a = mx.array(x)
    r = mx.tanh(mx.exp(a * 0.5) - 1.0)  # intermediate buffers may be donated
    np.testing.assert_allclose(npa(r), np.tanh(np.exp(x.astype(np.float64) * 0.5) - 1.0),
                               rtol=5e-6, atol=1e-6)
    h = mx.array(x).astype(mx.float16)
    np.testing.assert_allclose(npa(mx.sigmoid(h)).astype(np.float64),
                               _sigmoid(npa(h).astype(np.float64)), rtol=2e-3, atol=1e-3)
    i = mx.array((x * 100).astype(np.int32))
    np.testing.assert_array_equal(npa(mx.abs(i) // 7), np.abs((x * 100).astype(np.int32)) // 7)


def test_thread_pool_concurrent_callers_and_fork():
    import os
    import threading

    x = rng.standard_normal(1_200_000).astype(np.float32)
    expected = np.exp(x.astype(np.float64))
    errors = []

    def work():
        try:
            for _ in range(3):
                r = npa(mx.exp(mx.array(x)))
                np.testing.assert_allclose(r, expected, rtol=3e-6)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    if not hasattr(os, "fork"):
        return
    pid = os.fork()
    if pid == 0:  # the child has no pool workers: large loops must still complete
        try:
            ok = np.allclose(npa(mx.sqrt(mx.abs(mx.array(x)))), np.sqrt(np.abs(x)), rtol=1e-6)
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


@pytest.mark.parametrize("dt", [np.float32, np.int32, np.int64])
def test_where_and_clip_with_transposed_operands(dt):
    # one large 4-byte operand read transposed is copied first by the transposing copy; two such
    # operands (or 8-byte ones) take the strided rows
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 301, 517)) * 10).astype(dt)
    c = rng.standard_normal((3, 517, 301)) > 0
    at = np.swapaxes(a, 1, 2)
    A = mx.swapaxes(mx.array(a), 1, 2)
    np.testing.assert_array_equal(npa(mx.where(mx.array(c), A, 5)), np.where(c, at, 5))
    np.testing.assert_array_equal(npa(mx.where(mx.array(c), 7, A)), np.where(c, 7, at))
    np.testing.assert_array_equal(npa(mx.where(mx.array(c), A, A * 2)), np.where(c, at, at * 2))
    np.testing.assert_array_equal(npa(mx.clip(A, -3, 4)), np.clip(at, -3, 4))


@pytest.mark.parametrize("dt", [np.bool_, np.int8, np.float16, np.float32, np.int64, np.complex64])
def test_where_with_strided_long_rows(dt):
    # rows too long for bands, read with a stride: the select is a mask, not a branch, for every
    # element size (1, 2, 4, 8 bytes)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 600)) * 9
    if dt == np.complex64:
        x = x + 1j * rng.standard_normal((40, 600))
    x = x.astype(dt) if dt != np.bool_ else x > 0
    c = rng.standard_normal((40, 300)) > 0
    X = mx.array(x)
    for xv, yv, ref_x, ref_y in [(X[:, ::2], X[:, 1::2], x[:, ::2], x[:, 1::2]),
                                 (X[:, ::2], X[:1, :300], x[:, ::2], x[:1, :300]),
                                 (X[::2, ::4], X[1::2, 1::4], x[::2, ::4], x[1::2, 1::4])]:
        cc = c[:xv.shape[0], :xv.shape[1]]
        C = mx.array(cc)
        np.testing.assert_array_equal(npa(mx.where(C, xv, yv)), np.where(cc, ref_x, ref_y))
        np.testing.assert_array_equal(npa(mx.where(mx.array(c[:, ::2])[:xv.shape[0], :xv.shape[1]]
                                                   if xv.shape[1] <= 150 else C[:, ::-1], xv, yv)),
                                      np.where(c[:, ::2][:xv.shape[0], :xv.shape[1]]
                                               if xv.shape[1] <= 150 else cc[:, ::-1], ref_x, ref_y))


def test_float32_remainder_exact_near_multiples():
    # the float32 kernel divides in float: quotients that round up to an integer (x just below a
    # multiple of y), ratios up to and past 2^22 (the fast lanes' limit), and y broadcast
    k = rng.integers(-10 ** 6, 10 ** 6, 20000).astype(np.float32)
    y = rng.standard_normal(20000).astype(np.float32)
    m = (k * y).astype(np.float32)
    big_y = rng.uniform(0.5, 2, 20000).astype(np.float32)
    big_x = (big_y * rng.uniform(2 ** 21, 2 ** 23, 20000)).astype(np.float32)
    xs = np.concatenate([m, np.nextafter(m, np.float32(np.inf)), np.nextafter(m, np.float32(0)),
                         big_x, -big_x])
    ys = np.concatenate([y, y, y, big_y, big_y])
    with np.errstate(all="ignore"):
        want = np.remainder(xs.astype(np.float64), ys.astype(np.float64)).astype(np.float32)
        np.testing.assert_array_equal(npa(mx.remainder(mx.array(xs), mx.array(ys))), want)
        c = np.float32(0.37)
        want_c = np.remainder(xs.astype(np.float64), np.float64(c)).astype(np.float32)
        np.testing.assert_array_equal(npa(mx.remainder(mx.array(xs), c)), want_c)


@pytest.mark.parametrize("npd", [np.float32, np.float16, np.int32, np.uint8, np.float64, np.complex64])
def test_binary_short_rows_against_one_row(npd):
    # (N, C) op (C,) with C up to 16: the row is repeated into a buffer and the op runs over flat
    # chunks (either side, arithmetic and comparisons, outer dims, C = 17 takes the rows)
    rng = np.random.default_rng(9)
    dt = {np.float64: mx.float64}.get(npd)
    for shape in [(5000, 1), (3001, 2), (2000, 3), (7, 300, 4), (999, 16), (500, 17)]:
        x = (rng.standard_normal(shape) * 10 + 20).astype(npd)
        r = (rng.standard_normal(shape[-1:]) * 10 + 20).astype(npd)
        mx_x, mx_r = mx.array(x, dtype=dt), mx.array(r, dtype=dt)
        for f in (lambda p, q: p + q, lambda p, q: p - q, lambda p, q: p * q):
            np.testing.assert_allclose(np.array(f(mx_x, mx_r)), f(x, r), rtol=1e-3 if npd == np.float16 else 1e-6)
            np.testing.assert_allclose(np.array(f(mx_r, mx_x)), f(r, x), rtol=1e-3 if npd == np.float16 else 1e-6)
        if npd != np.complex64:
            np.testing.assert_array_equal(np.array(mx_x < mx_r), x < r)
            np.testing.assert_array_equal(np.array(mx.maximum(mx_r, mx_x)), np.maximum(r, x))


@pytest.mark.parametrize("npd", [np.float32, np.float16, np.int8, np.int16, np.int32, np.float64,
                                 np.complex64, np.bool_])
def test_short_strided_rows_in_bands(npd):
    # strided operands with rows of at most 64 bytes run in bands, their rows gathered into a
    # buffer (ew_common.h): column slices (one outer dim and two that do not merge), unit,
    # 2-element and broadcast strides along the row, beside a contiguous operand and a single
    # value; unary, binary (binary.c and ew_binary.c), comparisons and where
    rng = np.random.default_rng(31)

    def arr(shape):
        if npd == np.bool_:
            return rng.random(shape) < 0.5
        if npd == np.complex64:
            return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(npd)
        return (rng.standard_normal(shape) * 40).astype(npd)

    def views(x, y, x3, y3, bc, w):
        r = x.shape[0]
        v = [(x[:, 1:w + 1], y[:, :w]), (x[:, 2:w + 2], y[:, 2:]),
             (x[:r // 2 * 2, :w], mx.contiguous(y[:r // 2 * 2, 1:w + 1]) if bc is mx.broadcast_to
              else np.ascontiguousarray(y[:r // 2 * 2, 1:w + 1])),
             (bc(x[:, :1], (r, w)), y[:, 1:w + 1]),
             (x[:, 1:w + 1], y[:1, :1]),
             (x3[:, :59, 2:], y3[:, 1:60, :w]),  # two outer dims that do not merge
             (x[:, 1:w + 1], y[:, :1]), (x[:, :1], y[:, :w]),  # (N, w) against (N, 1): one value a row
             (x[:, ::-1][:, :w], y[:, 1:w + 1])]  # rows of stride -1
        if 2 * w <= x.shape[1] + 1:
            v.append((x[:, ::2][:, :w], y[:, 1:w + 1]))
        return v

    for rows, w in [(5000, 1), (3001, 2), (2000, 3), (700, 5), (999, 8), (400, 16), (300, 17)]:
        base = [arr((rows, w + 3)), arr((rows, w + 2)), arr((7, 60, w + 2)), arr((7, 61, w + 1))]
        want = views(*base, np.broadcast_to, w)
        dt = mx.float64 if npd == np.float64 else None
        got = views(*[mx.array(b, dtype=dt) for b in base], mx.broadcast_to, w)
        for (a, b), (ma, mb) in zip(want, got):
            if npd == np.bool_:
                np.testing.assert_array_equal(np.array(mx.logical_and(ma, mb)), a & b)
                np.testing.assert_array_equal(np.array(mx.logical_not(ma)), ~a)
                np.testing.assert_array_equal(np.array(mx.where(ma, mb, ma)), np.where(a, b, a))
                continue
            tol = {np.float16: 2e-3, np.float32: 1e-6, np.complex64: 1e-6}.get(npd, 0)
            np.testing.assert_allclose(np.array(ma + mb), a + b, rtol=tol)
            np.testing.assert_allclose(np.array(ma * mb), a * b, rtol=tol)
            np.testing.assert_array_equal(np.array(-ma), -a)
            np.testing.assert_array_equal(np.array(ma == mb), a == b)
            np.testing.assert_array_equal(np.array(mx.where(ma == mb, ma, mb)), np.where(a == b, a, b))
            if npd != np.complex64:
                np.testing.assert_array_equal(np.array(mx.maximum(ma, mb)), np.maximum(a, b))
                np.testing.assert_array_equal(np.array(ma < mb), a < b)
                np.testing.assert_array_equal(np.array(mx.abs(ma)), np.abs(a))
                np.testing.assert_array_equal(np.array(mx.where(ma < mb, ma, mb)), np.where(a < b, a, b))
            if npd in (np.float32, np.float64):
                np.testing.assert_allclose(np.array(mx.exp(ma / 40)), np.exp(a / 40), rtol=1e-5)


def test_short_strided_rows_over_threads():
    # bands split over the worker threads: 2^20 rows of 3 from a (N, 4) float32 and bfloat16
    rng = np.random.default_rng(32)
    x = rng.standard_normal((1 << 20, 4)).astype(np.float32)
    mx_x = mx.array(x)
    np.testing.assert_array_equal(np.array(mx.diff(mx_x, axis=1)), np.diff(x, axis=1))
    np.testing.assert_array_equal(np.array(mx.where(mx_x[:, 1:] > 0, mx_x[:, :3], 0.0)),
                                  np.where(x[:, 1:] > 0, x[:, :3], 0))
    xb = mx_x.astype(mx.bfloat16)
    xr = np.array(xb.astype(mx.float32))
    np.testing.assert_array_equal(np.array((xb[:, 1:] * xb[:, :3]).astype(mx.float32)),
                                  np.array(mx.array(xr[:, 1:] * xr[:, :3]).astype(mx.bfloat16).astype(mx.float32)))
    np.testing.assert_array_equal(np.array(mx.abs(xb[:, 1:]).astype(mx.float32)), np.abs(xr[:, 1:]))


@pytest.mark.parametrize("npd", [np.float32, np.float64, np.int32, np.uint8])
def test_binary_into_donated_input_of_strided_rows(npd):
    # maximum(x[:, ::2], x[:, ::2] * 0.5): the product's buffer is donated to the output while
    # the other operand is read with stride 2; the rows (1000 and 7 elements) go through blocks
    rng = np.random.default_rng(33)
    for shape in [(300, 2000), (4000, 14)]:
        x = (rng.standard_normal(shape) * 50).astype(npd)
        if npd == np.float32:
            x[rng.random(shape) < 0.01] = np.nan
        mx_x = mx.array(x, dtype=mx.float64 if npd == np.float64 else None)
        s, v = mx_x[:, ::2], x[:, ::2]
        two = v * npd(2)
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(np.array(mx.maximum(s, s * 2)), np.maximum(v, two))
            np.testing.assert_array_equal(np.array(mx.minimum(s * 2, s)), np.minimum(two, v))
            np.testing.assert_array_equal(np.array(s * 2 - s), two - v)
            np.testing.assert_array_equal(np.array((s * 2) < s), two < v)


def test_exp_into_the_subnormals():
    # results below 2^-126 are built as integers (units of 2^-149), not by a floating-point
    # operation that gives a subnormal: the same values, within the grid's rounding, to 0 at -104
    x = np.concatenate([np.linspace(-110, -80, 30001), [-np.inf, -104.0, -103.97, -87.33654, -87.3365]])
    x = x.astype(np.float32)
    got = npa(mx.exp(mx.array(x))).astype(np.float64)
    want = np.exp(x.astype(np.float64))
    tiny = want < 2.0 ** -126
    assert np.all(np.abs(got[tiny] - want[tiny]) <= 2.0 ** -149)  # a unit of the grid
    np.testing.assert_allclose(got[~tiny], want[~tiny], rtol=2e-7)
    assert got[x <= -104].max() == 0 and np.all(got[x == np.float32(-103.97)] > 0)
    # softmax and logsumexp of rows whose values lie hundreds apart
    rows = np.random.default_rng(34).uniform(-600, 0, (5000, 3)).astype(np.float32)
    ref = np.exp(rows - rows.max(1, keepdims=True).astype(np.float64))
    np.testing.assert_allclose(npa(mx.softmax(mx.array(rows), axis=-1)), ref / ref.sum(1, keepdims=True),
                               rtol=1e-5, atol=2.0 ** -149)


def test_ops_over_broadcast_views():
    # an elementwise op (astype too) over a broadcast view (a dense block repeated along stride-0
    # dims) computes the block once and gives a broadcast result, as MLX's do; what follows reads
    # it correctly
    rng = np.random.default_rng(35)
    a = rng.standard_normal((6, 50)).astype(np.float32)
    ma = mx.array(a)
    for view, ref in [(mx.broadcast_to(ma[:1], (40, 50)), np.broadcast_to(a[:1], (40, 50))),
                      (mx.broadcast_to(ma[None], (3, 6, 50)), np.broadcast_to(a[None], (3, 6, 50))),
                      (mx.broadcast_to(ma.T[:, None], (50, 4, 6)), np.broadcast_to(a.T[:, None], (50, 4, 6))),
                      (mx.broadcast_to(ma[:, :1], (6, 50)), np.broadcast_to(a[:, :1], (6, 50))),  # not dense
                      (ma.T, a.T)]:  # dense, column-major: the results keep it
        outs = [(mx.exp(view), np.exp(ref)), (view * 2 + 1, ref * 2 + 1), (view * view, ref * ref),
                (mx.maximum(view, 0.25), np.maximum(ref, 0.25)), (mx.where(view > 0, view, -view), np.abs(ref)),
                (view.astype(mx.float16), ref.astype(np.float16)), (view - view, ref - ref)]
        for got, want in outs:
            np.testing.assert_allclose(npa(got), want, rtol=1e-3 if want.dtype == np.float16 else 1e-6)
            # what follows: a reduction, a full operand, a slice, a reshape, an update
            np.testing.assert_allclose(npa(mx.sum(got, axis=-1)), want.astype(np.float64).sum(-1), rtol=2e-3)
            np.testing.assert_allclose(npa(got + mx.array(want)), want * 2, rtol=1e-3)
            np.testing.assert_allclose(npa(got[1:, ::2]), want[1:, ::2], rtol=1e-3)
            np.testing.assert_allclose(npa(got.reshape(-1)), want.reshape(-1), rtol=1e-3)
            upd = want.copy()
            upd[0] = 7
            np.testing.assert_allclose(npa(got.at[0].add(7 - got[0])), upd, rtol=1e-3)
