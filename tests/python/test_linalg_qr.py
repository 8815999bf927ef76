"""mx.linalg.qr on small float32 matrices (lapack.c's own Householder path, up to 64 x 64) and
just past it (LAPACK): the same Q and R as numpy's float64 LAPACK, signs included, over batches,
wide and tall shapes, strided inputs, zero columns and extreme scales."""
import numpy as np
import pytest

import mlx.core as mx

RNG = np.random.default_rng(11)


def check(a, x=None, tol=2e-5):
    """qr of a (float32 numpy, ..., M, N), or of the mlx view x with a's values."""
    q, r = mx.linalg.qr(mx.array(a) if x is None else x, stream=mx.cpu)
    m, n = a.shape[-2:]
    k = min(m, n)
    assert q.dtype == mx.float32 and r.dtype == mx.float32
    assert q.shape == a.shape[:-1] + (k,) and r.shape == a.shape[:-2] + (k, n)
    q, r = np.array(q, np.float64), np.array(r, np.float64)
    a64 = a.astype(np.float64)
    scale = max(np.abs(a64).max(), np.finfo(np.float64).tiny)
    np.testing.assert_allclose(q @ r, a64, atol=tol * scale)
    assert np.all(np.tril(r, -1) == 0)
    eye = np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k))
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, eye, atol=tol * 10)
    return q, r


@pytest.mark.parametrize("shape", [(256, 16, 16), (7, 5, 9), (7, 9, 5), (3, 1, 1), (2, 1, 6),
                                   (2, 6, 1), (2, 64, 64), (2, 64, 40), (2, 40, 64), (2, 65, 65),
                                   (2, 3, 4, 8, 8)])
def test_qr_matches_lapack(shape):
    a = RNG.standard_normal(shape).astype(np.float32)
    q, r = check(a)
    if shape[-2] >= shape[-1]:  # numpy's reduced qr has the same shapes (and LAPACK's signs)
        qn, rn = np.linalg.qr(a.astype(np.float64))
        np.testing.assert_allclose(q, qn, atol=1e-4)
        np.testing.assert_allclose(r, rn, atol=1e-4)


def test_qr_strided_inputs():
    a = RNG.standard_normal((6, 12, 10)).astype(np.float32)
    x = mx.array(a)
    check(a.swapaxes(-1, -2).copy(), x.swapaxes(-1, -2))
    check(a[::2, 1::2, ::3].copy(), x[::2, 1::2, ::3])
    b = np.broadcast_to(a[0], (3, 12, 10)).copy()
    check(b, mx.broadcast_to(x[0], (3, 12, 10)))


def test_qr_degenerate_columns():
    a = RNG.standard_normal((3, 8, 8)).astype(np.float32)
    a[0] = 0
    a[1, :, 2] = 0  # a zero column: no reflector for it
    a[2] = np.eye(8, dtype=np.float32)
    q, r = check(a)
    np.testing.assert_array_equal(r[0], 0)
    np.testing.assert_array_equal(q[0], np.eye(8))  # identity reflectors, as LAPACK leaves them


@pytest.mark.parametrize("scale", [1e-30, 1e-19, 1e19, 1e30])
def test_qr_extreme_scales(scale):
    a = (RNG.standard_normal((4, 16, 16)) * scale).astype(np.float32)
    check(a, tol=5e-5)
