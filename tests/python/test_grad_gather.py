"""Gradients, jvp and vmap through gather, take, scatter (.at / __setitem__) and masked scatter.

References: numpy (np.add.at for gather gradients), or numbers from the real MLX (0.32.4) written
in where MLX's choice matters (repeated indices, max/min ties, masked scatter)."""
import numpy as np
import pytest

import mlx.core as mx

rng = np.random.default_rng(7)

A_NP = rng.standard_normal((5, 4)).astype(np.float32)
W_NP = rng.standard_normal((10, 3)).astype(np.float32)
TOK_NP = np.array([[1, 3, 3], [0, 9, 2]], dtype=np.int32)


def close(a, b, atol=1e-5):
    np.testing.assert_allclose(np.array(a), b, rtol=1e-5, atol=atol)


# ---- gather / take: the gradient scatters (adds) the cotangent back ----


def test_grad_getitem_repeated_and_negative():
    idx = np.array([0, 2, 2, -1])
    u = rng.standard_normal((4, 4)).astype(np.float32)
    g = mx.grad(lambda a: (a[mx.array(idx)] * mx.array(u)).sum())(mx.array(A_NP))
    ref = np.zeros_like(A_NP)
    np.add.at(ref, idx, u)
    close(g, ref)


def test_grad_embedding_lookup():
    g = mx.grad(lambda w: (w[mx.array(TOK_NP)] ** 2).sum())(mx.array(W_NP))
    ref = np.zeros_like(W_NP)
    np.add.at(ref, TOK_NP, 2 * W_NP[TOK_NP])
    close(g, ref)


def test_grad_take_axis_and_along_axis():
    a = mx.array(A_NP)
    g = mx.grad(lambda x: (mx.take(x, mx.array([3, 0, 3]), axis=1) ** 2).sum())(a)
    ref = np.zeros_like(A_NP)
    np.add.at(ref.T, [3, 0, 3], 2 * A_NP[:, [3, 0, 3]].T)
    close(g, ref)
    cols = np.array([[0], [1], [2], [3], [0]])
    g = mx.grad(lambda x: (mx.take_along_axis(x, mx.array(cols), axis=1) * 3).sum())(a)
    ref = np.zeros_like(A_NP)
    ref[np.arange(5), cols[:, 0]] = 3
    close(g, ref)


def test_grad_two_index_arrays():
    rows, cols = np.array([0, 1, 1]), np.array([2, 3, 2])
    w = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    g = mx.grad(lambda x: (x[mx.array(rows), mx.array(cols)] * mx.array(w)).sum())(mx.array(A_NP))
    ref = np.zeros_like(A_NP)
    np.add.at(ref, (rows, cols), w)
    close(g, ref)


def test_jvp_getitem():
    idx = np.array([0, 2, 2, -1])
    t = rng.standard_normal((5, 4)).astype(np.float32)
    _, (jv,) = mx.jvp(lambda a: a[mx.array(idx)], [mx.array(A_NP)], [mx.array(t)])
    close(jv, t[idx])


def test_no_gradient_to_indices():
    # MLX raises here; the indices get zeros (integer, like the indices).
    a, idx = mx.array([1.0, 2.0, 3.0]), mx.array([0, 2])
    _, (ga, gi) = mx.vjp(lambda a, i: a[i], [a, idx], [mx.ones(2)])
    close(ga, [1, 0, 1])
    assert gi.dtype == mx.int32 and np.array(gi).tolist() == [0, 0]


# ---- scatter (.at and __setitem__): numbers from MLX ----

BASE = [1.0, 2.0, 3.0, 4.0]
IDX = [0, 2, 2]
UPD = [5.0, 6.0, 7.0]
WEIGHTS = [1.0, 2.0, 3.0, 4.0]


def scatter_grads(op):
    idx, w = mx.array(IDX), mx.array(WEIGHTS)
    f = lambda a, u: (getattr(a.at[idx], op)(u) * w).sum()
    return mx.grad(f, argnums=(0, 1))(mx.array(BASE), mx.array(UPD))


@pytest.mark.parametrize(
    "op, ga, gu",
    [
        ("add", [1, 2, 3, 4], [1, 3, 3]),
        ("subtract", [1, 2, 3, 4], [-1, -3, -3]),
        ("maximum", [0, 2, 0, 4], [1, 0, 3]),  # 5 beats 1, 7 beats 3 and 6
        ("minimum", [1, 2, 3, 4], [0, 0, 0]),
    ],
)
def test_grad_scatter_modes(op, ga, gu):
    g_a, g_u = scatter_grads(op)
    close(g_a, ga)
    close(g_u, gu)


def test_grad_scatter_prod_raises():
    with pytest.raises(Exception, match="scatter_prod"):
        scatter_grads("multiply")


def test_grad_setitem():
    # As MLX: the overwritten positions get nothing; every duplicate update gets the cotangent.
    def f(a, u):
        x = a * 1
        x[mx.array(IDX)] = u
        return (x * mx.array(WEIGHTS)).sum()

    g_a, g_u = mx.grad(f, argnums=(0, 1))(mx.array(BASE), mx.array(UPD))
    close(g_a, [0, 2, 0, 4])
    close(g_u, [1, 3, 3])


def test_jvp_scatter_add():
    idx = np.array([0, 2, 2, -1])
    u = rng.standard_normal((4, 4)).astype(np.float32)
    ta = rng.standard_normal((5, 4)).astype(np.float32)
    tu = rng.standard_normal((4, 4)).astype(np.float32)
    f = lambda a, u: a.at[mx.array(idx)].add(u)
    _, (jv,) = mx.jvp(f, [mx.array(A_NP), mx.array(u)], [mx.array(ta), mx.array(tu)])
    ref = ta.copy()
    np.add.at(ref, idx, tu)
    close(jv, ref)


# ---- masked scatter ----


def test_grad_masked_scatter():
    mask = mx.array([True, False, True, False])

    def f(a, src):
        x = a * 1
        x[mask] = src
        return x

    _, (g_a, g_src) = mx.vjp(f, [mx.array(BASE), mx.array(UPD)], [mx.array(WEIGHTS)])
    close(g_a, [0, 2, 0, 4])
    close(g_src, [1, 3, 0])  # the third source value is unused


# ---- vmap ----


def test_vmap_embedding_lookup():
    w, tok = mx.array(W_NP), mx.array(TOK_NP)
    close(mx.vmap(lambda t: w[t])(tok), W_NP[TOK_NP])
    ws = mx.stack([w, 2 * w])
    close(mx.vmap(lambda w, t: w[t])(ws, tok), np.stack([W_NP[TOK_NP[0]], 2 * W_NP[TOK_NP[1]]]))


def test_vmap_getitem_over_source_and_indices():
    a = mx.array(A_NP)
    idx = np.array([0, 2, 2, -1])
    close(mx.vmap(lambda c: c[mx.array(idx)], in_axes=1)(a), A_NP.T[:, idx])
    per = np.array([[0, 1], [4, 4], [2, -1], [3, 0]])
    out = mx.vmap(lambda c, i: mx.take(c, i, axis=0), in_axes=(1, 0))(a, mx.array(per))
    close(out, np.stack([A_NP[per[k], k] for k in range(4)]))


def test_vmap_scatter_add_batched_indices():
    a = np.stack([A_NP, A_NP + 1])
    idx = np.array([[0, 0], [4, 1]])
    out = mx.vmap(lambda x, i, u: x.at[i].add(u))(mx.array(a), mx.array(idx), mx.ones((2, 2, 4)))
    ref = a.copy()
    for b in range(2):
        np.add.at(ref[b], idx[b], 1)
    close(out, ref)


def test_vmap_masked_scatter_per_entry():
    def f(a, m, u):
        x = a * 1
        x[m] = u
        return x

    m = mx.array([[True, False, True, False], [False, True, False, False]])
    out = mx.vmap(f, in_axes=(None, 0, None))(mx.array(BASE), m, mx.array([5.0, 6.0]))
    close(out, [[5, 2, 6, 4], [1, 5, 3, 4]])  # MLX: each entry starts at the source's head


def test_vmap_of_grad_and_grad_of_grad():
    w, tok = mx.array(W_NP), mx.array(TOK_NP)
    per = mx.vmap(mx.grad(lambda w, t: (w[t] ** 2).sum()), in_axes=(None, 0))(w, tok)
    for b in range(2):
        ref = np.zeros_like(W_NP)
        np.add.at(ref, TOK_NP[b], 2 * W_NP[TOK_NP[b]])
        close(per[b], ref)
    idx = mx.array([0, 2, 2, -1])
    gg = mx.grad(lambda a: (mx.grad(lambda b: (b[idx] ** 3).sum())(a) ** 2).sum())(mx.array(A_NP))
    counts = np.zeros(5)
    np.add.at(counts, [0, 2, 2, -1], 1)
    # d/da sum((3 c a^2)^2) = 36 c^2 a^3
    close(gg, 36 * counts[:, None] ** 2 * A_NP**3, atol=1e-3)
