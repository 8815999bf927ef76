"""Gradients (vjp, jvp, vmap and their compositions) of the shape views, slices and
concatenation: slicing, slice updates (at[...] ops), dynamic slices, as_strided, diagonal, trace,
concatenate, tril/triu, view and depends. Expected values are the real MLX's (mlx 0.32.4 [cpu]),
or numpy loops where MLX has no rule (vmap over dynamic starts, as_strided, depends)."""
import numpy as np
import pytest

import mlx.core as mx


def tolist_all(arrays):
    return [a.tolist() for a in arrays]


def test_slice_grad_strided_and_negative_step():
    x = mx.arange(12.0).reshape(3, 4) / 4
    g = mx.grad(lambda x: (x[1:3, ::2] ** 2).sum())(x)
    assert g.tolist() == [[0, 0, 0, 0], [2, 0, 3, 0], [4, 0, 5, 0]]
    v = mx.array([1.0, 2, 3, 4, 5, 6, 7])
    g = mx.grad(lambda v: (v[::-2] * mx.arange(4.0)).sum())(v)
    assert g.tolist() == [3, 0, 2, 0, 1, 0, 0]


@pytest.mark.parametrize(
    "op, expect",
    [
        ("add", [[1, 2, 3, 4, 5], [2, 3, 4]]),
        ("multiply", [[1, 4, 15, 4, 5], [10, 9, 16]]),
        ("maximum", [[1, 2, 0, 4, 5], [0, 3, 0]]),
        ("minimum", [[1, 0, 3, 0, 5], [2, 0, 4]]),
    ],
)
def test_slice_update_ops_vjp(op, expect):
    x = mx.array([1.0, 5, 3, 4, 2])
    y = mx.array([2.0, 5, 1])
    c = mx.array([1.0, 2, 3, 4, 5])
    _, grads = mx.vjp(lambda x, y: getattr(x.at[1:4], op)(y), [x, y], [c])
    assert tolist_all(grads) == expect


def test_slice_update_max_tie_goes_to_both():
    x = mx.array([1.0, 5, 3, 4, 2])
    y = mx.array([5.0, 3, 0])
    c = mx.array([1.0, 2, 3, 4, 5])
    _, grads = mx.vjp(lambda x, y: x.at[1:4].maximum(y), [x, y], [c])
    assert tolist_all(grads) == [[1, 2, 3, 4, 5], [2, 3, 0]]


def test_slice_update_jvp_matches_vjp():
    # MLX has no jvp for prod/max/min slice updates; ours is the transpose of the vjp.
    x = mx.array([1.0, 5, 3, 4, 2])
    y = mx.array([2.0, 5, 1])
    tx = mx.array([0.5, -1, 2, 0.25, 3])
    ty = mx.array([1.0, -2, 0.5])
    c = mx.array([1.0, 2, 3, 4, 5])
    for op in ["add", "multiply", "maximum", "minimum"]:
        f = lambda x, y: getattr(x.at[1:4], op)(y)
        _, (jv,) = mx.jvp(f, [x, y], [tx, ty])
        _, (gx, gy) = mx.vjp(f, [x, y], [c])
        lhs = (c * jv).sum().item()
        rhs = (gx * tx).sum().item() + (gy * ty).sum().item()
        assert lhs == pytest.approx(rhs), op


def test_dynamic_slice_and_update_grads():
    x = mx.arange(20.0).reshape(5, 4)
    g = mx.grad(lambda x: (mx.slice(x, mx.array([2]), [0], [2, 4]) ** 2).sum())(x)
    assert g.tolist() == [[0] * 4, [0] * 4, [16, 18, 20, 22], [24, 26, 28, 30], [0] * 4]
    u = mx.ones((2, 4)) * 3
    f = lambda x, u: (mx.slice_update(x, u, mx.array([1]), [0]) ** 2).sum()
    gx, gu = mx.grad(f, argnums=(0, 1))(x, u)
    assert gx.tolist() == [[0, 2, 4, 6], [0] * 4, [0] * 4, [24, 26, 28, 30], [32, 34, 36, 38]]
    assert gu.tolist() == [[6] * 4, [6] * 4]


def test_vmap_over_dynamic_starts():
    # MLX raises here; the reference is a loop over the starts (negative and too large clamp).
    x = mx.arange(20.0).reshape(5, 4)
    starts = mx.array([[0], [2], [4], [-1]])
    f = lambda i: mx.slice(x, i, [0], [2, 4])
    expect = np.stack([np.array(f(starts[k])) for k in range(4)])
    np.testing.assert_array_equal(np.array(mx.vmap(f)(starts)), expect)

    g = mx.grad(lambda x, i: (mx.slice(x, i, [0], [2, 4]) ** 2).sum())
    expect = np.stack([np.array(g(x, starts[k])) for k in range(4)])
    np.testing.assert_array_equal(np.array(mx.vmap(g, in_axes=(None, 0))(x, starts)), expect)

    h = lambda x, u, i: mx.slice_update(x, u, i, [0])
    us = mx.arange(8.0).reshape(4, 1, 2) + 100
    expect = np.stack([np.array(h(x[:, :2], us[k], starts[k])) for k in range(4)])
    got = mx.vmap(h, in_axes=(None, 0, 0))(x[:, :2], us, starts)
    np.testing.assert_array_equal(np.array(got), expect)


def test_as_strided_grad_accumulates_overlaps():
    x = mx.arange(6.0)
    f = lambda x: (mx.as_strided(x, (3, 3), (1, 1), 1) ** 2).sum()
    assert mx.grad(f)(x).tolist() == [0, 2, 8, 18, 16, 10]
    f3 = lambda x: (mx.as_strided(x, (3, 3), (1, 1), 1) ** 3).sum()
    gg = mx.grad(lambda x: mx.grad(f3)(x).sum())(x)
    assert gg.tolist() == [0, 6, 24, 54, 48, 30]
    xa = mx.arange(12.0).reshape(2, 6)
    got = mx.vmap(lambda x: mx.as_strided(x, (3, 3), (1, 1), 1))(xa)
    expect = np.stack([np.lib.stride_tricks.sliding_window_view(np.arange(6.0) + 6 * k, 3)[1:4]
                       for k in range(2)])
    np.testing.assert_array_equal(np.array(got), expect)


def test_diagonal_and_trace_grads():
    a = mx.arange(12.0).reshape(3, 4)
    g = mx.grad(lambda a: (mx.diagonal(a, 1) * mx.array([1.0, 2, 3])).sum())(a)
    assert g.tolist() == [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3]]
    g = mx.grad(lambda a: (mx.diagonal(a, -1) * mx.array([1.0, 2])).sum())(a)
    assert g.tolist() == [[0, 0, 0, 0], [1, 0, 0, 0], [0, 2, 0, 0]]
    assert mx.grad(lambda a: mx.trace(a * a))(a).tolist() == [
        [0, 0, 0, 0], [0, 10, 0, 0], [0, 0, 20, 0]]
    gg = mx.grad(lambda a: mx.grad(lambda a: (mx.diagonal(a) ** 3).sum())(a).sum())(a)
    assert gg.tolist() == [[0, 0, 0, 0], [0, 30, 0, 0], [0, 0, 60, 0]]
    b = mx.arange(24.0).reshape(2, 3, 4)
    got = mx.vmap(lambda m: mx.diagonal(m, 1), in_axes=1)(b)
    expect = np.stack([np.diagonal(np.array(b)[:, k], 1) for k in range(3)])
    np.testing.assert_array_equal(np.array(got), expect)


def test_concatenate_tril_triu_grads():
    p, q = mx.ones((3, 2)), mx.ones((3, 3))
    w = mx.arange(15.0).reshape(3, 5)
    gp, gq = mx.grad(lambda p, q: (mx.concatenate([p, q], axis=1) * w).sum(), argnums=(0, 1))(p, q)
    assert gp.tolist() == [[0, 1], [5, 6], [10, 11]]
    assert gq.tolist() == [[2, 3, 4], [7, 8, 9], [12, 13, 14]]
    a = mx.arange(12.0).reshape(3, 4)
    assert mx.grad(lambda a: (mx.tril(a, -1) * a).sum())(a).tolist() == [
        [0, 0, 0, 0], [8, 0, 0, 0], [16, 18, 0, 0]]
    assert mx.grad(lambda a: (mx.triu(a, 1) * a).sum())(a).tolist() == [
        [0, 2, 4, 6], [0, 0, 12, 14], [0, 0, 0, 22]]


def test_higher_order_and_vmap_of_grad_through_slices():
    x = mx.array([1.0, 2, 3])
    gg = mx.grad(lambda x: mx.grad(lambda x: (x[1:] ** 3).sum())(x).sum())(x)
    assert gg.tolist() == [0, 12, 18]
    vg = mx.vmap(mx.grad(lambda x: (x[::2] ** 2).sum()))(mx.arange(8.0).reshape(2, 4))
    assert vg.tolist() == [[0, 0, 4, 0], [8, 0, 12, 0]]
    y = mx.array([2.0, 5, 1])
    x5 = mx.array([1.0, 5, 3, 4, 2])
    gg = mx.grad(lambda y: mx.grad(lambda y: (x5.at[1:4].maximum(y) ** 2).sum())(y).sum())(y)
    assert gg.tolist() == [0, 2, 0]


def test_view_has_no_gradient_but_vmaps():
    with pytest.raises(ValueError, match=r"\[Primitive::vjp\] Not implemented for View"):
        mx.grad(lambda x: mx.view(x, mx.int32).astype(mx.float32).sum())(mx.ones(3))
    with pytest.raises(ValueError, match=r"\[Primitive::jvp\] Not implemented for View"):
        mx.jvp(lambda x: mx.view(x, mx.int32), [mx.ones(3)], [mx.ones(3)])
    a = mx.arange(12.0).reshape(3, 4)
    got = mx.vmap(lambda x: mx.view(x, mx.uint16), in_axes=1)(a)
    expect = np.stack([np.array(a)[:, k].astype(np.float32).view(np.uint16) for k in range(4)])
    np.testing.assert_array_equal(np.array(got), expect)


def test_depends_passes_gradients_through():
    def f(a, b):
        (o,) = mx.depends([a * 2], [b])
        return (o * o).sum()

    ga, gb = mx.grad(f, argnums=(0, 1))(mx.array([1.0, 2]), mx.array([3.0]))
    assert ga.tolist() == [8, 16] and gb.tolist() == [0]
    got = mx.vmap(lambda a, b: mx.depends([a * 2], [b])[0], in_axes=(None, 0))(
        mx.array([1.0, 2]), mx.array([[3.0], [4.0]]))
    assert got.tolist() == [[2, 4], [2, 4]]
