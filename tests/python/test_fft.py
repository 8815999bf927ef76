"""mlx.core.fft against numpy.fft (float64 references, complex64 tolerances): every transform
with n / s, axes and norm, lengths with large prime factors (Bluestein), strided inputs, dtype
promotion, fftfreq / rfftfreq / fftshift / ifftshift, gradients (vjp against the adjoint built
from numpy, jvp), vmap, bad arguments."""
import numpy as np
import pytest

import mlx.core as mx

rng = np.random.default_rng(11)
NORMS = ["backward", "ortho", "forward"]


def crand(shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def rrand(shape):
    return rng.standard_normal(shape).astype(np.float32)


def close(got, want, tol=2e-5):
    got = np.array(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.size == 0:
        return
    scale = np.max(np.abs(want)) + 1
    n = max(want.size, 2)
    err = np.max(np.abs(got.astype(np.complex128) - want)) / scale
    assert err <= tol * np.log2(n), err


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 12, 13, 17, 30, 64, 97, 100, 210, 251, 1024, 1031])
def test_fft_lengths(n):
    x = crand((3, n))
    close(mx.fft.fft(mx.array(x)), np.fft.fft(x.astype(np.complex128)))
    close(mx.fft.ifft(mx.array(x)), np.fft.ifft(x.astype(np.complex128)))
    r = rrand((2, n))
    got = mx.fft.rfft(mx.array(r))
    assert got.dtype == mx.complex64
    close(got, np.fft.rfft(r.astype(np.float64)))
    h = np.fft.rfft(r.astype(np.float64))
    back = mx.fft.irfft(mx.array(h.astype(np.complex64)), n=n)
    assert back.dtype == mx.float32
    close(back, np.fft.irfft(h, n=n))


@pytest.mark.parametrize("norm", NORMS)
def test_one_axis_n_axis_norm(norm):
    x = crand((4, 6, 5))
    xd = x.astype(np.complex128)
    for n in (None, 3, 9):
        for axis in (0, 1, -1):
            close(mx.fft.fft(mx.array(x), n=n, axis=axis, norm=norm),
                  np.fft.fft(xd, n=n, axis=axis, norm=norm))
            close(mx.fft.ifft(mx.array(x), n=n, axis=axis, norm=norm),
                  np.fft.ifft(xd, n=n, axis=axis, norm=norm))
            close(mx.fft.rfft(mx.array(x.real), n=n, axis=axis, norm=norm),
                  np.fft.rfft(xd.real, n=n, axis=axis, norm=norm))
            close(mx.fft.irfft(mx.array(x), n=n, axis=axis, norm=norm),
                  np.fft.irfft(xd, n=n, axis=axis, norm=norm))


@pytest.mark.parametrize("norm", NORMS)
def test_multi_axis(norm):
    x = crand((3, 4, 6))
    xd = x.astype(np.complex128)
    a = mx.array(x)
    close(mx.fft.fft2(a, norm=norm), np.fft.fft2(xd, norm=norm))
    close(mx.fft.ifft2(a, norm=norm), np.fft.ifft2(xd, norm=norm))
    close(mx.fft.fftn(a, norm=norm), np.fft.fftn(xd, norm=norm))
    close(mx.fft.ifftn(a, norm=norm), np.fft.ifftn(xd, norm=norm))
    close(mx.fft.fftn(a, s=[5, 3], axes=[2, 0], norm=norm),
          np.fft.fftn(xd, s=[5, 3], axes=[2, 0], norm=norm))
    close(mx.fft.rfft2(mx.array(x.real), norm=norm), np.fft.rfft2(xd.real, norm=norm))
    close(mx.fft.rfftn(mx.array(x.real), norm=norm), np.fft.rfftn(xd.real, norm=norm))
    close(mx.fft.rfftn(mx.array(x.real), s=[2, 7], axes=[0, 1], norm=norm),
          np.fft.rfftn(xd.real, s=[2, 7], axes=[0, 1], norm=norm))
    close(mx.fft.irfft2(a, norm=norm), np.fft.irfft2(xd, norm=norm))
    close(mx.fft.irfftn(a, norm=norm), np.fft.irfftn(xd, norm=norm))
    close(mx.fft.irfftn(a, s=[5, 9], axes=[0, 2], norm=norm),
          np.fft.irfftn(xd, s=[5, 9], axes=[0, 2], norm=norm))
    close(mx.fft.fft2(a, axes=[0, 2]), np.fft.fft2(xd, axes=[0, 2]))


def test_strided_inputs():
    x = crand((6, 8, 5))
    a = mx.array(x)
    t = mx.transpose(a, [2, 0, 1])
    close(mx.fft.fftn(t), np.fft.fftn(np.transpose(x, [2, 0, 1]).astype(np.complex128)))
    s = a[::2, 1::3]
    close(mx.fft.fft(s, axis=0), np.fft.fft(x[::2, 1::3].astype(np.complex128), axis=0))
    b = mx.broadcast_to(mx.array(rrand((1, 10))), (3, 10))
    close(mx.fft.rfft(b), np.fft.rfft(np.broadcast_to(np.array(b), (3, 10)).astype(np.float64)))


def test_dtypes():
    x = np.arange(6)
    for dt in (mx.int32, mx.float16, mx.bfloat16, mx.float32, mx.float64, mx.bool_):
        a = mx.array(x).astype(dt)
        want = np.array(a.astype(mx.float32)).astype(np.float64)
        assert mx.fft.fft(a).dtype == mx.complex64
        close(mx.fft.fft(a), np.fft.fft(want))
        assert mx.fft.rfft(a).dtype == mx.complex64
        assert mx.fft.irfft(a).dtype == mx.float32
    # rfft of a complex input transforms its real part
    z = crand(7)
    close(mx.fft.rfft(mx.array(z)), np.fft.rfft(z.real.astype(np.float64)))
    # array-likes
    close(mx.fft.fft([1.0, 2.0, 3.0]), np.fft.fft([1.0, 2.0, 3.0]))


def test_large_threads():
    x = crand((512, 384))
    close(mx.fft.fft2(mx.array(x)), np.fft.fft2(x.astype(np.complex128)), tol=4e-5)
    r = rrand((64, 1000))
    close(mx.fft.rfft(mx.array(r)), np.fft.rfft(r.astype(np.float64)))


@pytest.mark.parametrize("n", [1 << 14, 1 << 17, 1 << 20, 3 ** 10, 5 ** 7, 2 * 3 * 5 * 7 * 11 * 13,
                               65537, 1000003])
def test_long_lengths(n):
    # long lines run one at a time, each transform split over the threads
    x = crand(n)
    xd = x.astype(np.complex128)
    close(mx.fft.fft(mx.array(x)), np.fft.fft(xd))
    close(mx.fft.ifft(mx.array(x)), np.fft.ifft(xd))
    close(mx.fft.rfft(mx.array(x.real)), np.fft.rfft(xd.real))
    h = np.fft.rfft(xd.real)
    close(mx.fft.irfft(mx.array(h.astype(np.complex64)), n=n), np.fft.irfft(h, n=n))


@pytest.mark.parametrize("shape", [(16, 64), (33, 64), (17, 1000), (40, 3, 60), (5, 2187),
                                   (20, 2187), (3, 30, 17), (64, 1031), (18, 256), (6, 4096),
                                   (4, 5000), (20000, 4), (35, 48), (19, 512), (16, 1030)])
def test_lanes(shape):
    # lines go FFT_LANES at a time side by side: adjacent lines (strided axes), tiles of
    # contiguous lines, partial batches, real lines in lanes, Bluestein and four-step lengths;
    # long lines one at a time
    x = crand(shape)
    xd = x.astype(np.complex128)
    for axis in range(len(shape)):
        close(mx.fft.fft(mx.array(x), axis=axis), np.fft.fft(xd, axis=axis))
        close(mx.fft.ifft(mx.array(x), axis=axis), np.fft.ifft(xd, axis=axis))
        r = x.real.copy()
        for n in (shape[axis], 2 * (shape[axis] // 2) + 2):
            h = np.fft.rfft(r.astype(np.float64), n=n, axis=axis)
            close(mx.fft.rfft(mx.array(r), n=n, axis=axis), h)
            z = h.astype(np.complex64)
            close(mx.fft.irfft(mx.array(z), n=n, axis=axis),
                  np.fft.irfft(z.astype(np.complex128), n=n, axis=axis))
    close(mx.fft.fft2(mx.array(x)), np.fft.fft2(xd))
    close(mx.fft.rfft2(mx.array(x.real)), np.fft.rfft2(xd.real))
    xt = mx.array(x).swapaxes(0, -1)
    close(mx.fft.fft2(xt), np.fft.fft2(np.swapaxes(xd, 0, -1)))


def test_batched_columns_and_real_lengths():
    # strided axes go FFT_LANES lines at a time: line counts not a multiple of the batch
    x = crand((37, 13, 3))
    xd = x.astype(np.complex128)
    for axis in (0, 1):
        close(mx.fft.fft(mx.array(x), axis=axis), np.fft.fft(xd, axis=axis))
        close(mx.fft.ifft(mx.array(x), axis=axis), np.fft.ifft(xd, axis=axis))
    # real transforms: even (half-length complex) and odd lengths, short / padded inputs, and
    # the imaginary parts of X[0] and X[n / 2] ignored by irfft
    for n in (2, 4, 6, 10, 16, 18, 96, 1000, 1024, 1030, 3, 9, 25, 1031):
        r = rrand((5, n))
        close(mx.fft.rfft(mx.array(r)), np.fft.rfft(r.astype(np.float64)))
        z = crand((5, n // 2 + 1))
        for m in (n, n + 2, max(1, n - 3)):
            close(mx.fft.irfft(mx.array(z), n=m), np.fft.irfft(z.astype(np.complex128), n=m))


def test_concurrent_plans():
    # plans are cached and shared: threads asking for the same new lengths at once
    import threading

    lens = [4096 + 2 * k for k in range(12)]
    xs = [crand((2, n)) for n in lens]
    errs = []

    def run(i):
        try:
            for j in range(len(lens)):
                x = xs[(i + j) % len(lens)]
                close(mx.fft.fft(mx.array(x)), np.fft.fft(x.astype(np.complex128)))
                close(mx.fft.rfft(mx.array(x.real)), np.fft.rfft(x.real.astype(np.float64)))
        except Exception as e:  # pragma: no cover
            errs.append(e)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errs, errs


def test_freq_shift():
    for n in (1, 4, 5, 8):
        for d in (1.0, 0.25):
            close(mx.fft.fftfreq(n, d), np.fft.fftfreq(n, d), tol=1e-7)
            close(mx.fft.rfftfreq(n, d), np.fft.rfftfreq(n, d), tol=1e-7)
    assert mx.fft.fftfreq(4).dtype == mx.float32
    x = np.arange(30).reshape(5, 6)
    a = mx.array(x)
    assert np.array_equal(np.array(mx.fft.fftshift(a)), np.fft.fftshift(x))
    assert np.array_equal(np.array(mx.fft.ifftshift(a)), np.fft.ifftshift(x))
    assert np.array_equal(np.array(mx.fft.fftshift(a, axes=1)), np.fft.fftshift(x, axes=1))
    assert np.array_equal(np.array(mx.fft.ifftshift(a, axes=[0])), np.fft.ifftshift(x, axes=[0]))


# ---------------------------------------------------------------- transforms


def _grad_reference(f_np, x, u, v):
    """Gradient of h(z) = sum(u re f(z) + v im f(z)) (real-linear in z) in MLX's convention
    (d/d re + i d/d im), from h on the basis vectors."""
    def h(z):
        y = f_np(z)
        return np.sum(u * y.real + v * np.imag(y))
    flat = np.zeros(x.size, dtype=np.complex128 if np.iscomplexobj(x) else np.float64)
    g = np.zeros(x.size, dtype=np.complex128)
    for i in range(x.size):
        flat[:] = 0
        flat[i] = 1
        g[i] = h(flat.reshape(x.shape))
        if np.iscomplexobj(x):
            flat[i] = 1j
            g[i] += 1j * h(flat.reshape(x.shape))
    return g.reshape(x.shape) if np.iscomplexobj(x) else g.real.reshape(x.shape)


CASES = [
    ("fft", lambda a: mx.fft.fft(a), lambda z: np.fft.fft(z), True),
    ("ifft ortho", lambda a: mx.fft.ifft(a, norm="ortho"), lambda z: np.fft.ifft(z, norm="ortho"), True),
    ("fft2 n", lambda a: mx.fft.fft2(a, s=[3, 4]), lambda z: np.fft.fft2(z, s=[3, 4]), True),
    ("ifftn", lambda a: mx.fft.ifftn(a), lambda z: np.fft.ifftn(z), True),
    ("rfft", lambda a: mx.fft.rfft(a), lambda z: np.fft.rfft(z), False),
    ("rfft odd n", lambda a: mx.fft.rfft(a, n=5, axis=0), lambda z: np.fft.rfft(z, n=5, axis=0), False),
    ("rfftn forward", lambda a: mx.fft.rfftn(a, norm="forward"), lambda z: np.fft.rfftn(z, norm="forward"), False),
    ("irfft", lambda a: mx.fft.irfft(a), lambda z: np.fft.irfft(z), True),
    ("irfft odd", lambda a: mx.fft.irfft(a, n=7), lambda z: np.fft.irfft(z, n=7), True),
    ("irfftn", lambda a: mx.fft.irfftn(a), lambda z: np.fft.irfftn(z), True),
]


@pytest.mark.parametrize("name,f_mx,f_np,cplx", CASES, ids=[c[0] for c in CASES])
def test_vjp_jvp(name, f_mx, f_np, cplx):
    x = crand((3, 4)) if cplx else rrand((3, 4))
    y = f_np(x.astype(np.complex128) if cplx else x.astype(np.float64))
    u, v = rng.standard_normal(y.shape), rng.standard_normal(y.shape)
    want = _grad_reference(f_np, x, u, v)
    um, vm = mx.array(u.astype(np.float32)), mx.array(v.astype(np.float32))

    def h(a):
        out = f_mx(a)
        if out.dtype == mx.complex64:
            return mx.sum(um * mx.real(out) + vm * mx.imag(out))
        return mx.sum(um * out)

    close(mx.grad(h)(mx.array(x)), want, tol=4e-5)
    # jvp: the transform of the tangent
    t = crand(x.shape) if cplx else rrand(x.shape)
    _, (jt,) = mx.jvp(lambda a: f_mx(a), [mx.array(x)], [mx.array(t)])
    close(jt, f_np(t.astype(np.complex128) if cplx else t.astype(np.float64)))


def test_vmap():
    x = crand((4, 3, 6))
    a = mx.array(x)
    for axis in (0, 1, 2):
        got = mx.vmap(lambda t: mx.fft.fft(t, axis=0), in_axes=axis)(a)
        xs = np.moveaxis(x, axis, 0).astype(np.complex128)
        close(got, np.fft.fft(xs, axis=1))
        got = mx.vmap(lambda t: mx.fft.irfft2(t), in_axes=axis, out_axes=1)(a)
        close(got, np.moveaxis(np.fft.irfft2(xs), 0, 1))


# ---------------------------------------------------------------- errors


def test_errors():
    a = mx.array(crand((4, 5)))
    with pytest.raises(ValueError, match=r"\[fft\] Invalid FFT output size requested \(0\)"):
        mx.fft.fft(a, n=0)
    with pytest.raises(IndexError, match="Invalid axis"):
        mx.fft.fft(a, axis=2)
    with pytest.raises(ValueError, match=r"\[fftn\] Duplicated axis received"):
        mx.fft.fftn(a, axes=[0, 0])
    with pytest.raises(ValueError, match=r"Shape and axes have different sizes"):
        mx.fft.fftn(a, s=[2, 3], axes=[0])
    with pytest.raises(ValueError, match=r"`axes` should not be `None`"):
        mx.fft.fftn(a, s=[2, 3])
    with pytest.raises(ValueError, match=r"Invalid norm"):
        mx.fft.fft(a, norm="foo")
    with pytest.raises(ValueError):
        mx.fft.fft(mx.array(1.0))
    with pytest.raises(ValueError):
        mx.fft.irfft(mx.array([1.0]))
    with pytest.raises(ValueError, match=r"\[fftfreq\] `n` must be greater than 0"):
        mx.fft.fftfreq(0)
    with pytest.raises(ValueError, match=r"`d` must be non-zero"):
        mx.fft.rfftfreq(4, d=0)
    with pytest.raises(IndexError, match=r"\[fftshift\] Invalid axis 3"):
        mx.fft.fftshift(a, axes=[3])
    with pytest.raises(TypeError):
        mx.fft.fft(a, axis="x")
    # the process keeps working
    close(mx.fft.fft(a), np.fft.fft(np.array(a).astype(np.complex128)))


def test_tiles_of_spaced_rows():
    # contiguous lines whose rows are not adjacent in memory (a column slice), 16 x 16 tiles in
    # registers with a scalar remainder; every batch size 1 .. 17 lines
    for rows in (1, 2, 3, 15, 16, 17, 33):
        x = crand((rows, 70))
        xd = x.astype(np.complex128)
        a = mx.array(x)[:, 3:67]
        want = np.fft.fft(xd[:, 3:67])
        close(mx.fft.fft(a), want)
        close(mx.fft.ifft(a), np.fft.ifft(xd[:, 3:67]))
        r = mx.array(x.real)[:, 1:65]
        close(mx.fft.rfft(r), np.fft.rfft(xd.real[:, 1:65]))
        close(mx.fft.irfft(a, n=126), np.fft.irfft(xd[:, 3:67], n=126))


def test_complex_transforms_over_no_axes_are_the_identity():
    # numpy and MLX return the input for fftn/ifftn/fft2/ifft2 with axes=() (was an error);
    # the real transforms still refuse: they would change the dtype without transforming
    x = mx.array([[1.0, 2.0], [3.0, 4.0]])
    for f in (mx.fft.fftn, mx.fft.ifftn, mx.fft.fft2, mx.fft.ifft2):
        r = f(x, axes=())
        assert r.dtype == x.dtype and r.tolist() == x.tolist()
    c = x.astype(mx.complex64)
    assert mx.fft.fftn(c, axes=()).tolist() == c.tolist()
    for f in (mx.fft.rfftn, mx.fft.irfftn):
        with pytest.raises(ValueError):
            f(x, axes=())
