"""Creation ops against numpy: linspace, eye, identity, tri, meshgrid, asarray, the window
functions, empty / empty_like, full_like; MLX's dtypes, defaults and errors."""
import numpy as np
import pytest

import mlx.core as mx

FLOATS = [(mx.float32, np.float32), (mx.float16, np.float16), (mx.float64, np.float64)]
INTS = [(mx.int32, np.int32), (mx.int8, np.int8), (mx.uint16, np.uint16), (mx.int64, np.int64)]


def arr(a):
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    return np.array(a)


# ---------------------------------------------------------------- linspace


@pytest.mark.parametrize("start, stop, num", [(0, 1, 5), (-3.3, 7.7, 7), (0, 1, 1), (0, 1, 2),
                                              (5, -5, 11), (0, 10, 0), (2.5, 2.5, 4)])
def test_linspace_float32(start, stop, num):
    r = mx.linspace(start, stop, num)
    assert r.dtype == mx.float32 and r.shape == (num,)
    # MLX's formula, (1 - t) * start + t * stop in float32
    t = np.arange(num, dtype=np.float32) / np.float32(max(num - 1, 1))
    ref = (np.float32(1) - t) * np.float32(start) + t * np.float32(stop)
    np.testing.assert_array_equal(arr(r), ref)
    np.testing.assert_allclose(arr(r), np.linspace(start, stop, num), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("num", [0, 1, 5, 8])
def test_linspace_no_endpoint(num):
    r = mx.linspace(0, 1, num, endpoint=False)
    np.testing.assert_allclose(arr(r), np.linspace(0, 1, num, endpoint=False), atol=1e-7)
    r = mx.linspace(-2, 3, num, endpoint=False, dtype=mx.float64)
    np.testing.assert_allclose(arr(r), np.linspace(-2, 3, num, endpoint=False), atol=1e-14)


def test_linspace_dtypes():
    assert mx.linspace(0, 1).shape == (50,)
    assert arr(mx.linspace(0, 1, 3, dtype=mx.int32)).tolist() == [0, 0, 1]
    assert arr(mx.linspace(0, 10, 4, dtype=mx.int32)).tolist() == [0, 3, 6, 10]
    r = mx.linspace(0, 1, 7, dtype=mx.float64)
    assert r.dtype == mx.float64
    np.testing.assert_allclose(arr(r), np.linspace(0, 1, 7), rtol=1e-15)
    r = mx.linspace(0, 10, 4, dtype=mx.float16)
    assert r.dtype == mx.float16
    assert arr(r).tolist() == [0.0, 3.333984375, 6.66796875, 10.0]
    r = mx.linspace(0.1, 0.7, 7, dtype=mx.bfloat16)
    np.testing.assert_allclose(arr(r), np.linspace(0.1, 0.7, 7), rtol=4e-3)
    assert arr(mx.linspace(0, 1, 3, dtype=mx.bool_)).tolist() == [False, True, True]
    assert np.array(mx.linspace(0, 1, 3, dtype=mx.complex64)).tolist() == [0j, 0.5 + 0j, 1 + 0j]
    assert mx.linspace(0, 1, 3, dtype=None).dtype == mx.float32
    assert arr(mx.linspace(mx.array(0), 1, 3)).tolist() == [0.0, 0.5, 1.0]


def test_linspace_errors():
    with pytest.raises(ValueError, match=r"\[linspace\] number of samples, -1, must be non-negative"):
        mx.linspace(0, 1, -1)
    with pytest.raises(TypeError):
        mx.linspace(0, 1, None)
    with pytest.raises(TypeError):
        mx.linspace(0j, 1, 3)
    assert mx.linspace(0, 1, 3).shape == (3,)


# ---------------------------------------------------------------- eye, identity, tri


@pytest.mark.parametrize("n, m, k", [(3, None, 0), (3, 4, 1), (3, 4, -1), (4, 3, 2), (3, None, 5),
                                     (0, None, 0), (1, 5, -3)])
@pytest.mark.parametrize("dtype, np_dtype", FLOATS + INTS + [(mx.bool_, np.bool_)])
def test_eye(n, m, k, dtype, np_dtype):
    r = mx.eye(n, m, k, dtype=dtype)
    assert r.dtype == dtype
    np.testing.assert_array_equal(arr(r), np.eye(n, m, k, dtype=np_dtype))


def test_eye_identity_defaults_and_errors():
    assert mx.eye(2).dtype == mx.float32 and mx.eye(2, dtype=None).dtype == mx.float32
    assert np.array(mx.eye(2, dtype=mx.complex64)).tolist() == [[1 + 0j, 0j], [0j, 1 + 0j]]
    assert arr(mx.eye(2, 3, 1, mx.bfloat16)).tolist() == [[0, 1, 0], [0, 0, 1]]
    np.testing.assert_array_equal(arr(mx.identity(4)), np.identity(4))
    r = mx.identity(3, mx.int8)
    assert r.dtype == mx.int8
    np.testing.assert_array_equal(arr(r), np.identity(3, np.int8))
    assert mx.identity(0).shape == (0, 0)
    for args in [(-1,), (2, -1)]:
        with pytest.raises(ValueError, match=r"\[eye\] N and M must be positive integers"):
            mx.eye(*args)
    with pytest.raises(ValueError, match=r"\[eye\] N and M must be positive integers"):
        mx.identity(-2)
    with pytest.raises(TypeError):
        mx.eye(2.5)
    assert mx.eye(2).shape == (2, 2)


@pytest.mark.parametrize("n, m, k", [(3, 4, 1), (3, 4, -1), (3, 3, 0), (4, 6, 2), (3, 2, 10),
                                     (3, 2, -10), (5, 5, -2)])
@pytest.mark.parametrize("dtype, np_dtype", FLOATS + INTS + [(mx.bool_, np.bool_)])
def test_tri(n, m, k, dtype, np_dtype):
    r = mx.tri(n, m, k, dtype=dtype)
    assert r.dtype == dtype
    np.testing.assert_array_equal(arr(r), np.tri(n, m, k, dtype=np_dtype))


def test_tri_defaults():
    np.testing.assert_array_equal(arr(mx.tri(3)), np.tri(3))
    assert mx.tri(3).dtype == mx.float32 and mx.tri(3, 3, 0, dtype=None).dtype == mx.float32
    assert mx.tri(-1, 2, 0).shape == (0, 2)
    assert mx.tri(4, 6, 2, mx.uint64).dtype == mx.uint64


# ---------------------------------------------------------------- windows


@pytest.mark.parametrize("name", ["hanning", "hamming", "blackman", "bartlett"])
@pytest.mark.parametrize("M", [0, 1, 2, 3, 5, 12, 101])
def test_windows(name, M):
    r = getattr(mx, name)(M)
    assert r.dtype == mx.float32 and r.shape == (M,)
    np.testing.assert_allclose(arr(r), getattr(np, name)(M), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["hanning", "hamming", "blackman", "bartlett"])
def test_window_errors(name):
    assert getattr(mx, name)(-1).shape == (0,)
    with pytest.raises(TypeError):
        getattr(mx, name)(1.5)
    assert getattr(mx, name)(4, stream=mx.cpu).shape == (4,)


# ---------------------------------------------------------------- meshgrid


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
def test_meshgrid(indexing, sparse):
    xs = [np.array([1, 2, 3], np.int32), np.array([4.0, 5.0], np.float32),
          np.array([7, 8, 9, 10], np.int8)]
    for n in (1, 2, 3):
        inputs = xs[:n]
        rs = mx.meshgrid(*[mx.array(x) for x in inputs], sparse=sparse, indexing=indexing)
        refs = np.meshgrid(*inputs, sparse=sparse, indexing=indexing)
        assert isinstance(rs, tuple) and len(rs) == n
        for r, ref, x in zip(rs, refs, inputs):
            assert r.shape == ref.shape
            assert np.dtype(str(r.dtype).split(".")[-1]) == x.dtype
            np.testing.assert_array_equal(arr(r), ref)


def test_meshgrid_flattens_and_errors():
    a, b = mx.array([[1, 2], [3, 4]]), mx.array([4.0, 5.0])
    g = mx.meshgrid(a, b)
    np.testing.assert_array_equal(arr(g[0]), np.meshgrid([1, 2, 3, 4], [4.0, 5.0])[0])
    assert mx.meshgrid(mx.array(1), b)[0].shape == (2, 1)
    assert mx.meshgrid() == ()
    # a transposed input is read in its logical order
    t = mx.array(np.arange(6).reshape(2, 3)).T
    np.testing.assert_array_equal(arr(mx.meshgrid(t)[0]), np.arange(6).reshape(2, 3).T.reshape(-1))
    with pytest.raises(ValueError, match="Valid values are 'xy' and 'ij'"):
        mx.meshgrid(a, b, indexing="xx")
    with pytest.raises(TypeError):
        mx.meshgrid([1, 2], b)
    with pytest.raises(TypeError):
        mx.meshgrid(a, foo=1)


# ---------------------------------------------------------------- full_like, empty, asarray


def test_full_integer_overflow():
    # a Python int that does not fit the requested integer dtype is an error, as in MLX
    for v, dt in [(-1, mx.uint8), (300, mx.int8), (70000, mx.int16), (2**40, mx.int32)]:
        with pytest.raises(ValueError, match="overflow"):
            mx.full((2, 3), v, dtype=dt)
    assert mx.full((2,), 255, dtype=mx.uint8).tolist() == [255, 255]
    assert mx.full((2,), -128, dtype=mx.int8).tolist() == [-128, -128]
    assert mx.full((2,), True, dtype=mx.uint8).tolist() == [1, 1]
    assert mx.full((2,), 2**64 - 1, dtype=mx.uint64).tolist() == [2**64 - 1] * 2


def test_full_like():
    a = mx.array([1, 2, 3])
    r = mx.full_like(a, 2.5)
    assert r.dtype == mx.int32 and arr(r).tolist() == [2, 2, 2]
    r = mx.full_like(a, 2.5, mx.float16)
    assert r.dtype == mx.float16 and arr(r).tolist() == [2.5, 2.5, 2.5]
    assert arr(mx.full_like(a, mx.array([4, 5, 6]))).tolist() == [4, 5, 6]
    r = mx.full_like(a, mx.array([[1], [2]]))  # vals broadcast with a's shape, as MLX
    assert r.shape == (2, 3) and arr(r).tolist() == [[1, 1, 1], [2, 2, 2]]
    assert arr(mx.full_like(mx.array([4.0, 5.0]), True)).tolist() == [1.0, 1.0]
    assert arr(mx.full_like(a, 1j)).tolist() == [0, 0, 0]
    t = mx.array(np.ones((2, 3), np.float32)).T
    r = mx.full_like(t, mx.array(7))
    assert r.shape == (3, 2) and r.dtype == mx.float32 and (arr(r) == 7).all()
    with pytest.raises(ValueError, match=r"Shapes \(3\) and \(2\) cannot be broadcast"):
        mx.full_like(a, mx.array([1, 2]))
    with pytest.raises(TypeError):
        mx.full_like([1, 2], 1)
    with pytest.raises(TypeError):  # a is positional-only, as in MLX
        mx.full_like(a=a, vals=1)
    assert mx.full_like(a, vals=3, dtype=mx.int8).dtype == mx.int8


def test_empty_aliases():
    assert mx.empty is mx.zeros and mx.empty_like is mx.zeros_like
    r = mx.empty((2, 3))
    assert r.shape == (2, 3) and r.dtype == mx.float32
    assert mx.empty(3, mx.int8).dtype == mx.int8
    r = mx.empty_like(mx.ones((2,), mx.int16))
    assert r.dtype == mx.int16 and r.shape == (2,)


def test_asarray():
    r = mx.asarray([1, 2])
    assert r.dtype == mx.int32 and arr(r).tolist() == [1, 2]
    a = mx.array([1, 2, 3])
    r = mx.asarray(a)
    assert r is not a and r.dtype == mx.int32 and arr(r).tolist() == [1, 2, 3]
    r = mx.asarray(a, mx.float32)
    assert r.dtype == mx.float32
    r = mx.asarray(np.arange(3))
    assert r.dtype == mx.int64
    assert mx.asarray(3.5).dtype == mx.float32 and mx.asarray(3.5).shape == ()
    assert mx.asarray(a, copy=True).tolist() == [1, 2, 3]
    assert mx.asarray([[1, 2], [3, 4]], dtype=mx.float16).dtype == mx.float16
    for x in (a, [1, 2]):
        with pytest.raises(ValueError, match="Unable to avoid copy"):
            mx.asarray(x, copy=False)
    with pytest.raises(TypeError):
        mx.asarray(a, dtype="float32")
