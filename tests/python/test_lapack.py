"""mlx.core.linalg (the lapack family) against numpy.linalg float64 references: every op in
float32 and float64, batched and transposed (non-contiguous) inputs, and bad arguments (the
error types and messages of MLX 0.32.4; the process keeps working after each)."""
import numpy as np
import pytest

import mlx.core as mx

LA = mx.linalg
RNG = np.random.default_rng(7)
# (mlx dtype, numpy dtype, absolute tolerance for O(1) results)
DTYPES = [(mx.float32, np.float32, 2e-4), (mx.float64, np.float64, 1e-10)]
DT_IDS = ["float32", "float64"]


def rand(*shape, shift=0.0, sym=False):
    a = RNG.uniform(-1, 1, shape)
    if sym:
        a = (a + np.swapaxes(a, -1, -2)) / 2
    if shift:
        a = a + shift * np.eye(shape[-1])
    return a


def arr(a, dt):
    """a (float64 numpy) as an mlx array of dt, and a rounded to dt (the reference's input)."""
    npdt = np.float32 if dt == mx.float32 else np.float64
    r = np.asarray(a).astype(npdt)
    return mx.array(r, dtype=dt), r.astype(np.float64)


def np_of(x):
    return np.array(x.astype(mx.float64)) if x.dtype != mx.complex64 else np.array(x)


def spd(*shape):
    x = rand(*shape)
    return x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])


def both_layouts(a, dt):
    """(mlx input, reference) pairs: contiguous, and the transpose of a contiguous array."""
    x, r = arr(a, dt)
    xt, rt = arr(np.swapaxes(a, -1, -2).copy(), dt)
    return [(x, r), (xt.swapaxes(-1, -2), np.swapaxes(rt, -1, -2))]


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
def test_inv(dt, npdt, tol):
    for x, a in both_layouts(rand(3, 2, 5, 5, shift=3), dt):
        y = LA.inv(x, stream=mx.cpu)
        assert y.dtype == dt and y.shape == a.shape
        np.testing.assert_allclose(np_of(y), np.linalg.inv(a), atol=tol * 10)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
def test_solve(dt, npdt, tol):
    a, b, v = rand(3, 2, 5, 5, shift=3), rand(3, 2, 5, 4), rand(5)
    for x, ar in both_layouts(a, dt):
        xb, br = arr(b, dt)
        np.testing.assert_allclose(np_of(LA.solve(x, xb)), np.linalg.solve(ar, br), atol=tol * 10)
        # b 1-D: a vector for every matrix (numpy 2); b (..., N) is a batch of matrices
        xv, vr = arr(v, dt)
        sv = LA.solve(x, xv)
        assert sv.shape == (3, 2, 5) and sv.dtype == dt
        np.testing.assert_allclose(np_of(sv), np.linalg.solve(ar, vr), atol=tol * 10)
        with pytest.raises(ValueError, match=r"Last dimension of first input"):
            LA.solve(x, mx.ones((3, 2, 5)))
        xb1, br1 = arr(b[0, 0], dt)  # broadcast over a's batch
        np.testing.assert_allclose(np_of(LA.solve(x, xb1)), np.linalg.solve(ar, br1),
                                   atol=tol * 10)
    # an integer right-hand side takes a's float dtype; float32 with float64 promotes
    x, ar = arr(a[0, 0], dt)
    r = LA.solve(x, mx.arange(5))
    assert r.dtype == dt
    np.testing.assert_allclose(np_of(r), np.linalg.solve(ar, np.arange(5.0)), atol=tol * 50)
    assert LA.solve(x, mx.ones((5,), dtype=mx.float64)).dtype == mx.float64


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("upper", [False, True])
def test_tri_inv_solve_triangular(dt, npdt, tol, upper):
    for x, a in both_layouts(rand(2, 4, 4, shift=3), dt):
        t = np.triu(a) if upper else np.tril(a)
        y = np_of(LA.tri_inv(x, upper=upper))
        np.testing.assert_allclose(y, np.linalg.inv(t), atol=tol * 10)
        assert np.all((np.tril(y, -1) if upper else np.triu(y, 1)) == 0)
        xb, b = arr(rand(2, 4, 3), dt)
        np.testing.assert_allclose(np_of(LA.solve_triangular(x, xb, upper=upper)),
                                   np.linalg.solve(t, b), atol=tol * 10)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(dt, npdt, tol, upper):
    for x, a in both_layouts(spd(3, 4, 4), dt):
        l = np.linalg.cholesky(a)
        want = np.swapaxes(l, -1, -2) if upper else l
        got = LA.cholesky(x, upper=upper)
        assert got.dtype == dt
        np.testing.assert_allclose(np_of(got), want, atol=tol * 10)
        np.testing.assert_allclose(np_of(LA.cholesky_inv(got, upper=upper)), np.linalg.inv(a),
                                   atol=tol * 20)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", [(4, 4), (2, 6, 3), (2, 3, 6)])
def test_qr(dt, npdt, tol, shape):
    for x, a in both_layouts(rand(*shape), dt):
        q, r = LA.qr(x)
        k = min(shape[-2:])
        assert q.shape == shape[:-1] + (k,) and r.shape == shape[:-2] + (k, shape[-1])
        q, r = np_of(q), np_of(r)
        np.testing.assert_allclose(q @ r, a, atol=tol * 10)
        eye = np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k))
        np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, eye, atol=tol * 10)
        assert np.all(np.tril(r, -1) == 0)
        # R's diagonal matches numpy's up to sign
        np.testing.assert_allclose(np.abs(np.diagonal(r, 0, -2, -1)),
                                   np.abs(np.diagonal(np.linalg.qr(a)[1], 0, -2, -1)),
                                   atol=tol * 10)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", [(4, 4), (2, 6, 3), (2, 3, 6)])
def test_svd(dt, npdt, tol, shape):
    for x, a in both_layouts(rand(*shape), dt):
        u, s, vt = LA.svd(x)
        m, n = shape[-2:]
        assert u.shape[-2:] == (m, m) and vt.shape[-2:] == (n, n) and s.dtype == dt
        u, s, vt = np_of(u), np_of(s), np_of(vt)
        np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=tol * 10)
        k = min(m, n)
        np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vt[..., :k, :], a,
                                   atol=tol * 10)
        np.testing.assert_allclose(np.swapaxes(u, -1, -2) @ u,
                                   np.broadcast_to(np.eye(m), u.shape), atol=tol * 10)
        s2 = LA.svd(x, compute_uv=False)
        assert isinstance(s2, mx.array)
        np.testing.assert_allclose(np_of(s2), s, atol=tol * 10)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(dt, npdt, tol, uplo):
    for x, a in both_layouts(rand(2, 5, 5), dt):  # only the uplo triangle is read
        full = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2) if uplo == "L" else \
            np.triu(a) + np.swapaxes(np.triu(a, 1), -1, -2)
        w, v = LA.eigh(x, UPLO=uplo)
        assert w.dtype == dt and v.dtype == dt
        w, v = np_of(w), np_of(v)
        np.testing.assert_allclose(w, np.linalg.eigvalsh(full), atol=tol * 10)
        np.testing.assert_allclose(full @ v, v * w[..., None, :], atol=tol * 20)
        np.testing.assert_allclose(np_of(LA.eigvalsh(x, uplo)), w, atol=tol * 10)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
def test_eig(dt, npdt, tol):
    for x, a in both_layouts(rand(3, 5, 5), dt):
        w, v = LA.eig(x, stream=mx.cpu)
        assert w.dtype == mx.complex64 and v.dtype == mx.complex64
        assert w.shape == (3, 5) and v.shape == (3, 5, 5)
        w, v = np.array(w).astype(np.complex128), np.array(v).astype(np.complex128)
        # A v = w v, unit columns; the values as numpy's (as sets)
        np.testing.assert_allclose(a @ v, v * w[..., None, :], atol=1e-4)
        np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1, atol=1e-5)
        want = np.linalg.eigvals(a)
        for i in range(3):
            np.testing.assert_allclose(np.sort_complex(w[i]), np.sort_complex(want[i]), atol=1e-4)
        w2 = np.array(LA.eigvals(x, stream=mx.cpu))
        np.testing.assert_allclose(w2, w, atol=1e-5)
    # a rotation: +-i, and complex64 input (Hermitian: real eigenvalues)
    w = np.array(LA.eigvals(mx.array([[0.0, 1.0], [-1.0, 0.0]], dtype=dt), stream=mx.cpu))
    np.testing.assert_allclose(np.sort_complex(w), [-1j, 1j], atol=1e-6)
    h = np.array([[2, 1j], [-1j, 3]], dtype=np.complex64)
    w, v = LA.eig(mx.array(h), stream=mx.cpu)
    w, v = np.array(w), np.array(v)
    np.testing.assert_allclose(h @ v, v * w[None, :], atol=1e-5)
    np.testing.assert_allclose(np.sort(w.real), np.linalg.eigvalsh(h), atol=1e-5)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", [(3, 3), (2, 5, 3), (2, 3, 5)])
def test_lu(dt, npdt, tol, shape):
    for x, a in both_layouts(rand(*shape), dt):
        p, l, u = LA.lu(x)
        assert p.dtype == mx.uint32 and l.dtype == dt and u.dtype == dt
        k = min(shape[-2:])
        assert l.shape == shape[:-1] + (k,) and u.shape == shape[:-2] + (k, shape[-1])
        p, l, u = np.array(p), np_of(l), np_of(u)
        assert np.all(np.triu(l, 1) == 0) and np.all(np.tril(u, -1) == 0)
        lu_ = l @ u
        for idx in np.ndindex(*shape[:-2]):
            np.testing.assert_allclose(lu_[idx][p[idx]], a[idx], atol=tol * 10)
        lu2, piv = LA.lu_factor(x)
        assert piv.dtype == mx.uint32 and piv.shape == shape[:-2] + (k,)
        assert lu2.shape == shape


def test_matches_mlx_layouts():
    a = mx.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 10]])
    lu, piv = LA.lu_factor(a)
    assert piv.tolist() == [2, 2, 2]
    np.testing.assert_allclose(np.array(lu), [[7, 8, 10], [1 / 7, 6 / 7, 11 / 7], [4 / 7, 0.5, -0.5]],
                               atol=1e-6)
    p, l, u = LA.lu(a)
    assert p.tolist() == [1, 2, 0]
    q, r = LA.qr(mx.array([[1.0, 2], [3, 4], [5, 6]]))
    assert q.shape == (3, 2) and r.shape == (2, 2)
    assert r[0, 0].item() < 0  # LAPACK's sign convention, as MLX


@pytest.mark.parametrize("fn,make", [
    (LA.inv, lambda: np.swapaxes(rand(5, 3, 3, shift=3), 0, 1)),
    (lambda x: LA.tri_inv(x, upper=True), lambda: np.swapaxes(rand(5, 3, 3, shift=3), 0, 1)),
    (LA.cholesky, lambda: np.swapaxes(spd(5, 3, 3), 0, 1)),
    (lambda x: LA.eigh(x)[1], lambda: np.swapaxes(rand(5, 3, 3, sym=True), 0, 1)),
    (lambda x: LA.svd(x, compute_uv=False), lambda: rand(3, 5, 4)),
    (lambda x: LA.qr(x)[1], lambda: rand(3, 5, 4)),
    (lambda x: LA.lu_factor(x)[0], lambda: rand(3, 5, 3)),
    (lambda x: LA.eigvals(x), lambda: rand(3, 5, 3)),
    (LA.det, lambda: np.swapaxes(rand(5, 3, 3, shift=2), 0, 1)),
])
def test_vmap(fn, make):
    # in_axes=1: the matrices are a[:, i, :]
    a = mx.array(make(), dtype=mx.float64)
    got = mx.vmap(fn, in_axes=1, out_axes=0)(a)
    want = mx.stack([fn(a[:, i, :]) for i in range(a.shape[1])])
    np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-12)


def test_vmap_inv_reference():
    a = np.swapaxes(rand(5, 3, 3, shift=3), 0, 1)
    got = mx.vmap(LA.inv, in_axes=1, out_axes=0)(mx.array(a, dtype=mx.float64))
    np.testing.assert_allclose(np_of(got), np.linalg.inv(np.swapaxes(a, 0, 1)), atol=1e-10)
    with pytest.raises(ValueError, match=r"\[linalg::inv\] Inverses are only defined for square"):
        mx.vmap(LA.inv, in_axes=1)(mx.ones((3, 4, 4)))  # slices are 3 x 4


def test_no_gradients_as_mlx():
    # MLX 0.32.4 has no vjp / jvp for the factorization primitives
    x = mx.eye(2) * 2
    for f, name in [(lambda x: LA.inv(x).sum(), "Inverse"),
                    (lambda x: LA.cholesky(x).sum(), "Cholesky"),
                    (lambda x: LA.svd(x)[1].sum(), "SVD"),
                    (lambda x: LA.eigh(x)[0].sum(), "Eigh"),
                    (lambda x: LA.qr(x)[1].sum(), "QRF"),
                    (lambda x: LA.lu_factor(x)[0].sum(), "LUF"),
                    (lambda x: mx.real(LA.eigvals(x)).sum(), "Eig")]:
        with pytest.raises(ValueError, match=r"vjp.*\b%s\b|\b%s\b.*vjp" % (name, name)):
            mx.grad(f)(x)
    np.testing.assert_allclose(np.array(LA.inv(x)), 0.5 * np.eye(2))


def expect(exc, pattern, fn, *args, **kwargs):
    with pytest.raises(exc, match=pattern or None):
        mx.eval(fn(*args, **kwargs))
    assert LA.inv(mx.eye(2) * 4).tolist() == [[0.25, 0.0], [0.0, 0.25]]  # still working


F32 = r"Arrays must have type float32 or float64\. Received array with type int32"
DIMS = r"Arrays must have >= 2 dimensions\. Received array with 1 dimensions"


def test_errors_square_ops():
    i2, ns, v3 = mx.array([[1, 2], [3, 4]]), mx.ones((2, 3)), mx.ones((3,))
    for name in ["inv", "tri_inv", "cholesky", "cholesky_inv"]:
        fn = getattr(LA, name)
        expect(ValueError, r"\[linalg::%s\] " % name + F32, fn, i2)
        expect(ValueError, r"\[linalg::%s\] " % name + DIMS, fn, v3)
        expect(ValueError, r"\[linalg::%s\] .*only defined for square matrices" % name, fn, ns)
        expect(TypeError, "", fn, [[1.0, 2.0], [3.0, 4.0]])
    expect(ValueError, r"float16", LA.inv, mx.ones((2, 2), dtype=mx.float16))
    expect(RuntimeError, r"\[Inverse::eval_cpu\] LU factorization failed with error code 2",
           LA.inv, mx.ones((2, 2)))
    expect(RuntimeError, r"\[Inverse::eval_cpu\] triangular inversion failed with error code 1",
           LA.tri_inv, mx.zeros((2, 2)))
    expect(RuntimeError, r"\[Cholesky::eval_cpu\] Cholesky decomposition failed",
           LA.cholesky, -mx.eye(2))
    expect(TypeError, "", LA.cholesky, mx.eye(2), upper="yes", stream=None, bogus=1)


def test_errors_factorizations():
    i2, ns, v3 = mx.array([[1, 2], [3, 4]]), mx.ones((2, 3)), mx.ones((3,))
    cx = r"Arrays must have type float32, float64 or complex64\. Received array with type int32"
    for name in ["qr", "lu", "lu_factor", "pinv"]:
        fn = getattr(LA, name)
        expect(ValueError, r"\[linalg::%s\] " % name + F32, fn, i2)
        expect(ValueError, r"\[linalg::%s\] " % name + DIMS, fn, v3)
        expect(TypeError, "", fn, "not an array")
    expect(ValueError, r"\[linalg::svd\] " + cx, LA.svd, i2)
    expect(ValueError, r"\[linalg::svd\] Input array must have >= 2 dimensions", LA.svd, v3)
    for name in ["eig", "eigvals"]:
        fn = getattr(LA, name)
        expect(ValueError, r"\[linalg::%s\] " % name + cx, fn, i2)
        expect(ValueError, r"\[linalg::%s\] " % name + DIMS, fn, v3)
        expect(ValueError, r"\[linalg::%s\] Only defined for square matrices" % name, fn, ns)
    for name in ["eigh", "eigvalsh"]:
        fn = getattr(LA, name)
        expect(ValueError, r"\[linalg::%s\] " % name + cx, fn, i2)
        expect(ValueError, r"\[linalg::%s\] Only defined for square matrices" % name, fn, ns)
        expect(ValueError, r"UPLO", fn, mx.eye(2), UPLO="X")
        expect(TypeError, "", fn, mx.eye(2), UPLO=3)


def test_errors_solve():
    for name in ["solve", "solve_triangular"]:
        fn = getattr(LA, name)
        expect(ValueError, r"\[linalg::%s\] Last dimension of first input with shape \(2,2\) must "
               r"match second to last dimension of second input with shape \(3\)" % name,
               fn, mx.ones((2, 2)), mx.ones((3,)))
        expect(ValueError, r"\[linalg::%s\] First input must have >= 2 dimensions" % name,
               fn, mx.ones((2,)), mx.ones((2,)))
        expect(ValueError, r"\[linalg::%s\] First input must be a square matrix\. Received array "
               r"with shape \(2,3\)" % name, fn, mx.ones((2, 3)), mx.ones((2,)))
        expect(ValueError, r"float32 or float64", fn, mx.array([[1, 2], [3, 4]]), mx.ones((2,)))
        expect(TypeError, "", fn, mx.eye(2))
    expect(RuntimeError, r"\[Inverse::eval_cpu\]", LA.solve, mx.ones((2, 2)), mx.ones((2,)))
    expect(RuntimeError, r"triangular inversion failed", LA.solve_triangular, mx.zeros((2, 2)),
           mx.ones((2,)))


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy: 0 ** negative
@pytest.mark.parametrize("ord", [None, 1, 2, 0, 3, 0.5, -1, -0.5, np.inf, -np.inf])
def test_vector_norm(dt, npdt, tol, ord):
    a = rand(3, 4)
    a[0, 1] = 0
    x, a = arr(a, dt)
    got = LA.norm(x, ord=ord, axis=1)
    assert got.dtype == dt
    want = np.linalg.norm(a, ord=ord, axis=1)
    np.testing.assert_allclose(np_of(got), want, rtol=tol * 10, atol=tol)
    got = LA.norm(x, ord=ord, axis=-1, keepdims=True)
    assert got.shape == (3, 1)
    np.testing.assert_allclose(np_of(LA.norm(x.T, ord=ord, axis=0)), want, rtol=tol * 10,
                               atol=tol)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf])
def test_matrix_norm(dt, npdt, tol, ord):
    x, a = arr(rand(2, 3, 4), dt)
    got = LA.norm(x, ord=ord, axis=(1, 2))
    np.testing.assert_allclose(np_of(got), np.linalg.norm(a, ord=ord, axis=(1, 2)), rtol=tol * 10)
    got = LA.norm(x, ord=ord, axis=(2, 0), keepdims=True)
    np.testing.assert_allclose(np_of(got), np.linalg.norm(a, ord=ord, axis=(2, 0), keepdims=True),
                               rtol=tol * 10)
    if ord is not None:
        np.testing.assert_allclose(np_of(LA.norm(x[0], ord)), np.linalg.norm(a[0], ord),
                                   rtol=tol * 10)
        np.testing.assert_allclose(np_of(LA.norm(x[0].T, ord)), np.linalg.norm(a[0].T, ord),
                                   rtol=tol * 10)


def test_norm_defaults_and_errors():
    x, a = arr(rand(2, 3, 4), mx.float64)
    np.testing.assert_allclose(np_of(LA.norm(x)), np.linalg.norm(a.ravel()), rtol=1e-12)
    assert LA.norm(x, keepdims=True).shape == (1, 1, 1)
    r = LA.norm(mx.array([[1, -2], [3, 4]]))
    assert r.dtype == mx.float32 and abs(r.item() - 30 ** 0.5) < 1e-6
    assert LA.norm(mx.ones((2,), dtype=mx.float16)).dtype == mx.float16
    assert LA.norm(mx.array(3.0)).item() == 3.0
    assert LA.norm(mx.array([1.0, -2.0, 0.0]), ord=True).item() == 3.0  # bool: an int, as MLX
    c = LA.norm(mx.array([1 + 1j, 2 + 0j]))
    assert c.dtype == mx.float32 and abs(c.item() - 6 ** 0.5) < 1e-6
    expect(ValueError, r"\[linalg::norm\] Invalid ord 3 for matrix norm", LA.norm,
           mx.ones((2, 2)), ord=3)
    expect(ValueError, r"\[linalg::norm\] Norm 'fro' only supported for matrices, but received 1 "
           r"axis/axes", LA.norm, mx.ones((2,)), ord="fro")
    expect(ValueError, r"\[linalg::norm\] Received too many axes for norm", LA.norm,
           mx.ones((2, 2, 2)), ord=1)
    expect(ValueError, r"too many axes", LA.norm, mx.ones((2, 2, 2)), axis=(0, 1, 2))
    expect(ValueError, r"Invalid ord value 'abc' for matrix norm", LA.norm, mx.ones((2, 2)),
           ord="abc")
    expect(ValueError, r"[Dd]uplicate", LA.norm, mx.ones((2, 2, 2)), axis=(1, 1))
    expect(TypeError, "", LA.norm, mx.ones((2,)), ord=[1])


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("shape", [(4, 4), (2, 5, 3), (3, 5)])
def test_pinv(dt, npdt, tol, shape):
    for x, a in both_layouts(rand(*shape), dt):
        p = LA.pinv(x)
        assert p.dtype == dt and p.shape == shape[:-2] + (shape[-1], shape[-2])
        np.testing.assert_allclose(np_of(p), np.linalg.pinv(a), atol=tol * 100)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
def test_cross(dt, npdt, tol):
    (x, a), (y, b) = arr(rand(4, 3), dt), arr(rand(1, 3), dt)
    r = LA.cross(x, y)
    assert r.dtype == dt
    np.testing.assert_allclose(np_of(r), np.cross(a, b), atol=tol)
    (x, a), (y, b) = arr(rand(3, 2), dt), arr(rand(3, 2), dt)
    np.testing.assert_allclose(np_of(LA.cross(x.T, y.T, axis=-1)), np.cross(a.T, b.T), atol=tol)
    r = LA.cross(mx.array([1.0, 2.0]), mx.array([4.0, 5.0]))
    assert r.tolist() == [0.0, 0.0, -3.0]
    # a 3-vector with a 2-vector (a zero third component), as MLX
    assert LA.cross(mx.ones((3,)), mx.ones((2,))).tolist() == [-1.0, 1.0, 0.0]
    assert LA.cross(mx.array([1, 2, 3]), mx.array([4, 5, 6])).tolist() == [-3, 6, -3]
    assert LA.cross(mx.array([1, 2, 3]), mx.array([4, 5, 6])).dtype == mx.int32
    expect(ValueError, r"\[linalg::cross\] The specified axis must have size 2 or 3", LA.cross,
           mx.ones((4,)), mx.ones((4,)))
    expect(IndexError, r"\[linalg::cross\] Axis 2 is out of bounds for array with 1 dimensions",
           LA.cross, mx.ones((3,)), mx.ones((3,)), axis=2)
    expect(TypeError, "", LA.cross, mx.ones((3,)), [1, 2, 3])


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
def test_det_slogdet(dt, npdt, tol):
    for x, a in both_layouts(rand(3, 4, 4, shift=0.5), dt):
        d = LA.det(x)
        assert d.dtype == dt and d.shape == (3,)
        np.testing.assert_allclose(np_of(d), np.linalg.det(a), rtol=tol * 10)
        s, l = LA.slogdet(x)
        ws, wl = np.linalg.slogdet(a)
        np.testing.assert_allclose(np_of(s), ws)
        np.testing.assert_allclose(np_of(l), wl, rtol=tol * 10, atol=tol)
    assert LA.det(mx.array([[1, 2], [3, 4]])).dtype == mx.float32
    assert abs(LA.det(mx.array([[1, 2], [3, 4]])).item() + 2) < 1e-5
    s, l = LA.slogdet(mx.zeros((2, 2)))
    assert s.item() == 0 and l.item() == -np.inf
    expect(ValueError, r"\[linalg::det\] Only defined for square matrices", LA.det, mx.ones((2, 3)))
    expect(ValueError, r"\[linalg::slogdet\] Arrays must have >= 2 dimensions", LA.slogdet,
           mx.ones((3,)))
    expect(TypeError, "", LA.det, 3.0)


def test_complex64_svd_eigh_norm():
    a = (rand(2, 4, 3) + 1j * rand(2, 4, 3)).astype(np.complex64)
    u, s, vt = LA.svd(mx.array(a), stream=mx.cpu)
    assert u.dtype == mx.complex64 and s.dtype == mx.float32 and vt.dtype == mx.complex64
    assert u.shape == (2, 4, 4) and vt.shape == (2, 3, 3)
    np.testing.assert_allclose(np.array(s), np.linalg.svd(a, compute_uv=False), atol=1e-5)
    recon = (np.array(u)[..., :3] * np.array(s)[..., None, :]) @ np.array(vt)
    np.testing.assert_allclose(recon, a, atol=1e-5)
    assert LA.svd(mx.array(a), compute_uv=False).dtype == mx.float32
    h = a[:, :3, :] + np.conj(np.swapaxes(a[:, :3, :], -1, -2))  # Hermitian
    for uplo in ["L", "U"]:
        w, v = LA.eigh(mx.array(h), UPLO=uplo, stream=mx.cpu)
        assert w.dtype == mx.float32 and v.dtype == mx.complex64
        w, v = np.array(w), np.array(v)
        np.testing.assert_allclose(w, np.linalg.eigvalsh(h), atol=1e-5)
        np.testing.assert_allclose(h @ v, v * w[..., None, :], atol=1e-5)
        np.testing.assert_allclose(np.array(LA.eigvalsh(mx.array(h), UPLO=uplo)), w, atol=1e-5)
    for ord in ["nuc", 2, -2, "fro", 1, np.inf]:
        got = LA.norm(mx.array(a), ord=ord, axis=(1, 2))
        assert got.dtype == mx.float32
        np.testing.assert_allclose(np.array(got), np.linalg.norm(a, ord=ord, axis=(1, 2)),
                                   rtol=1e-5)


@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
def test_det_slogdet_gradients(dt, npdt, tol):
    # MLX differentiates det and slogdet (vjp and jvp): d det = det inv(a)^T
    x, a = arr(rand(2, 4, 4, shift=1), dt)
    inv_t = np.swapaxes(np.linalg.inv(a), -1, -2)
    g = mx.grad(lambda x: LA.det(x).sum())(x)
    assert g.dtype == dt
    np.testing.assert_allclose(np_of(g), np.linalg.det(a)[:, None, None] * inv_t, rtol=tol * 100,
                               atol=tol * 10)
    g = mx.grad(lambda x: LA.slogdet(x)[1].sum())(x)
    np.testing.assert_allclose(np_of(g), inv_t, atol=tol * 10)
    g = mx.grad(lambda x: LA.slogdet(x)[0].sum() + LA.slogdet(x)[1].sum())(x)
    np.testing.assert_allclose(np_of(g), inv_t, atol=tol * 10)
    # vjp through vmap, and the forward under vmap
    gv = mx.vmap(mx.grad(LA.det))(x)
    np.testing.assert_allclose(np_of(gv), np.linalg.det(a)[:, None, None] * inv_t,
                               rtol=tol * 100, atol=tol * 10)


# Beyond 3 x 3 det goes through LU (no jvp, as in MLX) inside a custom function with its own jvp:
# forward mode must not walk into the function's graph (MLX does, and fails).
@pytest.mark.parametrize("dt,npdt,tol", DTYPES, ids=DT_IDS)
def test_det_slogdet_jvp(dt, npdt, tol):
    x, a = arr(rand(2, 4, 4, shift=1), dt)
    t, at = arr(rand(2, 4, 4), dt)
    (d,), (dd,) = mx.jvp(LA.det, [x], [t])
    np.testing.assert_allclose(np_of(d), np.linalg.det(a), rtol=tol * 10)
    want = np.linalg.det(a) * np.einsum("bij,bji->b", np.linalg.inv(a), at)
    np.testing.assert_allclose(np_of(dd), want, rtol=tol * 100, atol=tol * 10)
    _, (ds, dl) = mx.jvp(lambda x: LA.slogdet(x), [x], [t])
    assert np.all(np_of(ds) == 0)
    np.testing.assert_allclose(np_of(dl), want / np.linalg.det(a), rtol=tol * 100, atol=tol * 10)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_det_small_closed_forms(n):
    # up to 3 x 3 det is elementwise (as MLX): vjp, jvp and vmap all apply
    x, a = arr(rand(2, n, n, shift=1), mx.float64)
    np.testing.assert_allclose(np_of(LA.det(x)), np.linalg.det(a), rtol=1e-12)
    np.testing.assert_allclose(np_of(LA.det(x.swapaxes(-1, -2))), np.linalg.det(a), rtol=1e-12)
    s, l = LA.slogdet(x)
    ws, wl = np.linalg.slogdet(a)
    np.testing.assert_allclose(np_of(s), ws)
    np.testing.assert_allclose(np_of(l), wl, rtol=1e-12)
    inv_t = np.swapaxes(np.linalg.inv(a), -1, -2)
    g = mx.grad(lambda x: LA.det(x).sum())(x)
    np.testing.assert_allclose(np_of(g), np.linalg.det(a)[:, None, None] * inv_t, rtol=1e-10)
    t, at = arr(rand(2, n, n), mx.float64)
    _, (dd,) = mx.jvp(LA.det, [x], [t])
    want = np.linalg.det(a) * np.einsum("bij,bji->b", np.linalg.inv(a), at)
    np.testing.assert_allclose(np_of(dd), want, rtol=1e-10, atol=1e-12)
    _, (_, dl) = mx.jvp(LA.slogdet, [x], [t])
    np.testing.assert_allclose(np_of(dl), want / np.linalg.det(a), rtol=1e-10, atol=1e-12)
    assert LA.det(mx.zeros((3, 0, 0))).tolist() == [1.0, 1.0, 1.0]


def test_large_batches_of_small_matrices():
    # batches of small matrices run over the CPU worker pool
    a = rand(3000, 4, 4, shift=2)
    x = mx.array(a, dtype=mx.float64)
    s = a @ np.swapaxes(a, -1, -2)
    xs = mx.array(s, dtype=mx.float64)
    np.testing.assert_allclose(np_of(LA.inv(x)), np.linalg.inv(a), atol=1e-10)
    np.testing.assert_allclose(np_of(LA.cholesky(xs)), np.linalg.cholesky(s), atol=1e-10)
    np.testing.assert_allclose(np_of(LA.eigvalsh(xs)), np.linalg.eigvalsh(s), atol=1e-10)
    np.testing.assert_allclose(np_of(LA.svd(x, compute_uv=False)), np.linalg.svd(a, compute_uv=False),
                               atol=1e-10)
    q, r = LA.qr(x)
    np.testing.assert_allclose(np_of(q) @ np_of(r), a, atol=1e-10)
    lu, piv = LA.lu_factor(x)
    p, l, u = LA.lu(x)
    lu_ = np_of(l) @ np_of(u)
    p = np.array(p)
    np.testing.assert_allclose(np.take_along_axis(lu_, p[..., None], axis=-2), a, atol=1e-10)
    w = np.array(LA.eigvals(x)).astype(np.complex128)
    np.testing.assert_allclose(np.sort_complex(w), np.sort_complex(np.linalg.eigvals(a)), atol=1e-4)
    # one singular matrix deep in the batch: the error reaches the caller
    a[2500] = 0
    with pytest.raises(RuntimeError, match=r"\[Inverse::eval_cpu\] LU factorization failed"):
        mx.eval(LA.inv(mx.array(a, dtype=mx.float64)))
    assert LA.inv(mx.eye(2) * 4).tolist() == [[0.25, 0.0], [0.0, 0.25]]


def test_empty_matrices():
    z, b = mx.zeros((0, 0)), mx.zeros((0, 3, 3))
    for fn in [LA.inv, LA.tri_inv, LA.cholesky, LA.cholesky_inv, LA.pinv, LA.eigvals,
               LA.eigvalsh]:
        assert fn(z).size == 0 and fn(b).shape[0] == 0
    assert LA.pinv(mx.zeros((2, 0))).shape == (0, 2)
    u, s, vt = LA.svd(mx.zeros((2, 0)))
    assert u.shape == (2, 2) and s.shape == (0,) and vt.shape == (0, 0)
    assert np.array_equal(np.array(u), np.eye(2))
    q, r = LA.qr(mx.zeros((0, 3)))
    assert q.shape == (0, 0) and r.shape == (0, 3)
    assert LA.det(z).item() == 1.0 and LA.det(b).shape == (0,)
