"""mx.compile: compiled == eager over a generated corpus of elementwise + reduction graphs, the
trace cache (counted calls of the Python function), captured state (inputs= / outputs=), random
state, transforms of compiled functions, disabling, and errors."""
import os
import subprocess
import sys
from functools import partial

import numpy as np
import pytest

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
from graph_steps import run_steps

UNARY = [mx.exp, mx.sin, mx.tanh, mx.abs, mx.negative, mx.sigmoid,
         lambda a: mx.sqrt(mx.abs(a)), lambda a: mx.log1p(mx.abs(a)), mx.square]
BINARY = [mx.add, mx.subtract, mx.multiply, mx.maximum, mx.minimum,
          lambda a, b: a / (1 + mx.abs(b))]
REDUCE = [mx.sum, mx.mean, mx.max, mx.min, mx.logsumexp]


def random_graph(seed):
    """A function of 2-3 inputs (shapes broadcasting against (4, 5)) made of random ops."""
    rng = np.random.default_rng(seed)
    steps = []
    for _ in range(rng.integers(3, 12)):
        kind = rng.choice(["u", "b", "r"], p=[0.45, 0.4, 0.15])
        steps.append((kind, int(rng.integers(1 << 30))))

    def fun(*xs):
        return run_steps(xs, steps, UNARY, BINARY, REDUCE)

    shapes = [(4, 5), (5,), (4, 1)][: int(rng.integers(2, 4))]
    inputs = [mx.array(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    return fun, inputs


@pytest.mark.parametrize("seed", range(300))
def test_random_graphs_compiled_equal_eager(seed):
    fun, inputs = random_graph(seed)
    eager = fun(*inputs)
    compiled = mx.compile(fun)
    for _ in range(2):  # the trace, then a replay
        got = compiled(*inputs)
        for g, e in zip(got, eager):
            assert g.shape == e.shape and g.dtype == e.dtype
            np.testing.assert_allclose(np.array(g), np.array(e), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_shapeless(seed):
    # one shapeless trace replayed on inputs (R, C), (C,), (R, 1) of other sizes, size 1
    # included in the trace too (a reduction over axis 0 traced on (2, 1) had its result's
    # axes swapped on (3, 3)), results evaluated or not
    fun, _ = random_graph(seed)
    compiled = mx.compile(fun, shapeless=True)
    rng = np.random.default_rng(500 + seed)
    for _ in range(5):
        r, c = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        xs = [mx.array(rng.standard_normal(s).astype(np.float32)) for s in [(r, c), (c,), (r, 1)]]
        try:
            eager = fun(*xs)
        except ValueError:
            continue
        got = compiled(*xs)
        if rng.integers(2):
            mx.eval(got)
        for g, e in zip(got, eager):
            assert g.shape == e.shape and g.dtype == e.dtype
            np.testing.assert_allclose(np.array(g), np.array(e), rtol=1e-4, atol=1e-5)


def test_shapeless_reductions_of_operands_equal_only_in_the_trace():
    # x and z both (R, 1) in the trace: mean(z) ran over the frame's rows of x's width; a count
    # pointed at m (R, 1) for mean(minimum(m, v)) traced with v (1,)
    def f(x, y, z):
        return mx.mean(z, axis=-1, keepdims=True) + mx.min(x, axis=-1, keepdims=True)

    def g(x, y, z):
        return mx.mean(mx.minimum(mx.min(x, axis=-1, keepdims=True), mx.sigmoid(y)), axis=-1,
                       keepdims=True)

    rng = np.random.default_rng(9)
    for fn in (f, g):
        cf = mx.compile(fn, shapeless=True)
        for r, c in [(3, 1), (3, 3), (2, 4), (3, 1)]:
            xs = [mx.array(rng.standard_normal(s).astype(np.float32)) for s in [(r, c), (c,), (r, 1)]]
            np.testing.assert_allclose(np.array(cf(*xs)), np.array(fn(*xs)), rtol=1e-5, atol=1e-6)


def test_transforms_of_compiled_functions_with_repeated_subexpressions():
    # the trace merges the second var(w) / exp(w).sum() into the first; the fused groups'
    # unfused graphs (what grad, jvp and vmap replay) read the merged-away nodes, values of the
    # trace: "[eval] Attempting to eval an array during function transformations"
    fns = [lambda w: (mx.var(w, axis=-1) * 2 + mx.var(w, axis=-1)).sum(),
           lambda w: (mx.exp(w).sum(-1) + mx.exp(w).sum(-1) * w.sum(-1)).sum()]
    x = mx.array(np.random.default_rng(4).standard_normal((3, 4)).astype(np.float32))
    for f in fns:
        np.testing.assert_allclose(np.array(mx.grad(mx.compile(f))(x)), np.array(mx.grad(f)(x)),
                                   rtol=1e-5, atol=1e-6)
        t = mx.ones_like(x)
        np.testing.assert_allclose(np.array(mx.jvp(mx.compile(f), [x], [t])[1][0]),
                                   np.array(mx.jvp(f, [x], [t])[1][0]), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(np.array(mx.vmap(mx.compile(f))(x[:, None])),
                                   np.array(mx.vmap(f)(x[:, None])), rtol=1e-5, atol=1e-6)
    # a shapeless replay that falls back to the unfused graph (an output narrower than the frame)
    g = lambda y, w: (mx.maximum(y, mx.var(w, axis=0)), mx.var(w, axis=0))
    cg = mx.compile(g, shapeless=True)
    cg(mx.ones((1,)), mx.ones((1, 1, 1)))
    y, w = mx.array([0.5, 3.0]), mx.array([[[1.0]], [[4.0]]])
    for got, want in zip(cg(y, w), g(y, w)):
        assert got.shape == want.shape
        np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-6)


def test_compiled_gradients_of_graphs_that_broke_fusion():
    # compile(grad(f)) of these crashed: fusion evaluated a lazy constant and freed nodes the
    # tape still named (softmax), built a group nothing read (mean of a float16 round trip:
    # the count moved up), and grouped steps into a cycle (var(x, 0) / (1 + |x|)); run in a
    # subprocess, as a regression would kill the interpreter
    code = """
import numpy as np, mlx.core as mx
cases = [
    (lambda x, z: (mx.softmax(x, axis=-1) - z).sum() + mx.minimum(x, z).sum(), [(1, 1, 1), (1, 1)]),
    (lambda x, z: mx.mean(x.astype(mx.float16).astype(mx.float32), axis=0, keepdims=True).sum(),
     [(1,), (1,)]),
    (lambda x, z: (mx.var(x, axis=0) / (1 + mx.abs(x))).sum(), [(2, 3, 2), (3, 1)]),
    (lambda x, z: (mx.var(x, axis=0) / mx.minimum(x, z)).sum(), [(2, 3, 2), (3, 1)]),
]
rng = np.random.default_rng(0)
for f, shapes in cases:
    xs = [mx.array(rng.standard_normal(s).astype(np.float32) + 2) for s in shapes]
    want = mx.grad(f, argnums=[0, 1])(*xs)
    for got in (mx.compile(mx.grad(f, argnums=[0, 1]))(*xs), mx.grad(mx.compile(f), argnums=[0, 1])(*xs)):
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.array(g), np.array(w), rtol=1e-4, atol=1e-5)
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", (out.returncode, out.stderr[-2000:])


def test_random_graphs_with_compile_disabled():
    mx.disable_compile()
    try:
        for seed in range(20):
            fun, inputs = random_graph(seed)
            calls = []
            compiled = mx.compile(lambda *xs: calls.append(1) or fun(*xs))
            compiled(*inputs)
            for g, e in zip(compiled(*inputs), fun(*inputs)):
                np.testing.assert_array_equal(np.array(g), np.array(e))
            assert len(calls) == 2  # disabled: the function runs on every call
    finally:
        mx.enable_compile()


def test_traces_once_per_structure_dtype_and_shape():
    calls = []

    @mx.compile
    def f(x, y, scale=1.0):
        calls.append(1)
        return {"sum": (x + y) * scale, "list": [x * 2]}, "tag"

    a, b = mx.ones((2,)), mx.ones((2,))
    out, tag = f(a, b)
    assert tag == "tag" and out["sum"].tolist() == [2, 2] and out["list"][0].tolist() == [2, 2]
    f(a, b), f(mx.zeros((2,)), b)
    assert len(calls) == 1
    f(mx.ones((3,)), mx.ones((3,)))  # new shape
    assert len(calls) == 2
    f(a.astype(mx.float16), b.astype(mx.float16))  # new dtype
    assert len(calls) == 3
    assert f(a, b, scale=3.0)[0]["sum"].tolist() == [6, 6]  # new constant
    assert f(a, b, scale=4.0)[0]["sum"].tolist() == [8, 8]
    assert len(calls) == 5
    f(a, b, scale=3.0)
    assert len(calls) == 5


def test_many_cached_entries():
    calls = []

    @mx.compile
    def f(x, k):
        calls.append(1)
        return x + k

    x = mx.ones((1,))
    for k in range(2000):
        f(x, k)
    for k in range(2000):
        assert f(x, k).item() == 1 + k
    assert len(calls) == 2000


def test_model_as_argument_stays_a_model():
    # MLX turns the module into a plain dict here and fails; ours keeps the model
    model = nn.Linear(3, 2)

    def loss_fn(m, x, y):
        return nn.losses.mse_loss(m(x), y)

    @mx.compile
    def step(m, x, y):
        return nn.value_and_grad(m, loss_fn)(m, x, y)

    x, y = mx.ones((4, 3)), mx.zeros((4, 2))
    loss, grads = step(model, x, y)
    eager_loss, eager_grads = nn.value_and_grad(model, loss_fn)(model, x, y)
    assert loss.item() == pytest.approx(eager_loss.item(), rel=1e-6)
    np.testing.assert_allclose(np.array(grads["weight"]), np.array(eager_grads["weight"]),
                               rtol=1e-5)
    assert isinstance(model, nn.Linear) and isinstance(model["weight"], mx.array)


def train(compiled, steps=6):
    mx.random.seed(3)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 4))
    opt = optim.AdamW(learning_rate=1e-2)

    def loss_fn(m, x, y):
        return nn.losses.cross_entropy(m(x), y).mean()

    value_grad = nn.value_and_grad(model, loss_fn)
    state = [model.state, opt.state, mx.random.state]

    def step(x, y):
        loss, grads = value_grad(model, x, y)
        opt.update(model, grads)
        return loss

    if compiled:
        step = partial(mx.compile, inputs=state, outputs=state)(step)
    x, y = mx.random.normal((32, 8)), mx.random.randint(0, 4, (32,))
    losses = []
    for _ in range(steps):
        loss = step(x, y)
        mx.eval(state)
        losses.append(loss.item())
    return losses


def test_training_with_state_matches_eager():
    eager, compiled = train(False), train(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    assert compiled[-1] < compiled[0]


def test_random_state():
    @partial(mx.compile, inputs=mx.random.state, outputs=mx.random.state)
    def fresh():
        return mx.random.uniform(shape=(3,))

    @mx.compile
    def frozen():
        return mx.random.uniform(shape=(3,))

    mx.random.seed(0)
    a, b = fresh(), fresh()
    assert not mx.array_equal(a, b)  # the state advances between calls, as in MLX
    mx.random.seed(0)
    assert mx.array_equal(mx.random.uniform(shape=(3,)), a)
    assert mx.array_equal(frozen(), frozen())  # without state: the traced key is a constant


def test_transforms_of_compiled_functions():
    def f(x):
        return mx.sum(mx.sin(x) * mx.exp(x))

    cf = mx.compile(f)
    x = mx.array([0.1, 0.5, -0.3])
    np.testing.assert_allclose(np.array(mx.grad(cf)(x)), np.array(mx.grad(f)(x)), rtol=1e-6)
    np.testing.assert_allclose(np.array(mx.compile(mx.grad(f))(x)), np.array(mx.grad(f)(x)),
                               rtol=1e-6)
    xs = mx.array(np.arange(6, dtype=np.float32).reshape(2, 3) / 6)
    np.testing.assert_allclose(np.array(mx.vmap(cf)(xs)), np.array(mx.vmap(f)(xs)), rtol=1e-6)
    _, jv = mx.jvp(cf, [x], [mx.ones(3)])
    _, jv_ref = mx.jvp(f, [x], [mx.ones(3)])
    np.testing.assert_allclose(np.array(jv[0]), np.array(jv_ref[0]), rtol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match=r"\[compile\] Function arguments must be trees of "
                                         r"arrays or constants"):
        mx.compile(lambda x, o: x)(mx.ones(2), object())
    with pytest.raises(ValueError, match="Attempting to eval an array during function "
                                         "transformations"):
        mx.compile(lambda x: x * x.sum().item())(mx.ones(2))

    class Boom(Exception):
        pass

    def raises(x):
        raise Boom("inside")

    with pytest.raises(Boom):
        mx.compile(raises)(mx.ones(2))
    with pytest.raises(TypeError):
        mx.compile(3)
    assert mx.compile(lambda x: x + 1)(mx.ones(2)).tolist() == [2, 2]  # still working


def test_environment_variable_disables_compile():
    code = ("import mlx.core as mx\ncalls=[]\n"
            "f = mx.compile(lambda x: calls.append(1) or x + 1)\n"
            "f(mx.ones(2)); f(mx.ones(2)); print(len(calls))")
    env = dict(os.environ, MLX_DISABLE_COMPILE="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "2", out.stderr
    env["MLX_DISABLE_COMPILE"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "1", out.stderr


def test_constants_derived_in_the_function_are_not_held():
    # the gradient of w ** 2 and of mean(w) builds arrays of w's shape from constants alone
    # (the exponent minus one, 1 / n): they are computed in each call, not evaluated once and
    # then held by the compiled function (4 MB each here, for the function's lifetime)
    w = mx.ones((1 << 20,))
    mx.eval(w)
    for fn in (lambda v: mx.sum(v ** 2), lambda v: mx.mean(v), lambda v: mx.sum(v ** 3 / 3)):
        g = mx.compile(mx.grad(fn))
        before = mx.get_active_memory()
        for _ in range(2):
            got = g(w)
            mx.eval(got)
            want = mx.grad(fn)(w)
            assert np.allclose(np.array(got), np.array(want))
            del got, want
        assert mx.get_active_memory() - before < 1 << 16
    inside = mx.compile(lambda x: x + mx.triu(mx.full((512, 512), 2.0), k=1))
    x = mx.zeros((512, 512))
    mx.eval(x)
    before = mx.get_active_memory()
    assert inside(x).sum().item() == 2.0 * 512 * 511 / 2
    assert mx.get_active_memory() - before < 1 << 16
