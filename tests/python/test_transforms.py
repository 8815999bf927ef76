"""grad, value_and_grad, vjp, jvp and vmap on the foundation ops, against numpy (float64),
finite differences, and each other."""
import numpy as np
import pytest

import mlx.core as mx


def cube_sum(x):
    return mx.sum(x * x * x)


def test_seed_higher_order():
    x = mx.array([1.0, 2.0, 3.0])
    assert cube_sum(x).item() == 36
    df = mx.grad(cube_sum)
    ddf = mx.grad(lambda x: mx.sum(df(x)))
    assert df(x).tolist() == [3, 12, 27]
    assert ddf(x).tolist() == [6, 12, 18]


def test_value_and_grad_linear_regression_matches_closed_form():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 4)).astype(np.float32)
    y = rng.standard_normal((20, 1)).astype(np.float32)
    w = rng.standard_normal((4, 1)).astype(np.float32)

    def loss(w, X, y):
        err = X @ w - y
        return mx.sum(err * err) / X.shape[0]

    value, (gw, gX) = mx.value_and_grad(loss, argnums=[0, 1])(mx.array(w), mx.array(X), mx.array(y))
    Xd, yd, wd = X.astype(np.float64), y.astype(np.float64), w.astype(np.float64)
    err = Xd @ wd - yd
    np.testing.assert_allclose(value.item(), np.mean(err**2), rtol=1e-5)
    np.testing.assert_allclose(np.array(gw), 2 / 20 * Xd.T @ err, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.array(gX), 2 / 20 * err @ wd.T, rtol=1e-4, atol=1e-5)


def composite(w, x, b):
    # transpose, reshape, matmul, broadcasting add, divide, sum
    y = mx.reshape(mx.transpose(w), (3, 2)) @ x + b
    return mx.sum(y / mx.sum(x * x))


def composite_np(w, x, b):
    y = np.reshape(w.T, (3, 2)) @ x + b
    return np.sum(y / np.sum(x * x))


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(2)
    args = [rng.standard_normal(s) for s in [(3, 2), (2,), (3,)]]
    grads = mx.grad(composite, argnums=(0, 1, 2))(*[mx.array(a, dtype=mx.float32) for a in args])
    h = 1e-6
    for k, (a, g) in enumerate(zip(args, grads)):
        fd = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            up = [x.copy() for x in args]
            down = [x.copy() for x in args]
            up[k][idx] += h
            down[k][idx] -= h
            fd[idx] = (composite_np(*up) - composite_np(*down)) / (2 * h)
        np.testing.assert_allclose(np.array(g), fd, rtol=2e-3, atol=2e-4)


def test_jvp_agrees_with_vjp():
    rng = np.random.default_rng(3)
    prim = [mx.array(rng.standard_normal(s).astype(np.float32)) for s in [(3, 2), (2,), (3,)]]
    tang = [mx.array(rng.standard_normal(s).astype(np.float32)) for s in [(3, 2), (2,), (3,)]]
    _, (jv,) = mx.jvp(composite, prim, tang)
    _, vj = mx.vjp(composite, prim, [mx.array(1.0)])
    dot = sum(float(np.sum(np.array(g) * np.array(t))) for g, t in zip(vj, tang))
    np.testing.assert_allclose(jv.item(), dot, rtol=1e-4, atol=1e-5)


def test_vjp_jvp_multiple_outputs():
    x = mx.array([1.0, 2.0, 3.0])
    outs, vjps = mx.vjp(lambda a: [a * 2, a * a], [x], [mx.ones(3), mx.ones(3)])
    assert [o.tolist() for o in outs] == [[2, 4, 6], [1, 4, 9]]
    assert vjps[0].tolist() == [4, 6, 8]
    outs, jvps = mx.jvp(lambda a: a * a, [x], [mx.ones(3)])
    assert jvps[0].tolist() == [2, 4, 6]


def test_broadcast_gradient_sums_over_broadcast_axes():
    x = mx.ones((2, 3))
    b = mx.array([1.0, 2.0, 3.0])
    gb = mx.grad(lambda x, b: mx.sum((x + b) * (x + b)), argnums=1)(x, b)
    np.testing.assert_allclose(np.array(gb), 2 * 2 * (1 + np.array([1.0, 2, 3])))


def test_pytrees_argnames_aux_and_non_array_leaves():
    x = mx.array([1.0, 2.0, 3.0])
    g = mx.grad(lambda p: mx.sum(p["w"] * p["w"]))({"w": x, "n": 3})
    assert g["w"].tolist() == [2, 4, 6] and g["n"] == 3
    (val, aux), g = mx.value_and_grad(lambda x: (mx.sum(x * x), {"a": x}))(x)
    assert val.item() == 14 and aux["a"].tolist() == [1, 2, 3] and g.tolist() == [2, 4, 6]
    pos, named = mx.grad(lambda x, y=None: mx.sum(x * y), argnums=0, argnames="y")(x, y=x * 2)
    assert pos.tolist() == [2, 4, 6] and named["y"].tolist() == [1, 2, 3]
    gs = mx.grad(lambda a, b: mx.sum(a * b), argnums=(0, 1))(x, x)
    assert isinstance(gs, tuple) and gs[0].tolist() == [1, 2, 3]


def test_grad_errors():
    x = mx.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="scalar"):
        mx.grad(lambda x: x * 2)(x)
    with pytest.raises(ValueError, match="argument index 3"):
        mx.grad(lambda x: mx.sum(x), argnums=3)(x)
    with pytest.raises(ValueError):
        mx.grad(lambda x: "nope")(x)
    with pytest.raises(ZeroDivisionError):
        mx.grad(lambda x: 1 / 0)(x)
    with pytest.raises(ValueError):
        mx.vjp(lambda a: a, [x], [mx.ones(4)])
    # Still working afterwards.
    assert mx.grad(cube_sum)(x).tolist() == [3, 12, 27]


def test_vmap_matches_loop():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((5, 2, 3)).astype(np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    out = mx.vmap(lambda a, b: a @ b, in_axes=(0, None))(mx.array(a), mx.array(b))
    np.testing.assert_allclose(np.array(out), np.stack([x @ b for x in a]), rtol=1e-5, atol=1e-5)
    # mapped axis 1, output on axis 1; sum and broadcasting inside
    c = rng.standard_normal((3, 6)).astype(np.float32)
    f = lambda x: mx.sum(x * x, axis=0) + x
    out = mx.vmap(f, in_axes=1, out_axes=1)(mx.array(c))
    expect = np.stack([np.sum(c[:, j] ** 2) + c[:, j] for j in range(6)], axis=1)
    np.testing.assert_allclose(np.array(out), expect, rtol=1e-5)
    # an output that does not depend on the mapped input is broadcast
    out = mx.vmap(lambda x, y: y * 2, in_axes=(0, None))(mx.ones((4, 2)), mx.ones(3))
    assert out.shape == (4, 3)


def test_vmap_of_grad_and_grad_of_vmap():
    xs = mx.array([[1.0, 2.0], [3.0, 4.0]])
    per_row = mx.vmap(mx.grad(cube_sum))(xs)
    np.testing.assert_allclose(np.array(per_row), 3 * np.array(xs) ** 2)
    g = mx.grad(lambda xs: mx.sum(mx.vmap(cube_sum)(xs)))(xs)
    np.testing.assert_allclose(np.array(g), 3 * np.array(xs) ** 2)


def test_vmap_errors():
    with pytest.raises(ValueError):
        mx.vmap(lambda x: x, in_axes=2)(mx.ones((2, 3)))
    with pytest.raises(ValueError):
        mx.vmap(lambda x, y: x + y)(mx.ones((2, 3)), mx.ones((3, 3)))
    with pytest.raises(ValueError):
        mx.vmap(lambda x: x, in_axes=(0, 0))(mx.ones((2, 3)))


def test_transformed_functions_are_collected():
    import gc
    import weakref

    class F:
        def __call__(self, x):
            return mx.sum(x)

    f = F()
    ref = weakref.ref(f)
    g = mx.grad(f)
    holder = [g]
    f.self_ref = holder  # cycle: f -> holder -> g -> f
    del f, g, holder
    gc.collect()
    assert ref() is None


def test_custom_function_rules_and_fallbacks():
    @mx.custom_function
    def f(x, y):
        return x * y

    @f.vjp
    def f_vjp(primals, cotangent, output):
        return cotangent * 10, cotangent * 20

    x, y = mx.array([1.0, 2.0]), mx.array([3.0, 4.0])
    assert f(x, y).tolist() == [3, 8]
    gx, gy = mx.grad(lambda a, b: mx.sum(f(a, b)), argnums=(0, 1))(x, y)
    assert gx.tolist() == [10, 10] and gy.tolist() == [20, 20]
    # no custom jvp: the function's own derivative (y)
    assert mx.jvp(lambda a: f(a, y), [x], [mx.ones(2)])[1][0].tolist() == [3, 4]

    @f.jvp
    def f_jvp(primals, tangents):
        return tangents[0] * 100

    assert mx.jvp(lambda a: f(a, y), [x], [mx.ones(2)])[1][0].tolist() == [100, 100]
    # no custom vmap: mapped through the function itself
    assert mx.vmap(lambda a: f(a, y))(mx.ones((3, 2))).tolist() == [[3, 4]] * 3


def test_custom_vjp_error_propagates():
    @mx.custom_function
    def f(x):
        return x * 2

    @f.vjp
    def f_vjp(primals, cotangent, output):
        raise KeyError("from the rule")

    with pytest.raises(KeyError):
        mx.grad(lambda a: mx.sum(f(a)))(mx.ones(2))
    assert mx.grad(lambda a: mx.sum(a * 2))(mx.ones(2)).tolist() == [2, 2]


def test_checkpoint_gives_the_same_gradient():
    x = mx.array([1.0, 2.0, 3.0])
    g = mx.checkpoint(cube_sum)
    assert g(x).item() == 36
    assert mx.grad(g)(x).tolist() == [3, 12, 27]


def test_eval_inside_grad_and_jvp_keeps_the_graph():
    # Evaluating intermediates inside grad / jvp (mx.eval, printing) must not cut the graph:
    # d/dx sum(x^2 * x) = 3 x^2 (MLX allows this; vmap and compile do not).
    def f(x):
        y = x * x
        mx.eval(y)
        repr(y)
        return (y * x).sum()

    x = mx.array([1.0, 2.0, 3.0])
    assert mx.grad(f)(x).tolist() == [3, 12, 27]
    assert mx.jvp(f, [x], [mx.ones(3)])[1][0].item() == 42
    assert mx.grad(mx.grad(lambda a: f(a)))(mx.array(2.0)).item() == 12
    assert f(x).item() == 36  # outside a transform eval detaches as usual


def test_eval_inside_vmap_is_a_value_error():
    def f(x):
        y = x * 2
        mx.eval(y)
        return y

    with pytest.raises(ValueError, match="during function transformations"):
        mx.vmap(f)(mx.ones((2, 3)))
    assert mx.vmap(lambda x: x * 2)(mx.ones((2, 3))).tolist() == [[2] * 3] * 2


def test_vjp_jvp_accept_tuples():
    x = mx.array([1.0, 2.0])
    outs, vjps = mx.vjp(lambda a: a * 3, (x,), (mx.ones(2),))
    assert outs[0].tolist() == [3, 6] and vjps[0].tolist() == [3, 3]
    outs, jvps = mx.jvp(lambda a, b: a * b, (x, x), (mx.ones(2), mx.zeros(2)))
    assert jvps[0].tolist() == [1, 2]
    with pytest.raises(TypeError):
        mx.jvp(lambda a: a, x, [mx.ones(2)])


def _mlp_peak(checkpointed, layers=16, width=256, batch=2048):
    mx.random.seed(1)
    ws = [mx.random.normal((width, width)) * (2.0 / width) ** 0.5 for _ in range(layers)]
    x = mx.random.normal((batch, width))
    mx.eval(ws, x)

    def layer(w, h):
        return mx.maximum(h @ w, 0.0)

    f = mx.checkpoint(layer) if checkpointed else layer

    def loss(ws):
        h = x
        for w in ws:
            h = f(w, h)
        return (h * h).mean()

    mx.clear_cache()
    mx.reset_peak_memory()
    base = mx.get_active_memory()
    value, grads = mx.value_and_grad(loss)(ws)
    mx.eval(value, grads)
    return mx.get_peak_memory() - base, value, grads


def test_checkpoint_lowers_peak_memory_with_equal_gradients():
    # Activations (2 MiB a layer) dominate the weights' gradients (0.25 MiB) here; checkpointing
    # keeps one activation per layer instead of two and recomputes the rest in the backward pass.
    plain, v0, g0 = _mlp_peak(False)
    ckpt, v1, g1 = _mlp_peak(True)
    assert v0.item() == v1.item()
    assert all(mx.array_equal(a, b).item() for a, b in zip(g0, g1))
    assert ckpt <= 0.6 * plain, (plain, ckpt)


def test_checkpointed_calls_do_not_keep_their_inputs():
    x = mx.random.normal((512, 512))
    mx.eval(x)
    f = mx.checkpoint(lambda h: h * 2)
    mx.clear_cache()
    base = mx.get_active_memory()
    h = x
    for _ in range(8):
        h = f(h)
    mx.eval(h)
    # Only the last result is held: the intermediate layers' outputs are free.
    assert mx.get_active_memory() - base <= 2 * 512 * 512 * 4


def test_jvp_uses_a_custom_jvp_without_entering_the_function():
    # inv has no jvp rule (as in MLX); a custom jvp around it must be enough (MLX fails here)
    @mx.custom_function
    def f(x):
        return mx.linalg.inv(x, stream=mx.cpu)

    @f.jvp
    def f_jvp(primals, tangents):
        xi = mx.linalg.inv(primals[0], stream=mx.cpu)
        return -xi @ tangents[0] @ xi

    a = np.array([[2.0, 1.0], [0.0, 3.0]], np.float32)
    t = np.ones((2, 2), np.float32)
    _, (jt,) = mx.jvp(f, [mx.array(a)], [mx.array(t)])
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(np.array(jt), -ai @ t @ ai, rtol=1e-6)
