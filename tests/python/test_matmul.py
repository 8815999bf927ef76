"""The matmul family against numpy (float64 references): matmul (incl. the packed float16 /
bfloat16 kernels), addmm, inner, outer, vecdot, tensordot, kron, einsum, einsum_path,
block_masked_mm, gather_mm, segmented_mm, hadamard_transform; layouts (transposed, broadcast),
0-d and zero-size arrays, bad arguments."""
import numpy as np
import pytest

import mlx.core as mx

FLOATS = [mx.float16, mx.bfloat16, mx.float32, mx.float64]
TOL = {mx.float16: 4e-3, mx.bfloat16: 2.5e-2, mx.float32: 2e-5, mx.float64: 1e-12,
       mx.complex64: 2e-5}

rng = np.random.default_rng(7)


def rand(shape, dt=mx.float32):
    """A random mx array of dtype dt and its exact float64 (or complex128) values."""
    if dt == mx.complex64:
        v = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
        return mx.array(v), v.astype(np.complex128)
    a = mx.array(rng.standard_normal(shape).astype(np.float32)).astype(dt)
    return a, np.array(a.astype(mx.float64) if dt != mx.float64 else a)


def val(a):
    if a.dtype == mx.complex64:
        return np.array(a).astype(np.complex128)
    if a.dtype in (mx.bfloat16, mx.float16):
        a = a.astype(mx.float32)
    return np.array(a).astype(np.float64)


def close(got, want, dt, scale=1.0):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    if got.size == 0:
        return
    err = np.max(np.abs(got - want) / (np.abs(want) + scale))
    assert err <= TOL[dt], err


# ------------------------------------------------------------------ matmul

@pytest.mark.parametrize("dt", FLOATS + [mx.complex64])
@pytest.mark.parametrize("sa,sb", [((5, 7), (7, 3)), ((2, 13, 33), (33, 17)), ((7,), (7, 4)),
                                   ((3, 7), (7,)), ((7,), (7,)), ((2, 1, 4, 5), (3, 5, 6)),
                                   ((1, 70), (70, 40))])
def test_matmul_values(dt, sa, sb):
    a, an = rand(sa, dt)
    b, bn = rand(sb, dt)
    c = a @ b
    assert c.dtype == dt
    close(val(c), an @ bn, dt, scale=np.sqrt(sa[-1]) * 0.1)


@pytest.mark.parametrize("dt", [mx.float32, mx.float64, mx.complex64])
def test_matmul_split_over_threads(dt):
    # products of 2^23+ multiply-adds run as one BLAS call per pool thread on a block of rows
    # (tall) or of columns (wide) of the result, for every operand layout, with addmm's beta
    a, an = rand((301, 230), dt)
    b, bn = rand((230, 157), dt)
    close(val(a @ b), an @ bn, dt, scale=1.5)  # rows
    close(val(b.T @ a.T), bn.T @ an.T, dt, scale=1.5)  # columns
    close(val(a.T.T @ b[:, ::-1]), an @ bn[:, ::-1], dt, scale=1.5)
    t, tn = rand((230, 301), dt)
    close(val(t.T @ b), tn.T @ bn, dt, scale=1.5)
    u, un = rand((157, 230), dt)
    close(val(a @ u.T), an @ un.T, dt, scale=1.5)
    c, cn = rand((301, 157), dt)
    close(val(mx.addmm(c, a, b, alpha=0.5, beta=2.0)), 2.0 * cn + 0.5 * (an @ bn), dt, scale=1.5)
    w, wn = rand((60, 230), dt)
    v, vn = rand((700, 230), dt)
    close(val(w @ v.T), wn @ vn.T, dt, scale=1.5)  # wide and short: columns
    close(val(w @ v[::-1].T), wn @ vn[::-1].T, dt, scale=1.5)
    # matrix-vector products of 2^20+ matrix elements: blocks of the output
    m, mn = rand((1100, 1000), dt)
    x, xn = rand((1000,), dt)
    y, yn = rand((1100,), dt)
    close(val(m @ x), mn @ xn, dt, scale=2.0)
    close(val(y @ m), yn @ mn, dt, scale=2.0)
    close(val(m.T @ y), mn.T @ yn, dt, scale=2.0)
    close(val(x @ m.T), xn @ mn.T, dt, scale=2.0)
    close(val(m[::2] @ x), mn[::2] @ xn, dt, scale=2.0)


@pytest.mark.parametrize("dt", [mx.float16, mx.bfloat16])
@pytest.mark.parametrize("k,n", [(1, 1), (31, 7), (33, 9), (100, 70), (1000, 1100), (1030, 1003)])
def test_matmul_half_vector_rows(dt, k, n):
    # one or two rows of A (the matrix-vector kernels: a row of A against eight columns of B at a
    # time, two threads from N * K = 2^20), B as W.T (unit stride along K) and as W, K and N
    # with tails, addmm's beta
    w, wn = rand((n, k), dt)
    v, vn = rand((k, n), dt)
    for m in (1, 2):
        x, xn = rand((m, k), dt)
        close(val(x @ w.T), xn @ wn.T, dt, scale=np.sqrt(k) * 0.1)
        close(val(x @ v), xn @ vn, dt, scale=np.sqrt(k) * 0.1)
        c, cn = rand((m, n), dt)
        close(val(mx.addmm(c, x, w.T, alpha=0.5, beta=2.0)), 2.0 * cn + 0.5 * (xn @ wn.T), dt,
              scale=np.sqrt(k) * 0.1)
    close(val(mx.array(vn[:, 0]).astype(dt) @ w.T), vn[:, 0] @ wn.T, dt, scale=np.sqrt(k) * 0.1)


@pytest.mark.parametrize("dt", [mx.float16, mx.bfloat16])
def test_matmul_half_large_layouts(dt):
    # big enough for the two-thread packed kernel; transposed and strided views
    a, an = rand((190, 150), dt)
    b, bn = rand((170, 190), dt)
    close(val(a.T @ b.T), an.T @ bn.T, dt, scale=1.5)
    close(val(a[::2].T @ b[:, ::2].T), an[::2].T @ bn[:, ::2].T, dt, scale=1.5)
    x, xn = rand((4, 33, 65), dt)
    w, wn = rand((65, 31), dt)
    close(val(mx.matmul(x, w)), xn @ wn, dt, scale=1.0)  # batch folded into M
    y, yn = rand((256, 20, 64), dt)
    z, zn = rand((256, 64, 32), dt)
    close(val(y @ z), yn @ zn, dt, scale=1.0)  # many small products
    p, pn = rand((20, 301), dt)
    q, qn = rand((301, 40), dt)
    close(val(p @ q), pn @ qn, dt, scale=2.0)  # K > 256, row-major B
    close(val(p[:3] @ q), pn[:3] @ qn, dt, scale=2.0)  # few rows
    # K not a multiple of the AMX kernel's 32 (zero-padded), M and N not multiples of its 32 x 32
    # blocks
    r, rn = rand((150, 700), dt)
    s, sn = rand((700, 90), dt)
    close(val(r @ s), rn @ sn, dt, scale=3.0)
    c, cn = rand((150, 90), dt)
    close(val(mx.addmm(c, r, s, alpha=0.5, beta=2.0)), 2.0 * cn + 0.5 * (rn @ sn), dt, scale=3.0)
    v, vn = rand((2, 600), dt)
    w, wn = rand((2100, 600), dt)
    close(val(v @ w.T), vn @ wn.T, dt, scale=2.0)  # matrix-vector products of a linear layer
    # bfloat16 on AMX: row-major B packed 8 panels of 32 columns at a time (10 panels here, the
    # last one ragged) and, at K = 2048, two groups of panels; an odd K; a NaN row stays NaN
    a, an = rand((70, 2048), dt)
    b, bn = rand((2048, 300), dt)
    close(val(a @ b), an @ bn, dt, scale=6.0)
    close(val(a[:, :97] @ b[:97]), an[:, :97] @ bn[:97], dt, scale=2.0)
    c, cn = rand((70, 300), dt)
    close(val(mx.addmm(c, a, b, alpha=0.25, beta=-1.0)), 0.25 * (an @ bn) - cn, dt, scale=3.0)
    an[5, 7] = np.nan
    got = val(mx.array(an).astype(dt) @ b)
    assert np.isnan(got[5]).all() and not np.isnan(np.delete(got, 5, axis=0)).any()


def test_matmul_bfloat16_large_output():
    # outputs of 4 MiB and more leave the AMX kernel through non-temporal row stores: every row,
    # with and without a C term, and a row stride that is not a multiple of 32 (plain stores)
    a, an = rand((2048, 320), mx.bfloat16)
    b, bn = rand((320, 1024), mx.bfloat16)
    want = an @ bn
    close(val(a @ b), want, mx.bfloat16, scale=2.0)
    c, cn = rand((2048, 1024), mx.bfloat16)
    close(val(mx.addmm(c, a, b, alpha=0.5, beta=-2.0)), 0.5 * want - 2.0 * cn, mx.bfloat16,
          scale=2.0)
    close(val(a @ b[:, :1010]), want[:, :1010], mx.bfloat16, scale=2.0)


def f16_product_error(got, an, bn, cn=None, alpha=1.0, beta=0.0):
    """got (float16) against the float64 product of the float16 inputs, in float16 spacings of
    the exact result plus the float32 accumulation's share: at most about half a spacing when
    every product is exact in float32, many spacings with bfloat16-rounded operands"""
    want = alpha * (an @ bn) + (beta * cn if cn is not None else 0.0)
    acc = np.abs(alpha) * (np.abs(an) @ np.abs(bn)) + (np.abs(beta * cn) if cn is not None else 0.0)
    fin = np.isfinite(want)
    spacing = np.spacing(np.abs(want[fin]).astype(np.float16)).astype(np.float64)
    err = np.abs(val(got)[fin] - want[fin]) / (spacing + 2.0**-22 * acc[fin])
    return err.max() if err.size else 0.0


def test_matmul_float16_amx():
    # float16 from 32 rows on AMX, each operand split into bfloat16 hi + lo (three tile products
    # per k block): the result is the float16 rounding of the exact product; layouts: row-major
    # (B packed, prefetched), x @ W.T (computed as its transpose, B = x.T gathered by k pairs),
    # a column-major A, an odd K (the last pair half empty), ragged rows and columns
    for (m, k, n) in [(64, 256, 96), (70, 301, 45), (33, 64, 1000)]:
        for ta, tb in [(False, False), (False, True), (True, False), (True, True)]:
            a, an = rand((k, m) if ta else (m, k), mx.float16)
            b, bn = rand((n, k) if tb else (k, n), mx.float16)
            if ta:
                a, an = a.T, an.T
            if tb:
                b, bn = b.T, bn.T
            err = f16_product_error(a @ b, an, bn)
            assert err <= 0.75, (m, k, n, ta, tb, err)
    # alpha and beta * C through the float16 epilogue, full and partial 32-column rows
    a, an = rand((40, 128), mx.float16)
    b, bn = rand((128, 70), mx.float16)
    c, cn = rand((40, 70), mx.float16)
    err = f16_product_error(mx.addmm(c, a, b, alpha=0.5, beta=-2.0), an, bn, cn, 0.5, -2.0)
    assert err <= 0.75, err
    # float16's ends, through the split: 65504 (its bfloat16 hi rounds up to 65536, lo = -32),
    # subnormals, a sum past 65504 (inf in the output, as float16 rounding gives)
    an = np.full((32, 64), 0.125)
    an[0, :] = 0.0
    an[0, 0] = 65504.0
    an[1, :] = 2.0**-24
    an[2, :2] = 65504.0
    bn = np.ones((64, 32))
    bn[:, 1] = -1.0 + 2.0**-10
    got = np.array(mx.array(an.astype(np.float16)) @ mx.array(bn.astype(np.float16)))
    with np.errstate(over="ignore"):
        assert np.array_equal(got, (an @ bn).astype(np.float16))
    assert got[0, 0] == 65504.0 and got[0, 1] == -65440.0 and got[1, 0] == 2.0**-18
    assert np.isinf(got[2, 0])
    # an infinity or NaN operand cannot be split (inf * a zero lo would give NaN): such products
    # go to the AVX-512 kernels, with IEEE results
    an[3, 0] = np.inf
    an[4, 5] = np.nan
    bn[7, 2] = -np.inf
    got = val(mx.array(an.astype(np.float16)) @ mx.array(bn.astype(np.float16)))
    with np.errstate(over="ignore", invalid="ignore"):
        want = an.astype(np.float16).astype(np.float64) @ bn.astype(np.float16).astype(np.float64)
        want = want.astype(np.float16).astype(np.float64)
    assert np.isnan(want).any() and np.isinf(want).any()
    assert np.array_equal(got, want, equal_nan=True)


def test_matmul_bfloat16_linear_layer():
    # x @ W.T with W row-major and K a multiple of 32 runs as out.T = W @ x.T on AMX: W's rows
    # read in place (a ragged last block of 32 rows packed), each tile transposed back
    x, xn = rand((70, 320), mx.bfloat16)
    w, wn = rand((300, 320), mx.bfloat16)
    close(val(x @ w.T), xn @ wn.T, mx.bfloat16, scale=2.0)
    c, cn = rand((70, 300), mx.bfloat16)
    close(val(mx.addmm(c, x, w.T, alpha=0.5, beta=-2.0)), 0.5 * (xn @ wn.T) - 2.0 * cn,
          mx.bfloat16, scale=2.0)
    # W's rows further apart than K (a column slice), and a NaN in one row of W
    big, bign = rand((300, 400), mx.bfloat16)
    close(val(x @ big[:, 40:360].T), xn @ bign[:, 40:360].T, mx.bfloat16, scale=2.0)
    wn_nan = wn.copy()
    wn_nan[33, 5] = np.nan
    got = val(x @ mx.array(wn_nan).astype(mx.bfloat16).T)
    assert np.isnan(got[:, 33]).all() and not np.isnan(np.delete(got, 33, axis=1)).any()
    # fewer than 32 rows: from 9 always, from 2 once W is large (one ragged panel of x.T)
    for m, n, k in [(20, 40, 64), (9, 33, 32), (5, 600, 512), (2, 520, 512)]:
        xs, xsn = rand((m, k), mx.bfloat16)
        ws, wsn = rand((n, k), mx.bfloat16)
        close(val(xs @ ws.T), xsn @ wsn.T, mx.bfloat16, scale=2.0)
    x3, x3n = rand((2, 3, 512), mx.bfloat16)
    close(val(x3 @ ws.T), x3n @ wsn.T, mx.bfloat16, scale=2.0)
    # 9-31 rows against a row-major B (the input gradient's product), and a column-major A
    b, bn = rand((256, 300), mx.bfloat16)
    for m in (9, 20):
        xs, xsn = rand((m, 256), mx.bfloat16)
        close(val(xs @ b), xsn @ bn, mx.bfloat16, scale=2.0)
        close(val(mx.array(xsn.T).astype(mx.bfloat16).T @ b), xsn @ bn, mx.bfloat16, scale=2.0)
    # an output of 4 MiB (non-temporal stores), and more rows than W has (not swapped)
    x2, x2n = rand((512, 512), mx.bfloat16)
    w2, w2n = rand((4096, 512), mx.bfloat16)
    close(val(x2 @ w2.T), x2n @ w2n.T, mx.bfloat16, scale=2.0)
    close(val(w2 @ x2.T), w2n @ x2n.T, mx.bfloat16, scale=2.0)


def test_matmul_broadcast_and_empty():
    a, an = rand((3, 1, 2, 4))
    b = mx.broadcast_to(mx.array(rng.standard_normal((4, 2)).astype(np.float32)), (5, 4, 2))
    close(val(a @ b), an @ np.array(b).astype(np.float64), mx.float32)
    for dt in FLOATS:
        z = mx.zeros((2, 0), dt) @ mx.zeros((0, 3), dt)
        assert z.shape == (2, 3) and z.dtype == dt and np.all(val(z) == 0)
        e = mx.zeros((0, 4), dt) @ mx.ones((4, 3), dt)
        assert e.shape == (0, 3)


def test_matmul_errors():
    with pytest.raises(ValueError):
        mx.array([1, 2]) @ mx.array([1, 2])
    with pytest.raises(ValueError):
        mx.ones((2, 3)) @ mx.ones((2, 3))
    with pytest.raises(ValueError):
        mx.matmul(mx.array(1.0), mx.ones((2,)))
    assert (mx.ones((2, 2)) @ mx.ones((2, 2))).tolist() == [[2, 2], [2, 2]]


def test_half_accuracy_long_k():
    # float32 accumulation over a long K, one rounding at the end
    for dt in (mx.float16, mx.bfloat16):
        a = mx.full((3, 4096), 0.25, dt)
        b = mx.full((4096, 5), 0.5, dt)
        assert np.all(val(a @ b) == 512.0)


# ------------------------------------------------------------------ addmm

@pytest.mark.parametrize("dt", FLOATS)
def test_addmm(dt):
    a, an = rand((2, 20, 30), dt)
    b, bn = rand((30, 25), dt)
    c, cn = rand((25,), dt)
    out = mx.addmm(c, a, b, alpha=0.5, beta=2.0)
    assert out.dtype == dt and out.shape == (2, 20, 25)
    close(val(out), 0.5 * (an @ bn) + 2.0 * cn, dt, scale=1.0)
    out = mx.addmm(c.T, a, b, 2, -1)  # ints for alpha / beta; c 1-d
    close(val(out), 2 * (an @ bn) - cn, dt, scale=1.0)


def test_addmm_shapes_and_promotion():
    a, an = rand((3,))
    b, bn = rand((3, 2))
    c, cn = rand((2,))
    close(val(mx.addmm(c, a, b)), an @ bn + cn, mx.float32)
    b1, b1n = rand((3,))
    c2, c2n = rand((4,))
    m, mn = rand((4, 3))
    close(val(mx.addmm(c2, m, b1)), mn @ b1n + c2n, mx.float32)
    s = mx.addmm(mx.array(1.0), a, b1)
    assert s.shape == ()
    r = mx.addmm(mx.array([1], mx.int32), mx.ones((2, 3)), mx.ones((3, 2)))
    assert r.dtype == mx.float32 and r.tolist() == [[4, 4], [4, 4]]
    assert mx.addmm(mx.ones((2, 2)), mx.ones((2, 3), mx.float64), mx.ones((3, 2))).dtype == mx.float64
    assert mx.addmm(mx.ones((2, 2), mx.float16), mx.ones((2, 3)), mx.ones((3, 2))).dtype == mx.float32
    # beta = 0 ignores c (even NaN); K = 0 gives beta * c
    nan = mx.array([[np.nan]])
    assert mx.addmm(nan, mx.ones((1, 3)), mx.ones((3, 1)), 1.0, 0.0).item() == 3.0
    k0 = mx.addmm(mx.ones((2, 2)), mx.zeros((2, 0)), mx.zeros((0, 2)), 1.0, 2.0)
    assert k0.tolist() == [[2, 2], [2, 2]]


def test_addmm_errors():
    with pytest.raises(ValueError):
        mx.addmm(mx.ones((5, 2, 2)), mx.ones((2, 3)), mx.ones((3, 2)))  # c bigger than out
    with pytest.raises(ValueError):
        mx.addmm(mx.ones((3, 3)), mx.ones((2, 3)), mx.ones((3, 2)))
    with pytest.raises(ValueError):
        mx.addmm(mx.ones((2, 2)), mx.ones((2, 3)), mx.ones((4, 2)))
    with pytest.raises(ValueError):
        mx.addmm(mx.ones((2, 2)), mx.array(1.0), mx.ones((3, 2)))
    with pytest.raises(ValueError):
        mx.addmm(mx.array([1]), mx.array([[1, 2]]), mx.array([[1], [2]]))
    with pytest.raises(TypeError):
        mx.addmm([[1.0]], mx.ones((1, 1)), mx.ones((1, 1)))
    with pytest.raises(TypeError):
        mx.addmm(mx.ones((1, 1)), mx.ones((1, 1)), mx.ones((1, 1)), alpha="x")
    assert mx.addmm(mx.ones((1, 1)), mx.ones((1, 1)), mx.ones((1, 1))).item() == 2.0


# ------------------------------------------------------------------ inner, outer, vecdot

@pytest.mark.parametrize("c_shape", [(), (7,), (1, 7), (1, 1, 7), (1,), (5, 1), (3, 5, 7)])
def test_batched_times_matrix_and_its_gradients(c_shape):
    # a (3, 5, 4) times a matrix is computed as one (15, 4) x (4, 7) product; values and both
    # gradients against float64, with every bias shape addmm takes
    rng = np.random.default_rng(len(c_shape))
    an, bn = rng.standard_normal((3, 5, 4)), rng.standard_normal((4, 7))
    cn = rng.standard_normal(c_shape)
    gn = rng.standard_normal((3, 5, 7))
    a, b, c, g = (mx.array(v.astype(np.float32)) for v in (an, bn, cn, gn))
    np.testing.assert_allclose(np.array(a @ b), an @ bn, rtol=1e-5, atol=1e-5)
    got = mx.addmm(c, a, b, alpha=1.5, beta=0.5)
    np.testing.assert_allclose(np.array(got), 1.5 * an @ bn + 0.5 * cn, rtol=1e-5, atol=1e-5)
    ga, gb, gc = mx.grad(lambda a, b, c: mx.sum(mx.addmm(c, a, b, 1.5, 0.5) * g), (0, 1, 2))(a, b, c)
    np.testing.assert_allclose(np.array(ga), 1.5 * gn @ bn.T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.array(gb), 1.5 * np.einsum("bmk,bmn->kn", an, gn), rtol=1e-5,
                               atol=1e-5)
    want_gc = 0.5 * gn.sum(axis=tuple(range(3 - len(c_shape)))) if c_shape else 0.5 * gn.sum()
    for ax, n in enumerate(c_shape):
        if n == 1:
            want_gc = want_gc.sum(axis=ax, keepdims=True)
    np.testing.assert_allclose(np.array(gc), want_gc, rtol=1e-5, atol=1e-5)


def test_inner_outer():
    a, an = rand((2, 3))
    b, bn = rand((4, 3))
    close(val(mx.inner(a, b)), np.inner(an, bn), mx.float32)
    v, vn = rand((3,))
    close(val(mx.inner(v, v)), np.inner(vn, vn), mx.float32)
    assert mx.inner(mx.array(2), mx.array([1, 2])).tolist() == [2, 4]  # scalar: multiply
    assert mx.inner(mx.array(2.0), mx.array(3.0)).item() == 6.0
    with pytest.raises(ValueError):
        mx.inner(mx.ones(3), mx.ones(4))
    with pytest.raises(ValueError):
        mx.inner(mx.array([1, 2]), mx.array([1, 2]))  # ints need a float product
    close(val(mx.outer(a, v)), np.outer(an, vn), mx.float32)
    o = mx.outer(mx.array([[1, 2], [3, 4]]), mx.array([1, 10]))
    assert o.dtype == mx.int32 and o.tolist() == np.outer([[1, 2], [3, 4]], [1, 10]).tolist()
    assert mx.outer(mx.array(2.0), mx.ones(3)).shape == (1, 3)
    assert mx.outer(mx.zeros((0,)), mx.ones(3)).shape == (0, 3)
    with pytest.raises(TypeError):
        mx.inner([1.0], [1.0])
    with pytest.raises(TypeError):
        mx.inner(a=mx.ones(2), b=mx.ones(2))


def test_vecdot():
    a, an = rand((2, 3))
    b, bn = rand((1, 3))
    close(val(mx.vecdot(a, b)), np.sum(an * bn, axis=-1), mx.float32)
    close(val(mx.vecdot(a, a, axis=0)), np.sum(an * an, axis=0), mx.float32)
    c = mx.array([1 + 2j, 3j])
    d = mx.array([1 + 1j, 2 + 0j])
    assert mx.vecdot(c, d).item() == np.vdot(np.array([1 + 2j, 3j]), np.array([1 + 1j, 2]))
    z, zn = rand((3, 4), mx.complex64)
    w, wn = rand((4, 3), mx.complex64)
    close(val(mx.vecdot(z, w.T, axis=0)), np.sum(np.conj(zn) * wn.T, axis=0), mx.complex64)
    close(val(mx.vecdot(w.T, z)), np.sum(np.conj(wn.T) * zn, axis=-1), mx.complex64)
    assert mx.vecdot(mx.array([100, 100], mx.int8), mx.array([100, 100], mx.int8)).dtype == mx.int32
    assert mx.vecdot(mx.array([True, True]), mx.array([True, True])).item() == 2
    assert mx.vecdot(mx.ones((2, 0)), mx.ones((2, 0))).tolist() == [0, 0]
    with pytest.raises(IndexError):
        mx.vecdot(a, a, axis=2)
    with pytest.raises(ValueError):
        mx.vecdot(a, mx.ones((3,)))  # axis -1 of a is not an axis of b
    with pytest.raises(ValueError):
        mx.vecdot(a, mx.ones((2, 1)))
    with pytest.raises(ValueError):
        mx.vecdot(mx.array(1.0), mx.array(1.0))


# ------------------------------------------------------------------ tensordot, kron

def test_tensordot():
    a, an = rand((2, 3, 4), mx.float64)
    b, bn = rand((3, 4, 5), mx.float64)
    close(val(mx.tensordot(a, b)), np.tensordot(an, bn), mx.float64)
    close(val(mx.tensordot(a, b, axes=0)), np.tensordot(an, bn, axes=0), mx.float64)
    c, cn = rand((4, 3), mx.float64)
    close(val(mx.tensordot(a, c, axes=[[1, 2], [1, 0]])),
          np.tensordot(an, cn, axes=[[1, 2], [1, 0]]), mx.float64)
    close(val(mx.tensordot(a, c, axes=([-1], [0]))), np.tensordot(an, cn, axes=([2], [0])),
          mx.float64)
    close(val(mx.tensordot(a.transpose(2, 0, 1), b, 1)),
          np.tensordot(an.transpose(2, 0, 1), bn, 1), mx.float64)
    assert mx.tensordot(mx.array(2.0), mx.array(3.0), axes=0).item() == 6.0
    for bad in (3, -1):
        with pytest.raises(ValueError):
            mx.tensordot(mx.ones((2, 3)), mx.ones((3, 2)), axes=bad)
    with pytest.raises(ValueError):
        mx.tensordot(mx.ones((2, 3)), mx.ones((2, 3)), axes=1)
    with pytest.raises(ValueError):
        mx.tensordot(mx.ones((2, 3)), mx.ones((3, 2)), axes=[[1], [0, 1]])
    with pytest.raises(ValueError):
        mx.tensordot(mx.ones((2, 3)), mx.ones((3, 2)), axes=[[1], [0], [1]])
    with pytest.raises(IndexError):
        mx.tensordot(mx.ones((2, 3)), mx.ones((3, 2)), axes=[[2], [0]])
    with pytest.raises(TypeError):
        mx.tensordot(mx.ones((2, 2)), mx.ones((2, 2)), axes=[1, 0])
    with pytest.raises(TypeError):
        mx.tensordot(mx.ones((2, 2)), mx.ones((2, 2)), axes=1.0)


def test_kron():
    for sa, sb in [((2, 2), (2, 3)), ((2,), (2, 3)), ((2, 1, 2), (3, 2)), ((), (2, 3)), ((), ())]:
        a, an = rand(sa)
        b, bn = rand(sb)
        close(val(mx.kron(a, b)), np.kron(an, bn), mx.float32)
    k = mx.kron(mx.array([[1, 2]]), mx.array([[1], [10]]))
    assert k.dtype == mx.int32 and k.tolist() == np.kron([[1, 2]], [[1], [10]]).tolist()
    assert mx.kron(a=mx.ones(2), b=mx.ones(2)).shape == (4,)
    kt = mx.kron(mx.ones((3, 2)).T, mx.array([[1.0, 2.0]]))
    assert kt.tolist() == np.kron(np.ones((2, 3)), [[1, 2]]).tolist()
    with pytest.raises(ValueError):
        mx.kron(mx.zeros((0, 2)), mx.ones((2, 3)))


# ------------------------------------------------------------------ einsum

EINSUM_CASES = [
    ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("iij->ij", [(2, 2, 3)]), ("iii->i", [(2, 2, 2)]),
    ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("ij", [(2, 3)]), ("ba", [(2, 3)]),
    ("ij,jk", [(2, 3), (3, 4)]), ("iJ,JK", [(2, 3), (3, 4)]), ("ij,jk->ki", [(2, 3), (3, 4)]),
    ("i,i", [(5,), (5,)]), ("i,j->ij", [(2,), (3,)]), ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("bij,bjk->kib", [(2, 2, 3), (2, 3, 2)]),
    ("ijk,ikl", [(2, 3, 4), (2, 4, 5)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ab,bc,cd,de,ef->af", [(2, 3), (3, 4), (4, 5), (5, 6), (6, 7)]),
    ("ea,fb,abcd,gc,hd->efgh", [(2, 3), (2, 2), (3, 2, 3, 2), (2, 3), (3, 2)]),
    ("ij,ij,ij->", [(2, 3), (2, 3), (2, 3)]), ("i,j,k", [(2,), (3,), (4,)]),
    ("...ij->...ji", [(2, 2, 3)]), ("...i->...", [(2, 3)]), ("i...", [(2, 3)]),
    ("...i,...i->...", [(2, 3), (3,)]), ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("ij...,jk...->ik...", [(2, 3, 5), (3, 4, 1)]), ("...ij,j...->...", [(5, 2, 3), (3, 5)]),
    ("ij->...ij", [(2, 3)]), (",->", [(), ()]), ("i,->i", [(3,), ()]), ("->", [()]),
    (" ij , jk -> ik", [(2, 3), (3, 2)]), ("ij,kl->", [(2, 3), (2, 2)]),
    ("ij,jk", [(0, 3), (3, 2)]), ("ij,jk", [(2, 0), (0, 2)]), ("ii->i", [(0, 0)]),
    ("abc,cd,bd->a", [(2, 3, 4), (4, 5), (3, 5)]), ("ab,cd,ad,cb", [(2, 3), (4, 5), (2, 5), (4, 3)]),
]


def numpy_einsum(subs, ops):
    if "..." in subs and "->" in subs:
        lhs, rhs = subs.replace(" ", "").split("->")
        if "..." not in rhs and "..." in lhs:
            # MLX sums ellipsis dims that the output leaves out (numpy refuses)
            return np.einsum(lhs + "->..." + rhs, *ops).sum(
                axis=tuple(range(np.broadcast_shapes(*[o.shape for o in ops]).__len__() - 2)))
        if "..." in rhs and "..." not in lhs:
            return np.einsum(lhs + "->" + rhs.replace("...", ""), *ops)
    return np.einsum(subs, *ops)


@pytest.mark.parametrize("subs,shapes", EINSUM_CASES)
def test_einsum_values(subs, shapes):
    arrs = [rand(s) for s in shapes]
    got = mx.einsum(subs, *[a for a, _ in arrs])
    want = numpy_einsum(subs, [n for _, n in arrs])
    assert got.dtype == mx.float32
    close(val(got), np.asarray(want), mx.float32, scale=1.0)


def test_einsum_dtypes_and_broadcast():
    # size-1 dimensions broadcast (MLX's rule)
    a, an = rand((2, 1))
    b, bn = rand((4, 2))
    close(val(mx.einsum("ij,jk->ik", a, b)), an @ np.ones((1, 4)) @ bn, mx.float32)
    i = mx.array([1, 2, 3])
    assert mx.einsum("i,j->ij", i, i).dtype == mx.int32
    assert mx.einsum("ii->i", mx.array([[1, 2], [3, 4]])).tolist() == [1, 4]
    assert mx.einsum("ii", mx.array([[1, 2], [3, 4]])).item() == 5
    assert mx.einsum("i,i->i", mx.array([1, 2]), mx.array([1.5, 2], mx.float16)).dtype == mx.float16
    with pytest.raises(ValueError):
        mx.einsum("i,i", i, i)  # integer contraction goes through matmul
    h, hn = rand((3, 4), mx.bfloat16)
    g, gn = rand((4, 5), mx.bfloat16)
    close(val(mx.einsum("ij,jk->ik", h, g)), hn @ gn, mx.bfloat16, scale=1.0)
    t, tn = rand((4, 2))
    close(val(mx.einsum("ij,jk", a.T, t.T)), an.T @ tn.T, mx.float32)


@pytest.mark.parametrize("subs,shapes,exc", [
    ("ij,jk->ik", [(2, 3)], ValueError), ("i1", [(2, 3)], ValueError),
    ("ijk->ij", [(2, 3)], ValueError), ("ij->ii", [(2, 3)], ValueError),
    ("ij->ik", [(2, 3)], ValueError), ("ii->i", [(2, 3)], ValueError),
    ("ij,jk->ik", [(2, 3), (4, 2)], ValueError), ("...i...->i", [(2, 3)], ValueError),
    ("ij-ij", [(2, 3)], ValueError), ("ij->i.", [(2, 2)], ValueError),
    ("ij...k", [(2, 2)], ValueError), ("", [(2, 2)], ValueError),
])
def test_einsum_errors(subs, shapes, exc):
    with pytest.raises(exc):
        mx.einsum(subs, *[mx.ones(s) for s in shapes])
    assert mx.einsum("i->", mx.ones(3)).item() == 3.0


def test_einsum_bad_types():
    with pytest.raises(ValueError):
        mx.einsum("ij")
    with pytest.raises(TypeError):
        mx.einsum(1, mx.ones((2, 2)))
    with pytest.raises(TypeError):
        mx.einsum()
    with pytest.raises(TypeError):
        mx.einsum("i", [1.0, 2.0])
    assert mx.einsum("ij", mx.ones((2, 2)), stream=mx.cpu).shape == (2, 2)


# paths and summaries recorded from MLX 0.32
PATHS = [
    ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 6)], [(1, 2), (0, 1)], (4, 3, 1080, 384)),
    ("ab,bc,cd,de,ef->af", [(2, 3), (3, 4), (4, 5), (5, 6), (6, 7)],
     [(3, 4), (2, 3), (1, 2), (0, 1)], (6, 3, 25200, 952)),
    ("i,j,k", [(2,), (3,), (4,)], [(0, 1), (0, 1)], (3, 3, 48, 30)),
    ("ea,fb,abcd,gc,hd->efgh", [(10, 10), (10, 10), (10, 10, 10, 10), (10, 10), (10, 10)],
     [(0, 2), (0, 3), (0, 2), (0, 1)], (8, 5, 500000000, 800000)),
    ("ij,jk,kl,lm", [(2, 30), (30, 40), (40, 5), (5, 100)], [(1, 2), (0, 2), (0, 1)],
     (5, 3, 4800000, 14600)),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)], [(0, 1)], (4, 4, 240, 240)),
    ("ii", [(3, 3)], [(0,)], (1, 1, 6, 6)),
    ("fb,f,ce,a->", [(2, 5), (2,), (5, 1), (1,)], [(0, 1), (0, 2), (0, 1)], (5, 2, 200, 32)),
    ("c,eb,d,efb->", [(2,), (2, 8), (13,), (2, 3, 8)], [(1, 3), (1, 2), (0, 1)],
     (5, 3, 4992, 126)),
    (" ij , jk -> ik", [(2, 3), (3, 4)], [(0, 1)], (3, 3, 48, 48)),
]


@pytest.mark.parametrize("subs,shapes,path,info", PATHS)
def test_einsum_path(subs, shapes, path, info):
    p, s = mx.einsum_path(subs, *[mx.ones(sh) for sh in shapes])
    assert isinstance(p, list) and p == path
    want = ("  Complete contraction:  {}\n         Naive scaling:  {}\n     Optimized scaling:  {}\n"
            "      Naive FLOP count:  {}\n  Optimized FLOP count:  {}\n").format(subs, *info)
    assert s == want
    # einsum gives the same values whatever the order
    ops = [rand(sh) for sh in shapes if np.prod(sh) < 2000]
    if len(ops) == len(shapes):
        close(val(mx.einsum(subs, *[a for a, _ in ops])),
              np.asarray(numpy_einsum(subs, [n for _, n in ops])), mx.float32, scale=1.0)


def test_einsum_path_errors():
    with pytest.raises(ValueError):
        mx.einsum_path("ij")
    with pytest.raises(ValueError):
        mx.einsum_path("ij,jk", mx.ones((2, 3)))
    with pytest.raises(ValueError):
        mx.einsum_path("ij,jk", mx.ones((2, 3)), mx.ones((4, 2)))
    with pytest.raises(TypeError):
        mx.einsum_path("ij", np.ones((2, 2)))


# ------------------------------------------------------------------ block_masked_mm

def ref_block_masked(an, bn, bs, mo=None, ml=None, mr=None, rnd=lambda x: x):
    """rnd rounds the masked operands to the inputs' dtype (the products are taken in it)."""
    M, K = an.shape[-2:]
    N = bn.shape[-1]
    def expand(m, r, c):
        return np.repeat(np.repeat(np.asarray(m, np.float64), bs, -2), bs, -1)[..., :r, :c]
    a = rnd(an * expand(ml, M, K)) if ml is not None else an
    b = rnd(bn * expand(mr, K, N)) if mr is not None else bn
    out = a @ b
    if mo is not None:
        out = out * expand(mo, M, N)
    return out


@pytest.mark.parametrize("dt", FLOATS)
def test_block_masked_mm(dt):
    bs = 32
    a, an = rand((70, 40), dt)
    b, bn = rand((40, 65), dt)
    mo = rng.random((3, 3)) > 0.4
    ml = rng.random((3, 2)).astype(np.float32)
    mr = rng.random((2, 3)) > 0.3
    got = mx.block_masked_mm(a, b, bs, mx.array(mo), mx.array(ml), mx.array(mr))
    assert got.dtype == dt and got.shape == (70, 65)
    def rnd(x):
        return val(mx.array(x.astype(np.float32)).astype(dt)) if dt != mx.float64 else x
    close(val(got), ref_block_masked(an, bn, bs, mo, val(mx.array(ml).astype(dt)), mr, rnd),
          dt, scale=1.0)


def test_block_masked_mm_more():
    a, an = rand((3, 64, 64))
    b, bn = rand((64, 64))
    mo = np.array([[True, False], [False, True]])
    got = mx.block_masked_mm(a, b, block_size=32, mask_out=mx.array(mo))
    close(val(got), ref_block_masked(an, bn, 32, mo), mx.float32)
    # the output mask zeroes blocks (even NaN ones); operand masks multiply
    nan = mx.full((64, 64), np.nan)
    r = np.array(mx.block_masked_mm(nan, b, 32, mx.array(mo)))
    assert np.isnan(r[0, 0]) and r[0, 40] == 0
    # batched masks broadcast; no masks is a plain matmul (any block size)
    mb = rng.random((3, 2, 2)) > 0.5
    close(val(mx.block_masked_mm(a, b, 32, mask_lhs=mx.array(mb))),
          ref_block_masked(an, bn, 32, ml=mb), mx.float32)
    close(val(mx.block_masked_mm(a, b, 3)), an @ bn, mx.float32)
    # 64-blocks and ragged sizes
    c, cn = rand((100, 70))
    d, dn = rand((70, 90))
    mo2 = rng.random((2, 2)) > 0.5
    close(val(mx.block_masked_mm(c, d, 64, mask_out=mx.array(mo2))),
          ref_block_masked(cn, dn, 64, mo2), mx.float32)


def test_block_masked_mm_errors():
    a = mx.ones((64, 64))
    m = mx.array([[True, False], [False, True]])
    with pytest.raises(ValueError):
        mx.block_masked_mm(a, a, 16, m)
    with pytest.raises(ValueError):
        mx.block_masked_mm(mx.ones((64, 64), mx.int32), mx.ones((64, 64), mx.int32), 32, m)
    with pytest.raises(ValueError):
        mx.block_masked_mm(a, a, 32, mx.ones((2, 3), mx.bool_))
    with pytest.raises(ValueError):
        mx.block_masked_mm(mx.ones((1, 64, 64)), a, 32, mx.ones((2, 2, 2), mx.bool_))
    with pytest.raises(ValueError):
        mx.block_masked_mm(mx.ones((64, 64), mx.complex64), a, 32, m)
    with pytest.raises(TypeError):
        mx.block_masked_mm(a, a, 32, [[True, False], [False, True]])
    assert mx.block_masked_mm(a, a, 32, m).shape == (64, 64)


# ------------------------------------------------------------------ gather_mm, segmented_mm

@pytest.mark.parametrize("dt", FLOATS)
def test_gather_mm(dt):
    a, an = rand((4, 3, 5), dt)
    b, bn = rand((6, 5, 2), dt)
    li = np.array([[3], [0]])
    ri = np.array([1, 5, 2])
    got = mx.gather_mm(a, b, mx.array(li, mx.uint32), mx.array(ri, mx.int64))
    assert got.shape == (2, 3, 3, 2) and got.dtype == dt
    want = np.einsum("xyik,xykj->xyij", an[np.broadcast_to(li, (2, 3))], bn[np.broadcast_to(ri, (2, 3))])
    close(val(got), want, dt, scale=1.0)


def test_gather_mm_defaults_and_edges():
    a, an = rand((2, 2, 3))
    b, bn = rand((3, 2))
    close(val(mx.gather_mm(a, b)), an @ bn, mx.float32)
    w, wn = rand((4, 3, 2))
    close(val(mx.gather_mm(a[0], w, rhs_indices=mx.array([3, 0]))), an[0] @ wn[[3, 0]], mx.float32)
    x, xn = rand((3,))
    assert mx.gather_mm(x, w, None, mx.array([1, 2])).shape == (2, 2)
    y, yn = rand((4, 2, 3))
    close(val(mx.gather_mm(y, x, mx.array([1, 3]))), yn[[1, 3]] @ xn, mx.float32)
    # negative indices count from the end; out-of-range ones are clamped
    close(val(mx.gather_mm(a, w, mx.array([-1]), mx.array([9]))), an[[1]] @ wn[[3]], mx.float32)
    s = mx.gather_mm(a, w, mx.array([0, 0, 1]), mx.array([0, 1, 1]), sorted_indices=True)
    close(val(s), an[[0, 0, 1]] @ wn[[0, 1, 1]], mx.float32)
    assert mx.gather_mm(a, w, mx.array(1), mx.array(2)).shape == (2, 2)
    assert mx.gather_mm(a, w, mx.array([], mx.int32), mx.array([], mx.int32)).shape == (0, 2, 2)
    with pytest.raises(ValueError):
        mx.gather_mm(a, w, mx.array([0.0]), None)
    with pytest.raises(ValueError):
        mx.gather_mm(a, w, mx.array([True]), None)
    with pytest.raises(ValueError):
        mx.gather_mm(a, w, mx.array([0, 1, 0]), mx.array([0, 1]))
    with pytest.raises(ValueError):
        mx.gather_mm(mx.ones((2, 4)), w, None, mx.array([0]))
    with pytest.raises(ValueError):
        mx.gather_mm(mx.ones((2, 3), mx.int32), mx.ones((4, 3, 2), mx.int32), None, mx.array([0]))
    with pytest.raises(ValueError):
        mx.gather_mm(mx.array(1.0), w)
    with pytest.raises(TypeError):
        mx.gather_mm(a, w, [0], None)


@pytest.mark.parametrize("dt", FLOATS)
def test_segmented_mm(dt):
    a, an = rand((3, 10), dt)
    b, bn = rand((10, 4), dt)
    segs = np.array([[0, 3], [3, 10], [5, 5], [7, 2], [6, 100], [-4, 2]])
    got = mx.segmented_mm(a, b, mx.array(segs, mx.int32))
    assert got.shape == (6, 3, 4) and got.dtype == dt
    want = []
    for lo, hi in segs:
        lo, hi = max(lo, 0), min(hi, 10)
        want.append(an[:, lo:hi] @ bn[lo:hi] if hi > lo else np.zeros((3, 4)))
    close(val(got), np.stack(want), dt, scale=1.0)


def test_segmented_mm_shapes_and_errors():
    a, an = rand((3, 4))
    b, bn = rand((4, 2))
    assert mx.segmented_mm(a, b, mx.array([0, 2])).shape == (3, 2)
    assert mx.segmented_mm(a, b, mx.array([[[0, 2], [2, 4]]])).shape == (1, 2, 3, 2)
    assert mx.segmented_mm(a, b, mx.zeros((0, 2), mx.int32)).shape == (0, 3, 2)
    close(val(mx.segmented_mm(a.T.T, b, mx.array([[0, 4]]))[0]), an @ bn, mx.float32)
    with pytest.raises(ValueError):
        mx.segmented_mm(a, b, mx.array([[0.0, 2.0]]))
    with pytest.raises(ValueError):
        mx.segmented_mm(a, b, mx.array([[0, 2, 3]]))
    with pytest.raises(ValueError):
        mx.segmented_mm(mx.ones((2, 3, 4)), b, mx.array([[0, 2]]))
    with pytest.raises(ValueError):
        mx.segmented_mm(a, mx.ones((3, 2)), mx.array([[0, 2]]))
    with pytest.raises(ValueError):
        mx.segmented_mm(mx.ones((3, 4), mx.int32), mx.ones((4, 2), mx.int32), mx.array([[0, 2]]))


# ------------------------------------------------------------------ hadamard_transform

def sylvester(n):
    h = np.array([[1.0]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


# x = arange(n) * (arange(n) % 3 - 1) + 1, transformed with scale 1 by MLX 0.32
HADAMARD_REF = {
    12: [18, -2, 30, -28, -20, -14, -10, 22, 20, -18, -10, 20],
    20: [30, -48, 8, -50, 46, 34, -28, 20, 28, -80, 28, -24, -92, 24, -24, -16, 22, -6, -36, 8],
    28: [-45, 95, 39, -141, -39, 169, -117, 79, 13, -15, -59, 85, 7, -89, 87, -47, -89, -13, -39,
         -73, 33, 41, -31, 41, -27, -9, 63, -13],
    24: [38, -10, -4, 48, 60, 48, -62, 138, -44, 56, -24, -116, -20, -72, 46, -58, 38, 46, -36, 24,
         -20, 0, 44, -8],
    40: [67, -287, -101, 145, 17, 43, -99, -89, 87, 301, 69, 79, -57, -19, 35, 97, 59, -135, -165,
         121, 57, 163, -45, -207, -189, 97, 47, 149, -47, -173, -37, 49, 49, -37, -9, -219, -71,
         -29, 15, 77],
    56: [-96, 432, 190, 114, 84, -252, -282, -222, -84, 348, 344, 48, -234, -366, 160, -40, 30,
         -110, -26, -230, -124, 228, 172, 116, 22, -574, -186, 418, 172, 4, -88, -240, -182, 62,
         -30, 110, -76, -172, -148, 4, 66, 270, 88, -168, -62, 126, 78, 98, -56, 40, -18, 258, 128,
         -64, -30, 38],
}


@pytest.mark.parametrize("n", sorted(HADAMARD_REF))
def test_hadamard_m(n):
    x = mx.array(np.arange(n) * (np.arange(n) % 3 - 1) + 1, mx.float32)
    assert mx.hadamard_transform(x, scale=1.0).tolist() == HADAMARD_REF[n]
    h = np.array(mx.hadamard_transform(mx.array(np.eye(n, dtype=np.float32)), 1.0))
    assert np.array_equal(h @ h.T, n * np.eye(n))


def fwht(x):
    """x @ sylvester(n) along the last axis, by butterflies (float64)."""
    x = np.array(x, np.float64)
    n = x.shape[-1]
    h = 1
    while h < n:
        y = x.reshape(x.shape[:-1] + (n // (2 * h), 2, h))
        a, b = y[..., 0, :], y[..., 1, :]
        x = np.stack([a + b, a - b], axis=-2).reshape(x.shape)
        h *= 2
    return x


def test_hadamard_large_strided():
    x, xn = rand((4, 5, 2 ** 14))
    xt = x.transpose(1, 0, 2)  # rows of a strided view, split over two threads
    close(val(mx.hadamard_transform(xt)), fwht(xn.transpose(1, 0, 2)) / 2 ** 7, mx.float32)
    y, yn = rand((3, 12 * 2 ** 13), mx.bfloat16)
    got = val(mx.hadamard_transform(y, scale=1.0))
    assert got.shape == (3, 12 * 2 ** 13)
    # H_12 (x) S: the Sylvester part acts within each of the 12 blocks
    h12 = np.array(mx.hadamard_transform(mx.array(np.eye(12, dtype=np.float32)), 1.0))
    want = np.einsum("rab,ac->rcb", fwht(yn.reshape(3, 12, 2 ** 13)), h12).reshape(3, -1)
    close(got, want, mx.bfloat16, scale=10.0)


@pytest.mark.parametrize("dt", FLOATS)
def test_hadamard_pow2(dt):
    for n in (1, 2, 16, 256):
        x, xn = rand((3, n), dt)
        got = mx.hadamard_transform(x)
        assert got.dtype == dt and got.shape == (3, n)
        close(val(got), xn @ sylvester(n) / np.sqrt(n), dt, scale=1.0)
    x, xn = rand((8, 3), dt)
    close(val(mx.hadamard_transform(x.T, scale=0.5)), 0.5 * xn.T @ sylvester(8), dt, scale=1.0)


def test_hadamard_types_and_errors():
    r = mx.hadamard_transform(mx.array([1, 2]))
    assert r.dtype == mx.float32 and np.allclose(np.array(r), [3 / np.sqrt(2), -1 / np.sqrt(2)])
    assert mx.hadamard_transform(mx.array([True, False])).dtype == mx.float32
    assert mx.hadamard_transform(mx.array(2.0)).item() == 2.0
    assert mx.hadamard_transform(mx.ones(4), 2).tolist() == [8, 0, 0, 0]
    big = mx.hadamard_transform(mx.ones((4, 2 ** 16)), scale=1.0)  # two threads
    bn = np.array(big)
    assert np.all(bn[:, 0] == 2 ** 16) and np.all(bn[:, 1:] == 0)
    for n in (3, 6, 36, 44):
        with pytest.raises(ValueError):
            mx.hadamard_transform(mx.ones(n))
    with pytest.raises(ValueError):
        mx.hadamard_transform(mx.zeros((0, 4)))
    with pytest.raises(TypeError):
        mx.hadamard_transform([1.0, 2.0])
    with pytest.raises(TypeError):
        mx.hadamard_transform(mx.ones(4), scale="x")
    assert mx.hadamard_transform(mx.ones(4), scale=None).tolist() == [2, 0, 0, 0]


def test_scalar_argument_types():
    o = mx.ones((1, 1))
    assert mx.addmm(o, o, o, alpha=np.float32(2)).item() == 3.0
    assert mx.addmm(o, o, o, alpha=np.int64(3), beta=True).item() == 4.0
    assert mx.addmm(o, o, o, alpha=mx.array(2.0)).item() == 3.0
    for bad in ("2", None, 2 + 0j):
        with pytest.raises(TypeError):
            mx.addmm(o, o, o, alpha=bad)
    assert mx.hadamard_transform(mx.ones(2), scale=np.float32(2)).tolist() == [4.0, 0.0]
    assert mx.tensordot(mx.ones((2, 2)), mx.ones((2, 2)), axes=np.int64(2)).shape == ()
    assert mx.vecdot(mx.ones((2, 2)), mx.ones((2, 2)), axis=True).shape == (2,)
    assert mx.gather_mm(mx.ones((2, 2)), mx.ones((2, 2)), sorted_indices=True).shape == (2, 2)
    with pytest.raises(TypeError):
        mx.gather_mm(mx.ones((2, 2)), mx.ones((2, 2)), sorted_indices=1)
    with pytest.raises(TypeError):
        mx.block_masked_mm(mx.ones((2, 2)), mx.ones((2, 2)), 2.0)
    with pytest.raises(TypeError):
        mx.vecdot(mx.ones(2), mx.ones(2), axis=1.0)


# ---------------------------------------------------------------- corrcoef (numpy's semantics)


@pytest.mark.parametrize("shape, rowvar, with_y", [((3, 10), True, False), ((10, 3), False, False),
                                                   ((3, 10), True, True), ((10,), True, True),
                                                   ((1, 7), True, False)])
def test_corrcoef_matches_numpy(shape, rowvar, with_y):
    rng = np.random.default_rng(5)
    a = rng.standard_normal(shape)
    b = rng.standard_normal(shape) + a if with_y else None
    want = np.corrcoef(a, b, rowvar=rowvar)
    got = mx.corrcoef(mx.array(a), None if b is None else mx.array(b), rowvar=rowvar)
    assert got.shape == np.shape(want) and got.dtype == mx.float32
    np.testing.assert_allclose(np.array(got), want, atol=2e-6)


def test_corrcoef_lists_ints_and_errors():
    assert mx.corrcoef([1, 2, 3], [3, 2, 1.5]).tolist()[0][1] == pytest.approx(
        np.corrcoef([1, 2, 3], [3, 2, 1.5])[0, 1], abs=1e-6)
    with pytest.raises(ValueError, match=r"\[corrcoef\] x and y must have at most 2 dimensions"):
        mx.corrcoef(mx.ones((2, 2, 2)))
