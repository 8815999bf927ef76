"""mx.compile's fusion: generated graphs of elementwise ops, casts, broadcasts, last-axis
reductions and softmax, compiled == eager in every mode, with the C compiler and without it (the
interpreter), plus the kernel disk cache and transforms of fused functions."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import mlx.core as mx


@pytest.fixture(autouse=True)
def kernel_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(tmp_path_factory.getbasetemp() / "kernels"))
    yield
    mx._set_compile_mode("enabled")


UNARY = [mx.exp, mx.tanh, mx.sigmoid, mx.erf, mx.abs, mx.negative, mx.square, mx.floor,
         lambda a: mx.sqrt(mx.abs(a)), lambda a: mx.log1p(mx.abs(a)),
         lambda a: mx.rsqrt(1 + mx.abs(a)), lambda a: mx.arctan(a), lambda a: mx.expm1(a / 4),
         lambda a: a * 0.5 + 1.25, lambda a: mx.maximum(a, 0.0), mx.sin, mx.cos,
         lambda a: mx.tan(a / 2), lambda a: mx.stop_gradient(a) - 1]
BINARY = [mx.add, mx.subtract, mx.multiply, mx.maximum, mx.minimum, mx.logaddexp, mx.arctan2,
          lambda a, b: a / (1 + mx.abs(b)), lambda a, b: mx.where(a > b, a, b * 2),
          lambda a, b: mx.power(mx.abs(a), 2.0) - b,
          lambda a, b: (mx.round(a * 3).astype(mx.int32) * 2 - (b > 0).astype(mx.int32)).astype(a.dtype),
          lambda a, b: mx.where(mx.logical_and(a > 0, b < 0), a, -b)]
REDUCE = [lambda v: mx.sum(v, axis=-1, keepdims=True), lambda v: mx.mean(v, axis=-1, keepdims=True),
          lambda v: mx.max(v, axis=-1, keepdims=True), lambda v: mx.min(v, axis=-1, keepdims=True),
          lambda v: mx.softmax(v, axis=-1), lambda v: v - mx.mean(v, axis=-1, keepdims=True)]
DTYPES = [mx.float32, mx.float32, mx.float16, mx.bfloat16]
TOL = {mx.float32: 2e-5, mx.float16: 2e-2, mx.bfloat16: 8e-2}


def fused_graph(seed):
    """A function of 1-3 inputs (full, row-broadcast, column-broadcast or transposed views of a
    (rows, d) frame) made of random ops, returning its last value and one intermediate."""
    rng = np.random.default_rng(seed)
    rows, d = [(1, 1), (3, 5), (7, 33), (2, 4100), (3, 40000)][seed % 5]
    dtype = DTYPES[rng.integers(len(DTYPES))]
    steps = [(rng.choice(["u", "b", "r"], p=[0.4, 0.45, 0.15]), int(rng.integers(1 << 30)))
             for _ in range(rng.integers(3, 14))]

    def fun(*xs):
        vals = list(xs)
        for kind, r in steps:
            pick = np.random.default_rng(r)
            a = vals[pick.integers(len(vals))]
            if kind == "u":
                vals.append(UNARY[pick.integers(len(UNARY))](a))
            elif kind == "b":
                vals.append(BINARY[pick.integers(len(BINARY))](a, vals[pick.integers(len(vals))]))
            elif a.ndim:
                vals.append(REDUCE[pick.integers(len(REDUCE))](a))
        return vals[-1], vals[len(xs) + len(steps) // 2]

    def make(kind):
        if kind == "full":
            v = rng.standard_normal((rows, d))
        elif kind == "row":
            v = rng.standard_normal((d,))
        elif kind == "col":
            v = rng.standard_normal((rows, 1))
        else:
            return mx.array(rng.standard_normal((d, rows)).astype(np.float32)).astype(dtype).T
        return mx.array(v.astype(np.float32)).astype(dtype)

    kinds = ["full"] + list(rng.choice(["full", "row", "col", "transposed"], size=rng.integers(0, 3)))
    return fun, [make(k) for k in kinds], dtype


def check_against_eager(fun, inputs, dtype):
    eager = fun(*inputs)
    compiled = mx.compile(fun)
    for _ in range(2):  # the trace, then a replay
        got = compiled(*inputs)
        for g, e in zip(got, eager):
            assert g.shape == e.shape and g.dtype == e.dtype
            e64 = np.array(e.astype(mx.float32)).astype(np.float64)
            g64 = np.array(g.astype(mx.float32)).astype(np.float64)
            tol = TOL.get(dtype, 2e-5)
            np.testing.assert_allclose(g64, e64, rtol=tol, atol=tol * (1 + np.abs(e64).max()))


MODES = ["enabled", "no_compiler", "no_fuse", "no_simplify", "disabled"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("seed", range(60))
def test_fused_graphs_equal_eager(seed, mode, monkeypatch):
    if mode == "no_compiler":
        monkeypatch.setenv("MLXC_CC", "/nonexistent/cc")
    else:
        mx._set_compile_mode(mode)
    fun, inputs, dtype = fused_graph(seed)
    check_against_eager(fun, inputs, dtype)


def gelu(x):
    return x * (1 + mx.erf(x / math.sqrt(2))) / 2


def chain(x):
    h = gelu(x)
    mu = mx.mean(h, axis=-1, keepdims=True)
    var = mx.mean(mx.square(h - mu), axis=-1, keepdims=True)
    return mx.softmax((h - mu) * mx.rsqrt(var + 1e-5), axis=-1)


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
@pytest.mark.parametrize("dtype", [mx.float32, mx.float16, mx.bfloat16])
def test_gelu_layernorm_softmax_chain(compiler, dtype, monkeypatch):
    monkeypatch.setenv("MLXC_CC", compiler)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((9, 300)).astype(np.float32)
    got = mx.compile(chain)(mx.array(x).astype(dtype))
    # float64 reference
    h = x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))) / 2
    h = (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5)
    e = np.exp(h - h.max(-1, keepdims=True))
    ref = e / e.sum(-1, keepdims=True)
    assert got.dtype == dtype
    np.testing.assert_allclose(np.array(got.astype(mx.float32)), ref, rtol=TOL[dtype] * 5,
                               atol=TOL[dtype] * ref.max())


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
def test_trig_fuses_and_matches_eager_at_any_argument(compiler, tmp_path, monkeypatch):
    """sin, cos and tan fuse, and lanes past the vector functions' limits (up to 2^19 and 2^20),
    infinities and nans give what the eager kernels give (the same functions when the kernel is
    generated; the interpreter's scalar ones are within an ulp or two)."""
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    monkeypatch.setenv("MLXC_CC", compiler)
    v = [0.0, -0.0, 1.0, -2.5, 1e5, 6e5, -7e5, 1.5e6, 3e7, -1e30, np.inf, -np.inf, np.nan,
         1.5707964, 3.1415927, 1e-30]
    x = mx.array(np.array(v * 3, np.float32))
    f = lambda a: mx.sin(a) * 2 + mx.cos(a) - mx.tan(a) * 0.5
    want, got = np.array(f(x)), np.array(mx.compile(f)(x))
    v64 = np.float32(v).astype(np.float64)
    with np.errstate(invalid="ignore"):
        ref = 2 * np.sin(v64) + np.cos(v64) - 0.5 * np.tan(v64)
    np.testing.assert_allclose(want[:16], ref, rtol=1e-6, atol=1e-6)
    if compiler == "cc":
        assert np.array_equal(got, want, equal_nan=True)
        assert len([p for p in cache.iterdir() if p.suffix == ".so"]) == 1  # one fused kernel
    else:
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_straight_through_estimator_is_one_kernel_with_eager_gradients(tmp_path, monkeypatch):
    """stop_gradient fuses (the identity forward) and grad of the compiled function still sees
    it: x + stop_gradient(round(q) - x) passes the gradient straight through."""
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))

    def f(x, q):
        y = x + mx.stop_gradient(mx.round(q * 4) / 4 - x)
        return mx.sum(mx.exp(y) * x * 0.5)
    rng = np.random.default_rng(3)
    x, q = (mx.array(rng.standard_normal((64, 33)).astype(np.float32)) for _ in range(2))
    want = float(f(x, q))
    assert abs(float(mx.compile(f)(x, q)) - want) <= 1e-5 * abs(want)
    assert len([p for p in cache.iterdir() if p.suffix == ".so"]) == 1
    y = np.round(np.array(q, np.float64) * 4) / 4
    ref = 0.5 * np.exp(y) * (1 + np.array(x, np.float64))  # d/dx of exp(y) x / 2, y fixed
    for g in (mx.grad(f)(x, q), mx.grad(mx.compile(f))(x, q)):
        np.testing.assert_allclose(np.array(g), ref, rtol=1e-5, atol=1e-6)


def test_cheap_values_are_recomputed_in_later_passes(tmp_path, monkeypatch):
    """GELU -> layer norm -> softmax over rows: the centred and scaled values (a subtraction and
    a product) are recomputed in the passes that read them again instead of going through
    scratch rows; only the GELU (erf) and the exponentials are stored. The kernel compiles and
    matches float64; so does a leaky ReLU (a select) read again after its row maximum."""
    import re
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))

    def chain(x):
        h = x * (1 + mx.erf(x / math.sqrt(2))) / 2
        mu = mx.mean(h, axis=-1, keepdims=True)
        var = mx.mean(mx.square(h - mu), axis=-1, keepdims=True)
        return mx.softmax((h - mu) * mx.rsqrt(var + 1e-5), axis=-1)

    def leaky_softmax(x):
        y = mx.where(x > 0, x, 0.1 * x)
        e = mx.exp(y - mx.max(y, axis=-1, keepdims=True))
        return e / mx.sum(e, axis=-1, keepdims=True)

    rng = np.random.default_rng(5)
    xn = rng.standard_normal((7, 300)).astype(np.float32)
    x = mx.array(xn)
    x64 = xn.astype(np.float64)
    erf = np.vectorize(math.erf)
    h = x64 * (1 + erf(x64 / math.sqrt(2))) / 2
    z = (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5)
    want = np.exp(z - z.max(-1, keepdims=True))
    np.testing.assert_allclose(np.array(mx.compile(chain)(x)), want / want.sum(-1, keepdims=True),
                               rtol=2e-5, atol=1e-9)
    y = np.where(x64 > 0, x64, 0.1 * x64)
    e = np.exp(y - y.max(-1, keepdims=True))
    np.testing.assert_allclose(np.array(mx.compile(leaky_softmax)(x)),
                               e / e.sum(-1, keepdims=True), rtol=2e-5, atol=1e-9)
    sources = sorted(cache.glob("*.c"))
    assert len(sources) == 2 and len(list(cache.glob("*.so"))) == 2  # both generated, compiled
    stored = [set(re.findall(r"(sc\d+)\[j\] =", p.read_text())) for p in sources]
    assert sorted(len(s) for s in stored) == [1, 2]  # leaky: exp only; chain: GELU and exp


def test_one_compiled_kernel_and_disk_cache(tmp_path, monkeypatch):
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    x = mx.random.normal((4, 64))
    mx.eval(mx.compile(chain)(x))
    objects = sorted(p.name for p in cache.iterdir() if p.suffix == ".so")
    sources = [p for p in cache.iterdir() if p.suffix == ".c"]
    assert len(objects) == 1 and len(sources) == 1  # the whole chain is one kernel
    text = sources[0].read_text()
    assert "void mx_fused_row(" in text and "ew_erff(" in text and "reduction(max:" in text
    # unit-stride or strided loops are chosen once outside the row loop: with both copies in
    # one loop nest GCC left the max reduction scalar (softmax rows of 128: 1.8 -> 1.0 ms)
    assert "if (contig)\nfor (int64_t r = 0; r < nrows; r++) fx_row(1," in text
    # another process finds it on disk and compiles nothing new
    code = ("import math, mlx.core as mx\n"
            "def chain(x):\n"
            "    h = x * (1 + mx.erf(x / math.sqrt(2))) / 2\n"
            "    mu = mx.mean(h, axis=-1, keepdims=True)\n"
            "    var = mx.mean(mx.square(h - mu), axis=-1, keepdims=True)\n"
            "    return mx.softmax((h - mu) * mx.rsqrt(var + 1e-5), axis=-1)\n"
            "mx.eval(mx.compile(chain)(mx.random.normal((4, 64))))\n")
    env = dict(os.environ, MLXC_KERNEL_CACHE=str(cache), MLXC_CC="/nonexistent/cc")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert sorted(p.name for p in cache.iterdir() if p.suffix == ".so") == objects


VMATH = {"exp": (mx.exp, np.exp), "log": (mx.log, np.log), "log1p": (mx.log1p, np.log1p),
         "tanh": (mx.tanh, np.tanh), "sigmoid": (mx.sigmoid, lambda v: 1 / (1 + np.exp(-v))),
         "sinh": (mx.sinh, np.sinh), "arcsinh": (mx.arcsinh, np.arcsinh),
         "erf": (mx.erf, np.vectorize(math.erf))}


def test_kernel_math_vector_and_remainder_lanes(tmp_path, monkeypatch):
    # rows of 61: a generated loop runs 16-lane calls (fused_vmath.h on AVX-512 CPUs), an 8-lane
    # one and scalar remainders; every lane within 2.5 ulp of float64, as the eager kernels
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    rng = np.random.default_rng(5)
    xn = (rng.standard_normal((7, 61)) * 2).astype(np.float32)
    yn = rng.uniform(0.5, 3, (7, 61)).astype(np.float32)
    x, y = mx.array(xn), mx.array(yn)
    for name, (f, ref) in VMATH.items():
        arg = np.abs(xn) + 0.1 if name in ("log", "log1p") else xn
        got = np.array(mx.compile(lambda a: f(a) * 1.0)(mx.array(arg))).astype(np.float64)
        want = ref(arg.astype(np.float64))
        ulp = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
        assert (np.abs(got - want) / ulp).max() <= 2.5, name
    got = np.array(mx.compile(lambda a, b: mx.power(a, b) + mx.logaddexp(a, b))(y, x))
    want = yn.astype(np.float64) ** xn + np.logaddexp(yn.astype(np.float64), xn)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    if sys.platform == "linux" and "avx512f" in open("/proc/cpuinfo").read():
        text = "".join(p.read_text() for p in cache.iterdir() if p.suffix == ".c")
        assert "FX_VMATH_USE(erff)" in text and "FX_VMATH_USE(powf)" in text


@pytest.mark.parametrize("d", [1, 15, 17, 512, 513, 1000, 4097])
def test_bulk_math_blocks_equal_eager(d, tmp_path, monkeypatch):
    # transcendental ops run over blocks of the row (fx_b_<name>) between segments of a pass;
    # values cross segments through blocks, inputs are read again: every row length, chained
    # bulk ops, reductions and outputs of bulk values, a strided input
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))

    def f(x, y):
        a = x * 0.25 + y
        s = mx.tanh(mx.exp(a) * x)
        return mx.sum(s + a * 2, axis=-1, keepdims=True), s, mx.softmax(mx.erf(x) * 3, axis=-1)

    rng = np.random.default_rng(d)
    x = mx.array(rng.standard_normal((3, d)).astype(np.float32))
    y = mx.array(rng.standard_normal((d, 3)).astype(np.float32)).T
    for g, e in zip(mx.compile(f)(x, y), f(x, y)):
        np.testing.assert_allclose(np.array(g), np.array(e), rtol=2e-6, atol=1e-6)
    text = "".join(p.read_text() for p in cache.iterdir() if p.suffix == ".c")
    assert d == 1 or all(f"fx_b_{n}f(" in text for n in ("exp", "tanh", "erf"))


def test_compiler_missing_writes_nothing_and_still_fuses(tmp_path, monkeypatch):
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    monkeypatch.setenv("MLXC_CC", "/nonexistent/cc")
    x = mx.random.normal((5, 77))
    got = mx.compile(chain)(x)
    np.testing.assert_allclose(np.array(got), np.array(chain(x)), rtol=1e-5, atol=1e-7)
    assert not cache.exists() or not any(p.suffix == ".so" for p in cache.iterdir())


def test_failing_compiler_falls_back(tmp_path, monkeypatch):
    fake = tmp_path / "cc"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("MLXC_CC", str(fake))
    x = mx.random.normal((3, 10))
    f = lambda a: mx.tanh(a) * 3 + mx.exp(-a)
    np.testing.assert_allclose(np.array(mx.compile(f)(x)), np.array(f(x)), rtol=1e-5, atol=1e-6)


def test_corrupt_cached_kernel_is_rebuilt(tmp_path, monkeypatch):
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    # made by another process (overwriting an object this process has loaded would corrupt it
    # in memory too)
    code = "import mlx.core as mx\nmx.eval(mx.compile(lambda a: mx.sigmoid(a) * a - 0.25)(mx.zeros((6, 6))))\n"
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))
    (so,) = [p for p in cache.iterdir() if p.suffix == ".so"]
    so.write_bytes(b"not an object file")
    f = lambda a: mx.sigmoid(a) * a - 0.25
    x = mx.random.normal((6, 6))
    np.testing.assert_allclose(np.array(mx.compile(f)(x)), np.array(f(x)), rtol=1e-5, atol=1e-6)
    assert so.read_bytes()[:4] == b"\x7fELF"


def test_transforms_of_fused_functions():
    x = mx.random.normal((5, 33))
    w = mx.arange(33, dtype=mx.float32)
    loss = lambda a: mx.sum(chain(a) * w)
    g = mx.grad(loss)(x)
    np.testing.assert_allclose(np.array(mx.grad(mx.compile(loss))(x)), np.array(g), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.array(mx.compile(mx.grad(loss))(x)), np.array(g), rtol=1e-4, atol=1e-6)
    t = mx.random.normal(x.shape)
    _, j1 = mx.jvp(mx.compile(chain), [x], [t])
    _, j2 = mx.jvp(chain, [x], [t])
    np.testing.assert_allclose(np.array(j1[0]), np.array(j2[0]), rtol=1e-4, atol=1e-6)
    xb = mx.random.normal((3, 5, 33))
    np.testing.assert_allclose(np.array(mx.vmap(mx.compile(chain))(xb)),
                               np.array(mx.vmap(chain)(xb)), rtol=1e-5, atol=1e-7)


def test_reductions_edge_values():
    x = mx.array([[1.0, float("nan"), 2.0], [float("inf"), -1.0, 0.0]])
    f = lambda a: (mx.max(a * 2, axis=-1), mx.min(a + 1, axis=-1), mx.sum(a - 1, axis=-1))
    for g, e in zip(mx.compile(f)(x), f(x)):
        np.testing.assert_array_equal(np.array(g), np.array(e))
    z = mx.zeros((3, 0))
    h = lambda a: mx.sum(mx.exp(a) * 2, axis=-1)
    assert np.array_equal(np.array(mx.compile(h)(z)), np.zeros(3))


def test_bool_and_int_kernels():
    rng = np.random.default_rng(1)
    a = mx.array(rng.integers(-50, 50, (4, 9)).astype(np.int32))
    b = mx.array(rng.integers(-50, 50, (9,)).astype(np.int32))
    f = lambda a, b: ((a * b + 7) ^ (a << 2), mx.logical_or(a > b, a == 0), mx.where(a > 0, a, b) - 1)
    for g, e in zip(mx.compile(f)(a, b), f(a, b)):
        assert g.dtype == e.dtype
        np.testing.assert_array_equal(np.array(g), np.array(e))


def test_shapeless_reuses_one_trace():
    calls = []

    def f(x, y):
        calls.append(1)
        h = mx.exp(x) * y + 1
        return mx.softmax(h, axis=-1), mx.sum(h, axis=1), h.reshape(-1), mx.mean(h * 2, axis=-1, keepdims=True)

    cf = mx.compile(f, shapeless=True)
    rng = np.random.default_rng(3)
    for shape in [(3, 4), (5, 4), (2, 7), (1, 1), (6, 1)]:
        x = mx.array(rng.standard_normal(shape).astype(np.float32))
        y = mx.array(rng.standard_normal(shape[-1:]).astype(np.float32))
        got, want = cf(x, y), f(x, y)
        for g, e in zip(got, want):
            assert g.shape == e.shape
            np.testing.assert_allclose(np.array(g), np.array(e), rtol=1e-5, atol=1e-6)
    assert len(calls) == 1 + 5  # one trace, then the five eager calls above
    # a new rank is a new trace
    cf(mx.ones((2, 3, 4)), mx.ones((4,)))
    assert len(calls) == 7


@pytest.mark.parametrize("mode", ["enabled", "no_fuse", "no_simplify"])
def test_shapeless_scalar_operands_after_an_evaluated_call(mode):
    # a scalar operand is broadcast to the traced shape; once a call's result is evaluated, a
    # replay on another shape must still re-broadcast it (it raised "Shapes (5) and (4) cannot
    # be broadcast": the evaluated broadcast had lost its source)
    fns = [lambda x: x + 0, lambda x: mx.maximum(x, 0), lambda x: x * 2.5,
           lambda x: mx.minimum(mx.maximum(x, 0), 6.0), lambda x: mx.where(x > 0, x, 0.1 * x)]
    mx._set_compile_mode(mode)
    for fn in fns:
        cf = mx.compile(fn, shapeless=True)
        for shape in [(4,), (5,), (2, 3), (7, 3), (4,)]:
            x = mx.array(np.linspace(-3, 3, int(np.prod(shape)), dtype=np.float32).reshape(shape))
            np.testing.assert_array_equal(np.array(cf(x)), np.array(fn(x)))


def test_shapeless_gradient_with_lower_rank_operand():
    # the gradient replays the unfused graph on the new shapes, re-broadcasting a (4,) against
    # a (2, 4): that raised "Shapes (2) and (2,4) cannot be broadcast" (the joint shape was
    # written over the first shape while it was still being read)
    f = mx.compile(lambda x, a: mx.maximum(0, x) + a * mx.minimum(0, x), shapeless=True)
    mx.eval(f(mx.ones((3, 6)), mx.full((6,), 0.1)))
    xs = np.array([[-1.0, 2.0, -3.0, 4.0], [-5.0, -6.0, 7.0, 8.0]], dtype=np.float32)
    g = mx.grad(lambda a: f(mx.array(xs), a).sum())(mx.full((4,), 0.25))
    np.testing.assert_array_equal(np.array(g), np.minimum(xs, 0).sum(axis=0))
    np.testing.assert_array_equal(np.array(f(mx.array(xs), mx.full((4,), 0.25))),
                                  np.maximum(xs, 0) + 0.25 * np.minimum(xs, 0))


def test_shapeless_trace_on_size_one_axes():
    # an axis of size 1 in the trace may be any size later: an input traced as (1,) was read as
    # one value per row, so a (5,) input gave its first element five times; an output that reads
    # only operands smaller than the frame (x - max(x + b) with x (1,), b (5,)) keeps its own
    # shape (the node's unfused graph runs)
    fns = [lambda x, b: x * mx.sigmoid(x) + b, lambda x, b: mx.softmax(x * b, axis=-1),
           lambda x, b: x - mx.max(x + b, axis=-1, keepdims=True)]
    rng = np.random.default_rng(11)
    for fn in fns:
        cf = mx.compile(fn, shapeless=True)
        for xs, bs in [((1,), (1,)), ((5,), (5,)), ((5,), (1,)), ((1,), (5,))]:
            x = mx.array(rng.standard_normal(xs).astype(np.float32))
            b = mx.array(rng.standard_normal(bs).astype(np.float32))
            np.testing.assert_allclose(np.array(cf(x, b)), np.array(fn(x, b)), rtol=1e-6, atol=1e-6)
        cf = mx.compile(fn, shapeless=True)
        for xs, bs in [((3, 1), (1,)), ((3, 4), (4,)), ((2, 1), (1, 1)), ((2, 6), (2, 1)),
                       ((2, 1), (2, 6))]:
            x = mx.array(rng.standard_normal(xs).astype(np.float32))
            b = mx.array(rng.standard_normal(bs).astype(np.float32))
            np.testing.assert_allclose(np.array(cf(x, b)), np.array(fn(x, b)), rtol=1e-6, atol=1e-6)


def test_shapeless_mean_of_broadcast_product():
    # mean(y * x) with y (C,) and x (R, C): the count of the mean's axis was read from y (the
    # broadcast's input a shapeless replay passes through), past its one axis: garbage results
    fns = [lambda x, y: mx.mean(y * x, axis=-1, keepdims=True),
           lambda x, y: mx.var(mx.maximum(y, x), axis=-1, keepdims=True),
           lambda x, y: mx.mean(y + x, axis=-1, keepdims=True) * y]
    rng = np.random.default_rng(2)
    for fn in fns:
        cf = mx.compile(fn, shapeless=True)
        for r, c in [(1, 2), (1, 4), (3, 4), (2, 7)]:
            x = mx.array(rng.standard_normal((r, c)).astype(np.float32))
            y = mx.array(rng.standard_normal((c,)).astype(np.float32))
            np.testing.assert_allclose(np.array(cf(x, y)), np.array(fn(x, y)), rtol=1e-5, atol=1e-6)


def test_shapeless_fixed_shapes_raise():
    g = mx.compile(lambda x: x[:2] * 2, shapeless=True)
    assert g(mx.ones((3, 3))).shape == (2, 3)
    with pytest.raises(ValueError, match=r"\[compile\] Slice cannot infer its output shape"):
        g(mx.ones((4, 3)))
    assert g(mx.ones((3, 3))).shape == (2, 3)  # the trace's shapes still work


def test_shape_change_retraces_without_shapeless():
    calls = []
    f = mx.compile(lambda x: calls.append(1) or mx.tanh(x) * 2)
    f(mx.ones((2, 3)))
    f(mx.ones((2, 3)))
    f(mx.ones((3, 3)))
    assert len(calls) == 2


def test_equal_kernels_compile_once(tmp_path, monkeypatch):
    # many independent fused nodes with equal programs evaluated together: one compiler run
    # per distinct kernel (equal sources are compiled once, the others load its object), every
    # result right
    log = tmp_path / "cc.log"
    wrapper = tmp_path / "cc"
    wrapper.write_text(f"#!/bin/sh\necho run >> {log}\nexec cc \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("MLXC_CC", str(wrapper))
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(tmp_path / "k"))
    f = mx.compile(lambda *xs: [mx.tanh(x) * 3 - mx.exp(-x) for x in xs])
    xs = [mx.random.normal((16, 16)) for _ in range(32)]
    got = f(*xs)
    mx.eval(*got)
    for g, x in zip(got, xs):
        np.testing.assert_allclose(np.array(g), np.array(mx.tanh(x) * 3 - mx.exp(-x)), rtol=1e-5,
                                   atol=1e-6)
    objects = [p for p in (tmp_path / "k").iterdir() if p.suffix == ".so"]
    assert 1 <= len(objects) <= 2 and log.read_text().count("run") == len(objects)


def test_streamed_outputs():
    # outputs of cheap (memory-bound) fused kernels past the cache size are streamed out through
    # small buffers; a threshold of 1 byte makes every size take that path
    code = """
import numpy as np, mlx.core as mx
f = lambda x, y: (x * 2 + y, (x - y).astype(mx.float16), (x * 3).astype(mx.int32) - 1)
h = lambda x, y: (x * 2 + y, mx.maximum(x, y) > 0.5)  # (bool outputs are not streamed)
for n in (1, 5, 127, 4096 + 3, 300007):
    x, y = mx.random.normal((n,)), mx.random.normal((n,))
    for g, e in list(zip(mx.compile(f)(x, y), f(x, y))) + list(zip(mx.compile(h)(x, y), h(x, y))):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_array_equal(np.array(g), np.array(e))
print("ok")
"""
    env = dict(os.environ, MLXC_STREAM_MIN_BYTES="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
def test_row_extremes_of_monotone_functions(compiler, monkeypatch):
    # max / min over a row of g(x), g monotone (here - mu, * rsqrt(var + eps), mu -, / exp(mu),
    # negation) of a value from an earlier pass, come from x's own extreme (compile_hoist.c),
    # the pass over g(x) skipped where its guard holds; rows with inf or nan fail the guard and
    # take that pass
    monkeypatch.setenv("MLXC_CC", compiler)
    rng = np.random.default_rng(7)
    xs = rng.standard_normal((8, 300)).astype(np.float32) * 4
    xs[1, 5], xs[2, 7], xs[3], xs[4, 9] = np.inf, np.nan, 2.0, -np.inf
    x = mx.array(xs)

    def parts(x):
        mu = mx.mean(x, axis=-1, keepdims=True)
        r = mx.rsqrt(mx.mean(mx.square(x - mu), axis=-1, keepdims=True) + 1e-5)
        return [(x - mu) * r, mu - x, -(x / mx.exp(mu))]

    def extremes(x):
        z, w, v = parts(x)
        return [mx.max(z, -1), mx.min(z, -1), mx.max(w, -1), mx.min(v, -1)]

    # with g(x) among the outputs: the hoisted extremes are exactly those of g(x)'s values
    both = mx.compile(lambda x: extremes(x) + parts(x))(x)
    z, w, v = (np.array(a) for a in both[4:])
    for got, want in zip(both[:4], [z.max(-1), z.min(-1), w.max(-1), v.min(-1)]):
        np.testing.assert_array_equal(np.array(got), want)
    assert np.isnan(np.array(both[0])[[1, 2, 4]]).all() and np.array(both[0])[3] == 0
    # alone (the pass skipped where it can be): eager's values
    for got, want in zip(mx.compile(extremes)(x), extremes(x)):
        np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-5, atol=1e-5)
    sm = lambda x: mx.softmax(parts(x)[0], axis=-1)
    np.testing.assert_allclose(np.array(mx.compile(sm)(x)), np.array(sm(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(24))
def test_random_monotone_extremes(seed):
    # random chains of + row, - row, row -, * and / a nonnegative row value and negations over a
    # value from an earlier pass, reduced by max or min: compiled == eager, with infinities,
    # nans and zero multipliers in some rows
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((6, 50)).astype(np.float32)
    for r in rng.choice(6, 2, replace=False):
        xs[r, rng.integers(50)] = rng.choice([np.inf, -np.inf, np.nan, 0.0])
    ops = [int(k) for k in rng.integers(0, 6, rng.integers(1, 5))]
    reduce = mx.max if rng.integers(2) else mx.min

    def f(x):
        u = mx.exp(x * 0.5) if seed % 2 else x
        mu = mx.mean(u, axis=-1, keepdims=True)
        s = mx.sqrt(mx.mean(mx.square(u - mu), axis=-1, keepdims=True))
        v = u
        for k in ops:
            v = [v + mu, v - mu, mu - v, v * s, v / (s + 1), -v][k]
        return reduce(v, axis=-1)

    x = mx.array(xs)
    np.testing.assert_allclose(np.array(mx.compile(f)(x)), np.array(f(x)), rtol=1e-5, atol=1e-5)


def test_far_rows_match_cached_rows():
    # kernels that reduce along rows take, past the cache size, the row function's prefetching
    # variant and stream full output rows out through buffers; a threshold of 1 byte makes every
    # size take that path: the results must be the bytes of the in-cache path, and match eager
    code = """
import hashlib, numpy as np, mlx.core as mx
def chain(x, m):
    h = x * (1 + mx.erf(x / 1.4142135)) / 2
    mu = mx.mean(h, axis=-1, keepdims=True)
    z = (h - mu) * mx.rsqrt(mx.mean(mx.square(h - mu), axis=-1, keepdims=True) + 1e-5)
    return mx.softmax(z + m, axis=-1), mu, (z > 0.5), z.astype(mx.float16)
digest = hashlib.sha256()
mx.random.seed(3)
for rows, d in ((3, 1), (7, 5), (9, 1000), (4, 4099), (2, 9000), (33, 129)):
    x, m = mx.random.normal((rows, d)), mx.random.normal((d,))
    for xin in (x, mx.random.normal((d, rows)).T):
        got, want = mx.compile(chain)(xin, m), chain(xin, m)
        for g, e in zip(got, want):
            assert g.dtype == e.dtype and g.shape == e.shape
            np.testing.assert_allclose(np.array(g, dtype=np.float32), np.array(e, dtype=np.float32),
                                       rtol=2e-3, atol=2e-3)
            digest.update(np.array(g).tobytes())
print(digest.hexdigest())
"""
    runs = []
    for threshold in ("1", None):
        env = dict(os.environ)
        env.pop("MLXC_STREAM_MIN_BYTES", None)
        if threshold:
            env["MLXC_STREAM_MIN_BYTES"] = threshold
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-2000:]
        runs.append(out.stdout.strip())
    assert len(runs[0]) == 64 and runs[0] == runs[1]


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
def test_long_single_row_reductions_split_over_threads(compiler, monkeypatch):
    # one row of 10^6: computed in pieces whose partial reductions are combined
    monkeypatch.setenv("MLXC_CC", compiler)
    rng = np.random.default_rng(5)
    xs = rng.standard_normal(1_000_003).astype(np.float32)
    ys = rng.standard_normal(1_000_003).astype(np.float32)
    f = lambda x, y: (mx.sum(x * y), mx.max(x - y), mx.min(x + y), x * y + 1)
    x, y = mx.array(xs), mx.array(ys)
    got = mx.compile(f)(x, y)
    x64, y64 = xs.astype(np.float64), ys.astype(np.float64)
    np.testing.assert_allclose(float(got[0]), (x64 * y64).sum(), rtol=1e-5)
    assert float(got[1]) == float((xs - ys).max()) and float(got[2]) == float((xs + ys).min())
    np.testing.assert_allclose(np.array(got[3]), xs * ys + 1, rtol=1e-6, atol=1e-6)
    xs[123456] = np.nan
    got = mx.compile(f)(mx.array(xs), y)
    assert all(np.isnan(float(g)) for g in got[:3])
    h = mx.compile(lambda x: mx.sum(x.astype(mx.float16) * 2, axis=-1))
    r = h(mx.array(ys[None]))
    assert r.dtype == mx.float16 and r.shape == (1,)
    np.testing.assert_allclose(float(r[0]), 2 * ys.astype(np.float16).astype(np.float64).sum(),
                               rtol=2e-2, atol=5)


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
@pytest.mark.parametrize("shape", [(4, 3, 2, 5, 2, 7), (2, 14, 2, 14, 2, 32), (3, 9, 2, 1, 2, 5),
                                   (2, 1, 3, 11, 4, 3)])
def test_many_axis_frames_with_short_rows(compiler, shape, monkeypatch):
    # a max-pooling gradient: frames whose outer axes merge in part and whose innermost outer
    # axis is short (the row function then runs along another one), with a transposed input
    monkeypatch.setenv("MLXC_CC", compiler)
    rng = np.random.default_rng(sum(shape))
    xs = rng.standard_normal(shape).astype(np.float32)
    gs = rng.standard_normal(shape[:2] + (1, shape[3], 1, shape[5])).astype(np.float32)
    ts = rng.standard_normal(shape[::-1]).astype(np.float32)

    def f(x, g, t):
        m = mx.max(x, axis=(2, 4), keepdims=True)
        mask = x == m
        return mask, mask.astype(mx.float32) * g + mx.transpose(t) * 0.5

    x, g, t = mx.array(xs), mx.array(gs), mx.array(ts)
    got = mx.compile(f)(x, g, t)
    mask = xs == xs.max(axis=(2, 4), keepdims=True)
    np.testing.assert_array_equal(np.array(got[0]), mask)
    want = mask.astype(np.float64) * gs + ts.T.astype(np.float64) * 0.5
    np.testing.assert_allclose(np.array(got[1]), want, rtol=1e-6, atol=1e-6)


def test_optimizer_update_is_one_kernel(tmp_path, monkeypatch):
    # an Adam-style update: its terms start from different inputs (m, v, g, p), so their groups
    # form apart and merge where a step reads both; also a pair that must stay apart (b reads a
    # through an unfusable step, then a step reads both)
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))

    def adam(p, g, m, v):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * mx.square(g)
        return p * (1 - 1e-3 * 0.01) - 1e-3 * m / (mx.sqrt(v) + 1e-8), m, v

    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((64, 33)).astype(np.float32) for _ in range(4)]
    arrays[3] = np.abs(arrays[3])
    got = mx.compile(adam)(*map(mx.array, arrays))
    p, g, m, v = (a.astype(np.float64) for a in arrays)
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    want = (p * (1 - 1e-5) - 1e-3 * m / (np.sqrt(v) + 1e-8), m, v)
    for a, b in zip(got, want):
        np.testing.assert_allclose(np.array(a), b, rtol=1e-5, atol=1e-6)
    assert len([q for q in cache.iterdir() if q.suffix == ".so"]) == 1

    def apart(x, y):
        a = mx.exp(x) * 2
        b = (mx.sort(a, axis=-1) + y) * 3  # reads a's group through a sort
        return a + b

    xs, ys = arrays[0], arrays[1]
    got = mx.compile(apart)(mx.array(xs), mx.array(ys))
    a = np.exp(xs.astype(np.float64)) * 2
    np.testing.assert_allclose(np.array(got), a + (np.sort(a, axis=-1) + ys) * 3, rtol=1e-5)


def test_updates_sharing_a_broadcast_stay_apart(tmp_path, monkeypatch):
    # twenty same-shaped updates read one broadcast learning rate (common subexpressions make it
    # one step): they must not chain into one group of more outputs than a kernel takes (which
    # left every update unfused)
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))

    def sgd(lr, ps, gs, ms):
        out = []
        for p, g, m in zip(ps, gs, ms):
            m = 0.9 * m + g
            out += [p - lr * m, m]
        return out

    rng = np.random.default_rng(4)
    ps, gs, ms = ([rng.standard_normal((8, 8)).astype(np.float32) for _ in range(20)]
                  for _ in range(3))
    lr = mx.array(0.1)
    got = mx.compile(sgd)(lr, [mx.array(a) for a in ps], [mx.array(a) for a in gs],
                          [mx.array(a) for a in ms])
    for i in range(20):
        m = 0.9 * ms[i].astype(np.float64) + gs[i]
        np.testing.assert_allclose(np.array(got[2 * i + 1]), m, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(np.array(got[2 * i]), ps[i] - 0.1 * m, rtol=1e-5, atol=1e-6)
    assert len([q for q in cache.iterdir() if q.suffix == ".so"]) >= 1


def test_bool_values_are_int32_in_kernels(tmp_path, monkeypatch):
    # a float comparison stored as a bool byte kept GCC from vectorizing the whole loop; the
    # kernels hold bool values as int32 0 / 1 and store bytes
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    x = mx.array(np.arange(40, dtype=np.float32).reshape(4, 10) % 3)
    y = mx.array(np.ones((4, 10), dtype=np.float32))
    mask, f = mx.compile(lambda a, b: ((a == b), (a == b).astype(mx.float32) * 2))(x, y)
    want = np.arange(40).reshape(4, 10) % 3 == 1
    np.testing.assert_array_equal(np.array(mask), want)
    np.testing.assert_array_equal(np.array(f), want * 2.0)
    (src,) = [p for p in cache.iterdir() if p.suffix == ".c"]
    body = src.read_text().split("void fx_row(")[1]  # one row; mx_fused_row loops over rows
    assert "uint8_t v" not in body and "uint8_t *restrict o0" in body


# ---- remainder, floor_divide and nan_to_num: fused with their neighbours, bit-exact to eager ----

F_EDGE = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.0, -3.0, 7.0, -7.0, 0.1, -0.3, 1e-30, -1e-40, 1e30,
          -3e38, 3.4028235e38, 65504.0, 1e20, -1e20, 16777217.0, np.inf, -np.inf, np.nan]
I_EDGE = [0, 1, -1, 2, -2, 3, -3, 7, -7, 100, -100, 1000003, -999999, 2**31 - 1, -2**31,
          -2**31 + 1]
ALL_DTYPES = [mx.float32, mx.float16, mx.bfloat16, mx.int32]


def assert_same_bits(got, want):
    """Equal dtypes and shapes; floats: the same nans and, elsewhere, the same bits (so -0 is not
    0); ints: equal values."""
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype == mx.int32:
        np.testing.assert_array_equal(np.array(got), np.array(want))
        return
    bits = mx.uint32 if want.dtype == mx.float32 else mx.uint16
    g, w = np.array(got.astype(mx.float32)), np.array(want.astype(mx.float32))
    nan = np.isnan(w)
    np.testing.assert_array_equal(np.isnan(g), nan)
    gb, wb = np.array(got.view(bits)), np.array(want.view(bits))
    bad = np.nonzero((gb != wb) & ~nan)
    assert bad[0].size == 0, (bad, g[bad][:8], w[bad][:8])


def edge_operands(dtype, seed=0):
    """(x, y) grids of the edge values (every pair, as an (n, 1) and an (n,) array) and 1-D
    random pairs: quotients near integers, huge ratios (the slow remainder path), mixed signs."""
    rng = np.random.default_rng(seed)
    if dtype == mx.int32:
        v = np.array(I_EDGE, np.int32)
        rx = rng.integers(-2**31, 2**31, 600, dtype=np.int64).astype(np.int32)
        ry = rng.integers(-50, 50, 600).astype(np.int32)
        ry[::7] = rng.integers(-2**31, 2**31, ry[::7].size, dtype=np.int64).astype(np.int32)
    else:
        v = np.array(F_EDGE, np.float32)
        ry = (rng.uniform(0.05, 8, 600) * rng.choice([-1, 1], 600)).astype(np.float32)
        k = rng.integers(-40, 40, 600)
        rx = (ry * k * (1 + rng.uniform(-3e-3, 3e-3, 600))).astype(np.float32)
        rx[::5] = (rng.standard_normal(rx[::5].size) * 10.0 ** rng.integers(-3, 12, rx[::5].size))
        rx[1::9] = rng.choice([0.0, -0.0], rx[1::9].size)
    grid = (mx.array(v[:, None]).astype(dtype), mx.array(v).astype(dtype))
    pairs = (mx.array(rx).astype(dtype), mx.array(ry).astype(dtype))
    return grid, pairs


DIVISION_OPS = {"remainder": mx.remainder, "floor_divide": mx.floor_divide}


def with_neighbours(op):
    """op between elementwise neighbours: -(-a) is exact (INT_MIN too), then r * 2 - 1."""
    def f(a, b):
        r = op(-(-a), b)
        return r, r * 2 - 1
    return f


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", sorted(DIVISION_OPS))
def test_remainder_floor_divide_fused_equal_eager_bits(name, dtype, compiler, monkeypatch):
    # every pair of edge values (negative operands, zero divisors, INT_MIN % -1 and // -1, nan,
    # inf, huge ratios) and random pairs, tensor and constant divisors, generated code and the
    # interpreter: the bits of the eager kernels
    monkeypatch.setenv("MLXC_CC", compiler)
    op = DIVISION_OPS[name]
    grid, pairs = edge_operands(dtype)
    divisors = [0, 3, -7] if dtype == mx.int32 else [0.0, -0.0, 2.5, -0.75, np.inf, np.nan]
    funs = [(with_neighbours(op), args) for args in (grid, pairs)]
    for c in divisors:
        funs.append((with_neighbours(lambda a, b, c=c: op(a, c)), grid))  # (b unused)
    for fun, args in funs:
        want = fun(*args)
        compiled = mx.compile(fun)
        for _ in range(2):  # the trace, then a replay
            for g, e in zip(compiled(*args), want):
                assert_same_bits(g, e)


NAN_TO_NUM_ARGS = [{}, {"nan": 1.5, "posinf": 1e10, "neginf": -7.25},
                   {"nan": -0.0, "posinf": 70000.0}, {"nan": 1e-8, "neginf": -1e-30},
                   {"posinf": -2.0, "neginf": 3.0e38}]


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
@pytest.mark.parametrize("dtype", [mx.float32, mx.float16, mx.bfloat16])
def test_nan_to_num_fused_equal_eager_bits(dtype, compiler, monkeypatch):
    # the replacement values are rounded to the dtype as eager rounds them (70000 is inf in
    # float16, 1e-8 is 0 there); nan, +-inf and every other value as the eager kernel
    monkeypatch.setenv("MLXC_CC", compiler)
    (gx, gy), (rx, ry) = edge_operands(dtype, seed=1)
    x = mx.concatenate([gx.reshape(-1), gy, rx / ry])
    for kw in NAN_TO_NUM_ARGS:
        def f(a, kw=kw):
            r = mx.nan_to_num(-(-a), **kw)
            return r, r * 2 - 1
        want = f(x)
        compiled = mx.compile(f)
        for _ in range(2):
            for g, e in zip(compiled(x), want):
                assert_same_bits(g, e)
        # a row of a 2-D frame, read broadcast
        h = lambda a, b, kw=kw: mx.nan_to_num(a * b, **kw) + 1
        a2, b2 = x[:24].reshape(24, 1), x[-50:]
        assert_same_bits(mx.compile(h)(a2, b2), h(a2, b2))


FUSION_CASES = {
    "remainder": (with_neighbours(mx.remainder), 2),
    "floor_divide": (with_neighbours(mx.floor_divide), 2),
    "nan_to_num": (lambda a: (lambda r: (r, r * 2 - 1))(mx.nan_to_num(-(-a), nan=2.0)), 1),
    "all_three": (lambda a, b: mx.nan_to_num((-(-a) % b) * 2 + (a // b) - 1, posinf=5.0), 2),
}


@pytest.mark.parametrize("dtype", [mx.float32, mx.float16, mx.int32])
@pytest.mark.parametrize("case", sorted(FUSION_CASES))
def test_remainder_floor_divide_nan_to_num_fuse_with_neighbours(case, dtype, tmp_path, monkeypatch):
    # one generated kernel for the op and the elementwise steps before and after it (they used
    # to break the group: two kernels around an unfused op)
    if case in ("nan_to_num", "all_three") and dtype == mx.int32:
        pytest.skip("nan_to_num of an integer array is the array itself")
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    monkeypatch.setenv("MLXC_CC", "cc")
    fun, nargs = FUSION_CASES[case]
    rng = np.random.default_rng(7)
    if dtype == mx.int32:
        args = [mx.array(rng.integers(-100, 100, (6, 40)).astype(np.int32)) for _ in range(nargs)]
    else:
        args = [mx.array(rng.standard_normal((6, 40)).astype(np.float32)).astype(dtype)
                for _ in range(nargs)]
    got, want = mx.compile(fun)(*args), fun(*args)
    for g, e in zip(got if isinstance(got, (list, tuple)) else [got],
                    want if isinstance(want, (list, tuple)) else [want]):
        assert_same_bits(g, e)
    kernels = sorted(p.name for p in cache.iterdir() if p.suffix == ".so")
    assert len(kernels) == 1, f"{case} {dtype}: {len(kernels)} fused kernels, expected 1"


@pytest.mark.parametrize("compiler", ["cc", "/nonexistent/cc"])
@pytest.mark.parametrize("dtype", [mx.float32, mx.float16, mx.bfloat16])
def test_division_ops_and_nan_to_num_on_row_values(dtype, compiler, tmp_path, monkeypatch):
    # the three ops on one value per row (a row maximum, computed before the pass that reads it)
    # and on full values of the same kernel; rows of zeros, a nan and infinities
    cache = tmp_path / "k"
    monkeypatch.setenv("MLXC_KERNEL_CACHE", str(cache))
    monkeypatch.setenv("MLXC_CC", compiler)

    def f(a):
        m = mx.max(a, axis=-1, keepdims=True)
        q, r = mx.floor_divide(m, 0.75), mx.remainder(m, -1.25)
        z = mx.nan_to_num(m / (m * 0), nan=3.0, posinf=-4.0)
        return q, r, z, mx.remainder(a - m, 0.5) + q * z - mx.floor_divide(a, r)

    rng = np.random.default_rng(11)
    xs = (rng.standard_normal((8, 37)) * 4).astype(np.float32)
    xs[1] = 0.0
    xs[2, 5], xs[3, 0], xs[4] = np.nan, np.inf, -np.inf
    x = mx.array(xs).astype(dtype)
    for g, e in zip(mx.compile(f)(x), f(x)):
        assert_same_bits(g, e)
    if compiler == "cc":
        assert len([p for p in cache.iterdir() if p.suffix == ".so"]) == 1
