"""Gradients, jvps and vmaps of the matmul family (addmm, gather_mm, block_masked_mm,
segmented_mm, hadamard_transform), in float64 against numpy.

MLX has vjps for addmm, gather_mm and block_masked_mm (these match it); its segmented_mm has no
rules and its gather_mm / block_masked_mm no jvp or vmap (these are the mathematical ones). No
gradient flows to indices, segments or boolean masks: they get zeros (MLX raises for gather_mm
indices). MLX's hadamard_transform vjp applies the transform itself, which is its adjoint only
for n = 2^k and 12 * 2^k: for 20 * 2^k and 28 * 2^k (non-symmetric Hadamard matrices) these
rules give the true adjoint.
"""
import numpy as np
import pytest

import mlx.core as mx

RNG = np.random.default_rng(7)


def arr(*shape):
    return RNG.uniform(-1, 1, shape)


def f64(x):
    return mx.array(x, dtype=mx.float64) if np.asarray(x).dtype == np.float64 else mx.array(x)


def close(x, y, tol=1e-10):
    np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=tol, atol=tol)


def vjp(f, primals, cot):
    _, g = mx.vjp(f, [f64(p) for p in primals], [f64(cot)])
    return g


def jvp(f, primals, tangents):
    _, t = mx.jvp(f, [f64(p) for p in primals], [f64(t) for t in tangents])
    return t[0]


# ---------------------------------------------------------------- addmm


def addmm(c, a, b):
    return mx.addmm(c, a, b, alpha=1.5, beta=-0.5)


def test_addmm_vjp_jvp():
    c, a, b, cot = arr(2, 4), arr(2, 3), arr(3, 4), arr(2, 4)
    gc, ga, gb = vjp(addmm, [c, a, b], cot)
    close(gc, -0.5 * cot)
    close(ga, 1.5 * cot @ b.T)
    close(gb, 1.5 * a.T @ cot)
    tc, ta, tb = arr(2, 4), arr(2, 3), arr(3, 4)
    close(jvp(addmm, [c, a, b], [tc, ta, tb]), 1.5 * (ta @ b + a @ tb) - 0.5 * tc)


def test_addmm_vector_operand_and_broadcast_c():
    c, a, b, cot = arr(4), arr(3), arr(3, 4), arr(4)
    gc, ga, gb = vjp(addmm, [c, a, b], cot)
    assert ga.shape == (3,) and gb.shape == (3, 4)
    close(ga, 1.5 * b @ cot)
    close(gb, 1.5 * np.outer(a, cot))
    close(gc, -0.5 * cot)
    c, a, b, cot = arr(1), arr(2, 2, 3), arr(3, 4), arr(2, 2, 4)
    gc, ga, gb = vjp(addmm, [c, a, b], cot)
    close(gc, [-0.5 * cot.sum()])
    close(gb, 1.5 * np.einsum("bij,bik->jk", a, cot))


def test_addmm_vmap_and_grad_of_grad():
    c, a, b = arr(3, 2, 4), arr(2, 3), arr(3, 3, 4)
    out = mx.vmap(addmm, in_axes=(0, None, 0))(f64(c), f64(a), f64(b))
    close(out, np.stack([1.5 * a @ b[i] - 0.5 * c[i] for i in range(3)]))
    # d/da sum(grad_a sum(addmm^2)) = 2 * 1.5^2 * sum_j (1 b^T) b ... checked against numpy
    f = lambda a: (addmm(f64(c[0]), a, f64(b[0])) ** 2).sum()
    g2 = mx.grad(lambda a: mx.grad(f)(a).sum())(f64(a))
    ones = np.ones((2, 3))
    close(g2, 2 * 1.5 * 1.5 * (ones @ b[0]) @ b[0].T)


# ---------------------------------------------------------------- gather_mm


def np_gather_mm(a, b, li, ri):
    return np.stack([a[i] @ b[j] for i, j in zip(li, ri)])


def test_gather_mm_vjp_jvp():
    a, b = arr(3, 2, 4), arr(2, 4, 5)
    li, ri = np.array([0, 2, 2, 1]), np.array([1, 0, 1, 1])
    cot = arr(4, 2, 5)
    f = lambda a, b: mx.gather_mm(a, b, f64(li), f64(ri))
    ga, gb = vjp(f, [a, b], cot)
    ea, eb = np.zeros_like(a), np.zeros_like(b)
    for k, (i, j) in enumerate(zip(li, ri)):
        ea[i] += cot[k] @ b[j].T
        eb[j] += a[i].T @ cot[k]
    close(ga, ea)
    close(gb, eb)
    ta, tb = arr(3, 2, 4), arr(2, 4, 5)
    close(jvp(f, [a, b], [ta, tb]), np_gather_mm(ta, b, li, ri) + np_gather_mm(a, tb, li, ri))


def test_gather_mm_indices_get_zero_gradient():
    a, b = arr(3, 2, 4), arr(2, 4, 5)
    li, ri = np.array([0, 2], dtype=np.int32), np.array([1, 0], dtype=np.int32)
    g = vjp(mx.gather_mm, [a, b, li, ri], arr(2, 2, 5))
    assert not np.asarray(g[2]).any() and not np.asarray(g[3]).any()


def test_gather_mm_vmap():
    a, b = arr(3, 3, 2, 4), arr(2, 4, 5)
    li = np.array([[0, 2], [1, 1], [2, 0]])
    ri = np.array([1, 0])
    f = lambda a, li: mx.gather_mm(a, f64(b), li, f64(ri))
    out = mx.vmap(f)(f64(a), f64(li))
    close(out, np.stack([np_gather_mm(a[k], b, li[k], ri) for k in range(3)]))


# ---------------------------------------------------------------- block_masked_mm


def expand(mask, rows, cols, bs=32):
    return np.kron(mask, np.ones((bs, bs)))[:rows, :cols]


def test_block_masked_mm_grads():
    M, K, N = 40, 36, 34
    a, b = arr(M, K), arr(K, N)
    mo, ml, mr = arr(2, 2), arr(2, 2), arr(2, 2)
    cot = arr(M, N)
    f = lambda a, b, mo, ml, mr: mx.block_masked_mm(a, b, 32, mo, ml, mr)
    Mo, Ml, Mr = expand(mo, M, N), expand(ml, M, K), expand(mr, K, N)
    A, B = a * Ml, b * Mr
    close(f(*map(f64, (a, b, mo, ml, mr))), Mo * (A @ B))
    g = vjp(f, [a, b, mo, ml, mr], cot)
    cm = cot * Mo

    def bsum(x):
        r, c = x.shape
        x = np.pad(x, ((0, 64 - r), (0, 64 - c)))
        return x.reshape(2, 32, 2, 32).sum(axis=(1, 3))

    close(g[0], (cm @ B.T) * Ml)
    close(g[1], (A.T @ cm) * Mr)
    close(g[2], bsum((A @ B) * cot))
    close(g[3], bsum((cm @ B.T) * a))
    close(g[4], bsum((A.T @ cm) * b))
    t = [arr(M, K), arr(K, N), arr(2, 2), arr(2, 2), arr(2, 2)]
    To, Tl, Tr = expand(t[2], M, N), expand(t[3], M, K), expand(t[4], K, N)
    want = To * (A @ B) + Mo * ((t[0] * Ml + a * Tl) @ B + A @ (t[1] * Mr + b * Tr))
    close(jvp(f, [a, b, mo, ml, mr], t), want)


def test_block_masked_mm_bool_mask_gets_zero_gradient():
    a, b, cot = arr(40, 36), arr(36, 34), arr(40, 34)
    keep = np.array([[True, False], [True, True]])
    g = vjp(lambda a, b, m: mx.block_masked_mm(a, b, 32, m), [a, b, keep], cot)
    assert not np.asarray(g[2]).any()
    close(g[0], (cot * expand(keep, 40, 34)) @ b.T)


def test_block_masked_mm_vmap():
    a, b, m = arr(3, 40, 36), arr(36, 34), arr(3, 2, 2)
    f = lambda a, m: mx.block_masked_mm(a, f64(b), 32, m)
    out = mx.vmap(f)(f64(a), f64(m))
    close(out, np.stack([expand(m[k], 40, 34) * (a[k] @ b) for k in range(3)]))


# ---------------------------------------------------------------- segmented_mm


def test_segmented_mm_grads_and_vmap():
    a, b = arr(3, 6), arr(6, 2)
    seg = np.array([[0, 2], [2, 6], [1, 4], [5, 3]])
    cot = arr(4, 3, 2)
    f = lambda a, b: mx.segmented_mm(a, b, f64(seg))
    ga, gb = vjp(f, [a, b], cot)
    ea, eb = np.zeros_like(a), np.zeros_like(b)
    for k, (lo, hi) in enumerate(seg):
        ea[:, lo:hi] += cot[k] @ b[lo:hi].T
        eb[lo:hi] += a[:, lo:hi].T @ cot[k]
    close(ga, ea)
    close(gb, eb)
    ab = arr(3, 3, 6)
    out = mx.vmap(f, in_axes=(0, None))(f64(ab), f64(b))
    close(out, np.stack([[ab[i][:, lo:hi] @ b[lo:hi] for lo, hi in seg] for i in range(3)]))


# ---------------------------------------------------------------- hadamard_transform


@pytest.mark.parametrize("n", [8, 12, 24, 20, 40, 28])
def test_hadamard_vjp_is_the_adjoint(n):
    J = np.asarray(mx.hadamard_transform(f64(np.eye(n))))  # row i: e_i -> y
    x, cot = arr(2, n), arr(2, n)
    close(mx.hadamard_transform(f64(x)), x @ J)
    (g,) = vjp(mx.hadamard_transform, [x], cot)
    close(g, cot @ J.T)
    close(jvp(mx.hadamard_transform, [x], [cot]), cot @ J)
    out = mx.vmap(mx.hadamard_transform, in_axes=1)(f64(x.T.copy()))
    close(out, x @ J)
