"""Indexing (__getitem__, __setitem__, .at) and the shape/slicing/gather ops against numpy."""
import numpy as np
import pytest

import mlx.core as mx

from conftest import ALL_DTYPES

rng = np.random.default_rng(0)


def to_np(a):
    if a.dtype == mx.bfloat16:
        return np.array(a.astype(mx.float32))
    return np.array(a)


def np_dtype(dt):
    return {
        mx.bool_: np.bool_, mx.uint8: np.uint8, mx.uint16: np.uint16, mx.uint32: np.uint32,
        mx.uint64: np.uint64, mx.int8: np.int8, mx.int16: np.int16, mx.int32: np.int32,
        mx.int64: np.int64, mx.float16: np.float16, mx.float32: np.float32,
        mx.float64: np.float64, mx.bfloat16: np.float32, mx.complex64: np.complex64,
    }[dt]


def sample(shape, dtype=mx.float32):
    """(mx array, numpy reference) with small exactly representable values."""
    x = rng.integers(0, 50, size=shape)
    if dtype == mx.bool_:
        x = x % 2
    n = x.astype(np_dtype(dtype))
    return mx.array(n).astype(dtype), n


def layouts(shape):
    """The same logical array as contiguous, transposed and broadcast mx arrays."""
    a, n = sample(shape)
    yield "contiguous", a, n
    t, tn = sample(shape[::-1])
    yield "transposed", t.T, tn.T
    b, bn = sample((1,) + tuple(shape[1:]))
    yield "broadcast", mx.broadcast_to(b, shape), np.broadcast_to(bn, shape)


def check(r, expected, dtype=None):
    assert isinstance(r, mx.array)
    assert r.shape == tuple(expected.shape), (r.shape, expected.shape)
    if dtype is not None:
        assert r.dtype == dtype
    np.testing.assert_array_equal(to_np(r), expected)


# --------------------------------------------------------------------------- __getitem__

GET_INDICES = [
    1, -1, (1, 2), (-1, -2, -3), slice(None), slice(1, None), slice(None, None, -1),
    slice(None, None, 2), (slice(None), slice(1, 3)), (slice(None, None, -1), slice(None, None, 2), 1),
    (Ellipsis, 1), (1, Ellipsis), (None, 1, Ellipsis, None), (Ellipsis, None), (), Ellipsis, None,
    (slice(5, -5, -1),), (slice(-100, 100),), (slice(2, 1),),
    [0, 1], [[1], [0]], (0, slice(None), [1, 2]), (slice(None), [0, 2], [1, 3]),
    ([0], slice(None), None, [1]), ([0], None, [1]), (None, [0], [1]), (0, None, [1, 2]),
    ([[0, 1], [1, 0]], slice(1, None)), (slice(None), slice(None, None, -2), [3, 0, -1]),
    (slice(1, None), [[0], [2]], slice(None, None, 3)), ([-1, 0], Ellipsis, [1, -4]),
    ([1, 0, 1], 2), (Ellipsis, [2, 2, 0]),
]


@pytest.mark.parametrize("idx", GET_INDICES, ids=[repr(i) for i in GET_INDICES])
def test_getitem_matches_numpy(idx):
    for name, a, n in layouts((2, 3, 4)):
        check(a[idx], n[idx])


def test_getitem_array_indices_of_every_integer_dtype():
    a, n = sample((5, 3))
    for dt in [mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64]:
        i = np.array([4, 0, 2, 2])
        check(a[mx.array(i).astype(dt)], n[i])
        check(a[:, mx.array([2, 1]).astype(dt)], n[:, [2, 1]])
    check(a[mx.array([-1, -5])], n[[-1, -5]])
    check(a[mx.array(3)], n[3])  # a 0-d index array removes the axis


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_getitem_dtypes(dtype):
    a, n = sample((4, 3), dtype)
    for idx in [(slice(None, None, -2), 1), ([3, 0], slice(None, 2)), (None, Ellipsis, [2, 0])]:
        r = a[idx]
        assert r.dtype == dtype
        np.testing.assert_array_equal(to_np(r), n[idx].astype(to_np(r).dtype))


def test_getitem_0d_and_empty():
    s = mx.array(7)
    check(s[()], np.array(7))
    check(s[...], np.array(7))
    check(s[None], np.array([7]))
    with pytest.raises(IndexError):
        s[0]
    z = mx.zeros((0, 3))
    check(z[:, 1], np.zeros((0,)))
    check(z[1:], np.zeros((0, 3)))
    check(z[mx.array([], dtype=mx.int32)], np.zeros((0, 3)))
    a, n = sample((3, 4))
    check(a[2:1], n[2:1])
    check(a[mx.array([], dtype=mx.int32), 1], n[np.array([], dtype=np.int32), 1])


def test_getitem_errors_and_recovery():
    a, n = sample((2, 3))
    with pytest.raises(IndexError):
        a[2]
    with pytest.raises(IndexError):
        a[0, -4]
    with pytest.raises(IndexError):
        a[0, 0, 0]
    with pytest.raises(ValueError):
        a[1.0]
    with pytest.raises(ValueError):
        a["x"]
    with pytest.raises(ValueError):
        a[True]
    with pytest.raises(ValueError):
        a[..., ...]
    with pytest.raises(ValueError):
        a[mx.array([True, False])]
    with pytest.raises(ValueError):
        a[mx.array([1.0])]
    with pytest.raises(ValueError):
        a[::0]
    check(a[1, ::-1], n[1, ::-1])


def test_out_of_range_array_indices_stay_in_bounds():
    # MLX leaves them undefined; here gathers clamp and never read outside the array.
    a, n = sample((3, 2))
    r = to_np(a[mx.array([10, -10])])
    assert r.shape == (2, 2)
    np.testing.assert_array_equal(r, n[[2, 0]])


def test_getitem_is_a_view_of_unchanged_data():
    a = mx.arange(12).reshape(3, 4)
    v = a[::2, 1:]
    a[0, 1] = 100  # rebinding a does not change the view taken before
    check(v, np.arange(12).reshape(3, 4)[::2, 1:])


def test_iteration_and_int_rows():
    a, n = sample((3, 2))
    for i, row in enumerate(a):
        check(row, n[i])


# --------------------------------------------------------------------------- __setitem__

SET_CASES = [
    (0, 5), (-1, [1, 2, 3, 4]), ((slice(None), 1), [7, 8, 9]), ((1, 2), 9),
    (slice(None, None, -1), [0, 1, 2, 3]), ((slice(1, None), None), [[[1, 2, 3, 4]]]),
    (slice(1, None), np.zeros((1, 1, 2, 4))), (Ellipsis, 1), (None, 3), ((Ellipsis, 0), [4, 5, 6]),
    ([0, 2], [[1, 1, 1, 1], [3, 3, 3, 3]]), ((slice(None), [0, 1]), [[1], [2], [3]]),
    (([0, 1], [1, 2]), [10, 20]), ((1, [3, 0]), 6), (([[0], [2]], [1, 3]), [[1, 2], [3, 4]]),
    ((slice(None, None, 2), [0, 3]), [[5, 6]]), ((slice(1, None), slice(None, None, -2)), 8),
    (([2, 0], slice(1, 3)), [[1, 2], [3, 4]]), ((slice(None), slice(None), None), 2),
    ((None, [1], slice(None)), [[[7, 7, 7, 7]]]), (([0, 0, 2],), [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]),
]


@pytest.mark.parametrize("idx, value", SET_CASES, ids=[repr(c[0]) for c in SET_CASES])
def test_setitem_matches_numpy(idx, value):
    for dtype in [mx.int32, mx.float32]:
        a = mx.arange(12).reshape(3, 4).astype(dtype)
        n = np.arange(12).reshape(3, 4).astype(np_dtype(dtype))
        a[idx] = mx.array(np.array(value)) if not np.isscalar(value) else value
        v = np.asarray(value)
        while v.ndim > n[idx].ndim and v.shape[0] == 1:  # MLX drops leading size-1 axes
            v = v[0]
        n[idx] = v
        check(a, n, dtype)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_setitem_dtypes(dtype):
    a, n = sample((4, 3), dtype)
    v, vn = sample((2, 3), dtype)
    a[[3, 1]] = v
    n[[3, 1]] = vn
    a[:, ::-2] = v[:1, :2]
    n[:, ::-2] = vn[:1, :2]
    assert a.dtype == dtype
    np.testing.assert_array_equal(to_np(a), n.astype(to_np(a).dtype))


def test_setitem_casts_and_transposed_values():
    a = mx.zeros((3, 2), dtype=mx.int32)
    a[0] = 2.7
    v, vn = sample((2, 3))
    a[1:] = v.T[:2].astype(mx.float32)
    n = np.zeros((3, 2), dtype=np.int32)
    n[0] = 2
    n[1:] = vn.T[:2]
    check(a, n, mx.int32)
    b = mx.zeros((2, 3))
    b[:, 1] = mx.broadcast_to(mx.array(4.0), (2,))
    check(b, np.array([[0, 4, 0], [0, 4, 0]], dtype=np.float32))


def test_setitem_repeated_indices_last_write_wins():
    a = mx.zeros((4,), dtype=mx.int32)
    a[mx.array([1, 1, 1, 2])] = mx.array([5, 6, 7, 8])
    check(a, np.array([0, 7, 8, 0], dtype=np.int32))
    b = mx.array([0, 0])
    b[mx.array([0, 1, 0, 1])] += 1  # += is read + write: duplicates collapse
    check(b, np.array([1, 1]))


def test_setitem_updates_the_object_in_place():
    a = mx.arange(6)
    b = a
    before = a[1:3]
    a[1] = 100
    assert b is a
    check(b, np.array([0, 100, 2, 3, 4, 5]))
    check(before, np.array([1, 2]))
    # an update of a dying intermediate in a loop stays correct
    x = mx.zeros((5,))
    for i in range(5):
        x[i] = i * 2
    check(x, np.arange(5) * 2.0)


def test_setitem_0d_and_empty():
    s = mx.array(1)
    s[...] = 5
    check(s, np.array(5))
    s[()] = 6
    check(s, np.array(6))
    z = mx.zeros((0, 3))
    z[:, 1] = 5
    check(z, np.zeros((0, 3)))
    a = mx.zeros((2, 3))
    a[mx.array([], dtype=mx.int32)] = 1
    check(a, np.zeros((2, 3)))


def test_setitem_errors():
    a = mx.arange(12).reshape(3, 4)
    with pytest.raises(ValueError):
        a[1:] = mx.zeros((2, 2, 4))
    with pytest.raises(ValueError):
        a[0] = mx.zeros((2, 4))
    with pytest.raises(IndexError):
        a[5] = 1
    with pytest.raises(ValueError):
        a[0.5] = 1
    with pytest.raises(ValueError):
        a[mx.array([True, False])] = 1
    with pytest.raises(TypeError):
        del a[0]
    check(a, np.arange(12).reshape(3, 4))


def test_setitem_boolean_mask():
    n = np.arange(12).reshape(3, 4)
    for mask_np, value in [(n > 5, 0), (n > 5, np.arange(100, 106)), (n % 2 == 0, np.arange(7)),
                           (np.array([True, False, True]), 1),
                           (np.array([True, False, True]), np.arange(8).reshape(2, 4))]:
        a = mx.arange(12).reshape(3, 4)
        a[mx.array(mask_np)] = mx.array(value) if not np.isscalar(value) else value
        expected = n.copy()
        if np.isscalar(value):
            expected[mask_np] = value
        else:
            count = expected[mask_np].size
            expected[mask_np] = np.asarray(value).reshape(-1)[:count].reshape(expected[mask_np].shape)
        check(a, expected)
    a = mx.arange(12).reshape(3, 4)
    a[[True, False, True]] = 2  # a list of bools is a mask too
    check(a, np.where(np.array([True, False, True])[:, None], 2, n))
    a = mx.arange(12).reshape(3, 4)
    a[mx.array(n > 5)] = mx.arange(5)  # not enough source values: fails when evaluated
    with pytest.raises(RuntimeError):
        mx.eval(a)


# --------------------------------------------------------------------------- .at

AT_CASES = [
    ("add", np.add, [1, 1, 0, 3]), ("subtract", np.subtract, [2, 2, 2]),
    ("multiply", np.multiply, [0, 3, 0]), ("maximum", np.maximum, [1, 1, 2]),
    ("minimum", np.minimum, [3, 0, 3]),
]


@pytest.mark.parametrize("name, ufunc, idx", AT_CASES, ids=[c[0] for c in AT_CASES])
def test_at_accumulates_repeated_indices(name, ufunc, idx):
    for dtype in [mx.int32, mx.float32, mx.float16]:
        a, n = sample((4, 3), dtype)
        v, vn = sample((len(idx), 3), dtype)
        r = getattr(a.at[mx.array(idx)], name)(v)
        expected = n.astype(np.float64)
        ufunc.at(expected, idx, vn.astype(np.float64))
        assert r.dtype == dtype
        np.testing.assert_allclose(to_np(r).astype(np.float64),
                                   expected.astype(np_dtype(dtype)).astype(np.float64), rtol=1e-3)
    check(a, n.astype(to_np(a).dtype))  # a itself is unchanged


def test_at_with_slices_and_scalars():
    a = mx.arange(12).reshape(3, 4)
    n = np.arange(12).reshape(3, 4)
    check(a.at[1:, ::2].multiply(3), np.where((np.arange(3)[:, None] >= 1) & (np.arange(4) % 2 == 0), n * 3, n))
    e = n.copy()
    np.subtract.at(e, ([0, 0], 1), [1, 2])
    check(a.at[mx.array([0, 0]), 1].subtract(mx.array([1, 2])), e)
    f = mx.arange(4.0)
    check(f.at[mx.array([1, 1])].divide(2.0), np.array([0, 0.25, 2, 3], dtype=np.float32))
    check(a.at[0].divide(2), np.concatenate([np.zeros((1, 4), np.int32), n[1:]]))  # as MLX: 1/2 -> 0
    check(a.at[:, 0].maximum(5), np.where(np.arange(4) == 0, np.maximum(n, 5), n))
    with pytest.raises(ValueError):
        a.at.add(1)


# --------------------------------------------------------------------------- shape functions


def test_flatten_unflatten_squeeze_expand():
    for name, a, n in layouts((2, 3, 4)):
        check(mx.flatten(a), n.reshape(-1))
        check(a.flatten(1), n.reshape(2, 12))
        check(mx.flatten(a, 0, 1), n.reshape(6, 4))
        check(mx.flatten(a, -2, 10), n.reshape(2, 12))
        check(mx.unflatten(a, 2, (2, -1)), n.reshape(2, 3, 2, 2))
        check(mx.expand_dims(a, (0, -1)), n[None, ..., None])
        check(mx.squeeze(mx.expand_dims(a, (0, 2))), n)
        check(mx.expand_dims(a, 1).squeeze(1), n)
        check(mx.swapaxes(a, 0, 2), np.swapaxes(n, 0, 2))
        check(a.moveaxis(0, -1), np.moveaxis(n, 0, -1))
        check(mx.moveaxis(a, 2, 0), np.moveaxis(n, 2, 0))
        check(mx.permute_dims(a, (1, 2, 0)), np.transpose(n, (1, 2, 0)))
        check(mx.permute_dims(a), np.transpose(n))
    check(mx.flatten(mx.array(3)), np.array([3]))
    check(mx.squeeze(mx.array(3)), np.array(3))
    with pytest.raises(ValueError):
        mx.flatten(mx.zeros((2, 3)), 1, 0)
    with pytest.raises(IndexError):
        mx.unflatten(mx.zeros((2, 3)), 2, (1,))
    with pytest.raises(ValueError):
        mx.unflatten(mx.zeros((2, 3)), 1, (2, 2))
    with pytest.raises(ValueError):
        mx.squeeze(mx.zeros((1, 3)), 1)
    with pytest.raises(IndexError):
        mx.squeeze(mx.zeros((1, 3)), 2)
    with pytest.raises(ValueError):
        mx.expand_dims(mx.zeros((1, 3)), (0, 0))
    with pytest.raises(IndexError):
        mx.expand_dims(mx.zeros((1, 3)), 3)
    with pytest.raises(IndexError):
        mx.swapaxes(mx.zeros((1, 3)), 0, 2)
    with pytest.raises(IndexError):
        mx.moveaxis(mx.zeros((1, 3)), 2, 0)


def test_broadcast_arrays_and_atleast():
    a, an = sample((2, 1, 4))
    b, bn = sample((3, 1))
    r = mx.broadcast_arrays(a, b, mx.array(1))
    assert isinstance(r, list) and len(r) == 3
    for x, y in zip(r, np.broadcast_arrays(an, bn, np.array(1))):
        check(x, y)
    assert mx.broadcast_arrays() == []
    with pytest.raises(ValueError):
        mx.broadcast_arrays(a, mx.zeros((2, 2)))
    for fn, nfn in [(mx.atleast_1d, np.atleast_1d), (mx.atleast_2d, np.atleast_2d),
                    (mx.atleast_3d, np.atleast_3d)]:
        for shape in [(), (3,), (2, 3), (2, 3, 4)]:
            x, xn = sample(shape)
            check(fn(x), nfn(xn))
        r = fn(mx.array(1), mx.zeros((2,)))
        assert isinstance(r, list) and len(r) == 2
    assert mx.atleast_1d() == []


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_concatenate_stack_split(dtype):
    a, an = sample((2, 3), dtype)
    b, bn = sample((3, 2), dtype)
    check(mx.concatenate([a, b.T], 0), np.concatenate([an, bn.T], 0), dtype)
    check(mx.concat([a, b.T, a], axis=1), np.concatenate([an, bn.T, an], 1), dtype)
    check(mx.concatenate([a, b], axis=None), np.concatenate([an.ravel(), bn.ravel()]), dtype)
    check(mx.stack([a, b.T], 1), np.stack([an, bn.T], 1), dtype)
    check(mx.stack([a, a], -1), np.stack([an, an], -1), dtype)
    parts = mx.split(mx.concatenate([a, a], 1), 3, axis=1)
    for p, q in zip(parts, np.split(np.concatenate([an, an], 1), 3, axis=1)):
        check(p, q, dtype)


def test_concatenate_promotes_and_errors():
    r = mx.concatenate([mx.arange(3), mx.array([0.5], dtype=mx.float16)])
    assert r.dtype == mx.float16
    assert mx.concatenate([mx.array([True]), mx.array([2])]).dtype == mx.int32
    with pytest.raises(ValueError):
        mx.concatenate([])
    with pytest.raises(ValueError):
        mx.concatenate([mx.zeros((2, 3)), mx.zeros((2,))])
    with pytest.raises(ValueError):
        mx.concatenate([mx.zeros((2, 3)), mx.zeros((3, 3))], 1)
    with pytest.raises(IndexError):
        mx.concatenate([mx.zeros((2, 3))], 2)
    with pytest.raises(ValueError):
        mx.stack([mx.zeros((2, 3)), mx.zeros((3, 2))])
    with pytest.raises(ValueError):
        mx.stack([])
    check(mx.stack([mx.array(1), mx.array(2)]), np.array([1, 2]))


def test_split_unstack():
    a, n = sample((2, 6))
    for spec in [2, 3, [1, 4], [3, 1], [-1], [], [0, 6, 10]]:
        r = mx.split(a, spec, axis=1)
        e = np.split(n, spec, axis=1)
        assert isinstance(r, list) and len(r) == len(e)
        for x, y in zip(r, e):
            check(x, y)
    r = a.split([1], 1)
    check(r[1], n[:, 1:])
    with pytest.raises(ValueError):
        mx.split(a, 4, axis=1)
    with pytest.raises(ValueError):
        mx.split(a, 0, axis=1)
    with pytest.raises(IndexError):
        mx.split(mx.array(1), 1)
    u = mx.unstack(a, axis=1)
    assert isinstance(u, tuple) and len(u) == 6
    check(u[4], n[:, 4])
    assert mx.unstack(mx.zeros((0, 2))) == ()
    with pytest.raises(IndexError):
        mx.unstack(mx.array(1))


def test_repeat_tile():
    for name, a, n in layouts((2, 3)):
        check(mx.repeat(a, 2, 1), np.repeat(n, 2, 1))
        check(mx.repeat(a, 3), np.repeat(n, 3))
        check(mx.repeat(a, 0, 0), np.repeat(n, 0, 0))
        check(mx.tile(a, 2), np.tile(n, 2))
        check(mx.tile(a, (2, 1, 3)), np.tile(n, (2, 1, 3)))
        check(mx.tile(a, (0,)), np.tile(n, (0,)))
    check(mx.repeat(mx.array(5), 3), np.repeat(5, 3))
    check(mx.tile(mx.array(5), (2, 2)), np.tile(5, (2, 2)))
    with pytest.raises(ValueError):
        mx.repeat(mx.zeros((2,)), -1)
    with pytest.raises(IndexError):
        mx.repeat(mx.array(5), 3, 0)
    with pytest.raises(ValueError):
        mx.tile(mx.zeros((2,)), (-1,))


PAD_CASES = [1, (1, 2), [(1, 0), (0, 2)], [(1, 2)], (2,), 0, 4]


@pytest.mark.parametrize("mode", ["constant", "edge", "symmetric", "reflect"])
def test_pad_modes(mode):
    for name, a, n in layouts((2, 3)):
        for pw in PAD_CASES:
            npw = pw if not isinstance(pw, list) or len(pw) == 2 else pw * 2
            if mode == "reflect" and pw == 4:
                continue  # numpy reflects repeatedly; same here, checked below on a long axis
            check(mx.pad(a, pw, mode), np.pad(n, npw, mode))
    x, xn = sample((5,))
    check(mx.pad(x, 9, "reflect"), np.pad(xn, 9, "reflect"))
    check(mx.pad(x, 9, "symmetric"), np.pad(xn, 9, "symmetric"))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_pad_dtypes_and_values(dtype):
    a, n = sample((2, 3), dtype)
    check(mx.pad(a, 1), np.pad(n, 1), dtype)
    check(mx.pad(a, (1, 0), "edge"), np.pad(n, (1, 0), "edge"), dtype)
    if dtype not in (mx.bool_, mx.complex64):
        r = mx.pad(a, 1, constant_values=3)
        check(r, np.pad(n, 1, constant_values=3), dtype)


def test_pad_misc():
    a = mx.arange(6).reshape(2, 3)
    check(mx.pad(a, 1, constant_values=2.5), np.pad(np.arange(6).reshape(2, 3), 1, constant_values=2))
    h = mx.pad(a.astype(mx.float16), 1, constant_values=2.5)
    assert h.dtype == mx.float16 and h[0, 0].item() == 2.5
    check(mx.pad(mx.array(5), 1), np.array(5))
    check(mx.pad(mx.zeros((0, 2)), 1, "edge"), np.zeros((2, 4)))
    with pytest.raises(ValueError):
        mx.pad(a, -1)
    with pytest.raises(ValueError):
        mx.pad(a, 1, "wrap")
    with pytest.raises(ValueError):
        mx.pad(a, [(1, 0), (0, 2), (1, 1)])
    with pytest.raises(ValueError, match="padding sizes"):
        mx.pad(a, ())
    # the forms MLX's binding accepts; other shapes are a TypeError there too
    check(mx.pad(a, [[1, 2]]), np.pad(np.arange(6).reshape(2, 3), [(1, 2)]))
    check(mx.pad(a, ((1, 2), [0, 1])), np.pad(np.arange(6).reshape(2, 3), [(1, 2), (0, 1)]))
    for bad in [(1, 2, 3), [(1, 2, 3)], [[1]], ((1,),), ((1, 2, 3), (1, 2)), (1.0, 2)]:
        with pytest.raises(TypeError):
            mx.pad(a, bad)


def test_flip_roll_diff():
    for name, a, n in layouts((2, 3, 4)):
        check(mx.flip(a), np.flip(n))
        check(mx.flip(a, 1), np.flip(n, 1))
        check(mx.flip(a, (0, -1)), np.flip(n, (0, -1)))
        check(mx.roll(a, 5), np.roll(n, 5))
        check(mx.roll(a, -7, 2), np.roll(n, -7, 2))
        check(mx.roll(a, (1, 2), (0, 2)), np.roll(n, (1, 2), (0, 2)))
        check(mx.roll(a, 1, (0, 1)), np.roll(n, 1, (0, 1)))
        check(mx.diff(a), np.diff(n))
        check(mx.diff(a, 2, 1), np.diff(n, 2, 1))
        check(mx.diff(a, 0), n)
        check(mx.diff(a, 5, 0), np.diff(n, 5, 0))
    check(mx.flip(mx.array(3)), np.array(3))
    check(mx.roll(mx.array(3), 1), np.array(3))
    # MLX's binding names shift and axis (its signature shows them positional-only)
    a = mx.arange(24).reshape(2, 3, 4)
    n = np.arange(24).reshape(2, 3, 4)
    check(mx.roll(a, 2, axis=-1), np.roll(n, 2, -1))
    check(mx.roll(a, shift=(1, 2), axis=(0, 2)), np.roll(n, (1, 2), (0, 2)))
    check(mx.roll(a, shift=3), np.roll(n, 3))
    b = mx.array([True, False, False, True])
    check(mx.diff(b), np.diff(np.array([True, False, False, True])))
    u = mx.array([3, 1, 2], dtype=mx.uint8)
    check(mx.diff(u), np.diff(np.array([3, 1, 2], dtype=np.uint8)), mx.uint8)
    with pytest.raises(IndexError):
        mx.flip(mx.zeros((2,)), 1)
    with pytest.raises(IndexError):
        mx.roll(mx.zeros((2,)), 1, 1)
    with pytest.raises(ValueError):
        mx.diff(mx.zeros((2,)), -1)
    with pytest.raises(IndexError):
        mx.diff(mx.array(1))


# --------------------------------------------------------------------------- gather / scatter


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_take_dtypes(dtype):
    a, n = sample((4, 5), dtype)
    i = np.array([[3, 0], [-1, 2]])
    check(mx.take(a, mx.array(i), 1), np.take(n, i, 1), dtype)
    check(mx.take(a, mx.array(i)), np.take(n, i), dtype)
    check(mx.take(a.T, mx.array([4, 1]), 0), np.take(n.T, [4, 1], 0), dtype)


def test_take_layouts_and_errors():
    for name, a, n in layouts((3, 4, 5)):
        for axis in [0, 1, -1]:
            i = np.array([[2, 0, 1], [1, 1, 0]])
            check(mx.take(a, mx.array(i), axis), np.take(n, i, axis))
        check(mx.take(a, 3), np.take(n, 3))
        check(mx.take(a, mx.array(2), 1), np.take(n, 2, 1))
    with pytest.raises(ValueError):
        mx.take(mx.zeros((0, 3)), mx.array([0]), 0)
    with pytest.raises(IndexError):
        mx.take(mx.zeros((3,)), mx.array([0]), 1)
    with pytest.raises(ValueError):
        mx.take(mx.zeros((3,)), mx.array([0.0]))
    check(mx.take(mx.zeros((0, 3)), mx.array([], dtype=mx.int32), 0), np.zeros((0, 3)))


def test_take_put_along_axis():
    for name, a, n in layouts((3, 4)):
        i = np.array([[3], [0], [1]])
        check(mx.take_along_axis(a, mx.array(i), 1), np.take_along_axis(n, i, 1))
        j = np.array([[2, 0, 1, 1]])
        check(mx.take_along_axis(a, mx.array(j), 0), np.take_along_axis(n, j, 0))
        check(mx.take_along_axis(a, mx.array([5, 0]), None), np.take_along_axis(n, np.array([5, 0]), None))
        e = np.array(n)
        np.put_along_axis(e, i, np.array([[-1], [-2], [-3]]), 1)
        check(mx.put_along_axis(a, mx.array(i), mx.array([[-1], [-2], [-3]]), 1), e.astype(e.dtype))
        e = np.ascontiguousarray(n)
        np.put_along_axis(e, np.array([1, 5]), 9, None)
        check(mx.put_along_axis(a, mx.array([1, 5]), mx.array(9)), e)
    with pytest.raises(ValueError):
        mx.take_along_axis(mx.zeros((2, 3)), mx.array([0, 1]), 0)
    with pytest.raises(ValueError):
        mx.take_along_axis(mx.zeros((2, 3)), mx.array([[0, 1]]), 0)


def test_dynamic_slice_and_update():
    a, n = sample((4, 5))
    check(mx.slice(a, mx.array([1, 2]), [0, 1], [2, 3]), n[1:3, 2:5])
    check(mx.slice(a, mx.array([2]), [1], [4, 2]), n[:, 2:4])
    check(mx.slice(a, mx.array([9]), [0], [2, 5]), n[2:4])  # clamped so the slice fits
    check(mx.slice(a.T, mx.array([-2]), [1], [5, 1]), n.T[:, 2:3])
    u, un = sample((2, 2))
    e = np.array(n)
    e[1:3, 3:5] = un
    check(mx.slice_update(a, u, mx.array([1, 3]), [0, 1]), e)
    e = np.array(n)
    e[:, 2] = 7
    check(mx.slice_update(a, mx.array([7.0]), mx.array([2]), [1]), e)
    with pytest.raises(ValueError):
        mx.slice(a, mx.array([1.0]), [0], [2, 5])
    with pytest.raises(ValueError):
        mx.slice(a, mx.array([1]), [0], [2])
    with pytest.raises(ValueError):
        mx.slice(a, mx.array([1]), [0], [5, 5])
    with pytest.raises(ValueError):
        mx.slice_update(a, mx.zeros((1, 6)), mx.array([0]), [0])


# --------------------------------------------------------------------------- diagonals, tri


def test_diagonal_diag_trace():
    for name, a, n in layouts((3, 4, 5)):
        for off, a1, a2 in [(0, 0, 1), (1, 1, 2), (-1, 2, 0), (7, 0, 2)]:
            check(mx.diagonal(a, off, a1, a2), np.diagonal(n, off, a1, a2))
            np.testing.assert_allclose(to_np(mx.trace(a, off, a1, a2)), np.trace(n, off, a1, a2))
        check(a[0].diagonal(1), np.diagonal(n[0], 1))
        check(a[1].diag(-1), np.diag(n[1], -1))
    for k in [0, 2, -1]:
        v, vn = sample((3,))
        check(mx.diag(v, k), np.diag(vn, k))
    assert mx.trace(mx.ones((2, 2), dtype=mx.int8)).dtype == mx.int32
    assert mx.trace(mx.ones((2, 2)), dtype=mx.float16).dtype == mx.float16
    assert mx.trace(mx.ones((2, 2), dtype=mx.bool_)).item() == 2
    with pytest.raises(ValueError):
        mx.diagonal(mx.zeros((3,)))
    with pytest.raises(ValueError):
        mx.diagonal(mx.zeros((3, 3)), 0, 1, 1)
    with pytest.raises(ValueError):
        mx.diag(mx.zeros((2, 2, 2)))
    with pytest.raises(ValueError):
        mx.trace(mx.zeros((3,)))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_tril_triu(dtype):
    a, n = sample((2, 3, 4), dtype)
    for k in [0, 1, -1, 5, -5]:
        check(mx.tril(a, k), np.tril(n, k), dtype)
        check(mx.triu(a, k), np.triu(n, k), dtype)
    t = mx.swapaxes(a, 1, 2)
    check(mx.triu(t, 1), np.triu(np.swapaxes(n, 1, 2), 1), dtype)
    with pytest.raises(ValueError):
        mx.tril(mx.zeros((3,)), 0)


# --------------------------------------------------------------------------- views and misc


@pytest.mark.parametrize("shape", [(17, 33), (129, 300), (3, 301, 517), (2, 16, 16)])
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.int64])
def test_transposing_copies(shape, dtype):
    # copies of transposed views: 4-byte elements go through register transposes in bands over
    # the threads (every band and column-group remainder here), the others through scalar tiles
    n = (np.random.default_rng(0).standard_normal(shape) * 50).astype(dtype)
    a = mx.array(n)
    check(mx.contiguous(mx.swapaxes(a, -1, -2)), np.swapaxes(n, -1, -2))
    check(mx.contiguous(a.T), n.T)
    check(mx.contiguous(mx.swapaxes(a[..., 1:], -1, -2)), np.swapaxes(n[..., 1:], -1, -2))
    check(mx.swapaxes(a, -1, -2).reshape(-1), np.swapaxes(n, -1, -2).reshape(-1))


def test_as_strided_contiguous_view():
    a = mx.arange(12).reshape(3, 4)
    n = np.arange(12).reshape(3, 4)
    check(mx.as_strided(a, (3, 3), (1, 1)), np.lib.stride_tricks.as_strided(n.ravel(), (3, 3), (8, 8)))
    check(mx.as_strided(a, (2, 2), (4, 1), 5), n[1:3, 1:3])
    check(mx.as_strided(a), n)
    check(mx.as_strided(a.T, (12,)), n.T.ravel())
    with pytest.raises(ValueError):
        mx.as_strided(a, (4, 4), (4, 1))
    check(mx.contiguous(a.T), n.T)
    check(mx.contiguous(a[:, ::2], True), n[:, ::2])
    f = mx.array([1.0, -2.0], dtype=mx.float32)
    check(mx.view(f, mx.uint32), np.array([1.0, -2.0], np.float32).view(np.uint32), mx.uint32)
    check(f.view(mx.uint8), np.array([1.0, -2.0], np.float32).view(np.uint8), mx.uint8)
    check(mx.view(a.T, mx.int16), np.ascontiguousarray(n.T.astype(np.int32)).view(np.int16))
    check(mx.view(mx.arange(4, dtype=mx.int16), mx.int32), np.arange(4, dtype=np.int16).view(np.int32))
    check(mx.view(3, mx.int32), np.array(3, np.int32))
    with pytest.raises(ValueError):
        mx.view(mx.arange(3), mx.int64)
    with pytest.raises(ValueError):
        mx.view(mx.array(1), mx.int16)


def test_depends():
    a, n = sample((2, 3))
    b = mx.arange(3)
    r = mx.depends(a, b)
    check(r, n)
    rs = mx.depends([a, b], [b])
    assert isinstance(rs, list) and len(rs) == 2
    check(rs[1], np.arange(3))


def test_methods_match_functions():
    a, n = sample((1, 3, 4))
    check(a.squeeze(), n.squeeze())
    check(a.squeeze(0), n.squeeze(0))
    check(a.swapaxes(1, 2), n.swapaxes(1, 2))
    check(a.flatten(), n.flatten())
    assert len(a.split(2, axis=2)) == 2
    check(a[0].diagonal(), n[0].diagonal())
    check(a[0].diag(1), np.diag(n[0], 1))


# --------------------------------------------------------------------------- randomized


def random_index(r, shape):
    """A random index mixing ints, slices, None, Ellipsis and broadcastable int arrays."""
    items, dim, used_ellipsis = [], 0, False
    bshape = tuple(r.integers(1, 3, size=r.integers(0, 3)))
    while dim < len(shape):
        k = r.integers(0, 10)
        n = shape[dim]
        if k == 0 and not used_ellipsis:
            items.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape) - r.integers(0, len(shape) - dim + 1)
            continue
        if k == 1:
            items.append(None)
            continue
        if k in (2, 3):
            items.append(int(r.integers(-n, n)))
        elif k in (4, 5):
            items.append(r.integers(-n, n, size=bshape[-r.integers(0, len(bshape) + 1):] if bshape else ()))
        else:
            st = [None, *range(-n - 2, n + 3)]
            step = [None, 1, 2, 3, -1, -2][r.integers(0, 6)]
            items.append(slice(st[r.integers(0, len(st))], st[r.integers(0, len(st))], step))
        dim += 1
        if r.integers(0, 4) == 0:
            break
    return tuple(items)


def test_random_indices_match_numpy():
    r = np.random.default_rng(42)
    for case in range(300):
        shape = tuple(r.integers(1, 5, size=r.integers(1, 4)))
        n = np.arange(np.prod(shape), dtype=np.int32).reshape(shape)
        a = mx.array(n)
        if case % 3 == 1:
            a = mx.array(np.ascontiguousarray(n.T)).T  # a transposed layout
        idx = random_index(r, shape)
        mx_idx = tuple(mx.array(i) if isinstance(i, np.ndarray) else i for i in idx)
        expected = n[idx]
        check(a[mx_idx], expected)
        # write distinct values where every target element is written once
        target = np.zeros(shape, dtype=np.int32)
        np.add.at(target, idx, 1)
        if (target <= 1).all():
            v = 1000 + np.arange(expected.size, dtype=np.int32).reshape(expected.shape)
            e = n.copy()
            e[idx] = v
            a[mx_idx] = mx.array(v)
            check(a, e)
            e = n.copy()
            np.add.at(e, idx, 5)
            check(mx.array(n).at[mx_idx].add(5), e)


def test_stream_argument():
    a, n = sample((2, 3))
    for s in [mx.cpu, mx.default_stream(mx.cpu)]:
        check(mx.flatten(a, stream=s), n.reshape(-1))
        check(mx.take(a, mx.array([1]), 1, stream=s), n[:, [1]])
        check(mx.pad(a, 1, stream=s), np.pad(n, 1))
        check(a.squeeze(stream=s), n)
        check(mx.concatenate([a, a], stream=s), np.concatenate([n, n]))
        assert len(mx.split(a, 3, 1, stream=s)) == 3
    with pytest.raises((TypeError, ValueError)):
        mx.flatten(a, stream=3)
    with pytest.raises(TypeError):
        mx.flatten(n)  # a numpy array is not an mx.array here
    with pytest.raises(TypeError):
        mx.swapaxes(a, 0)
    with pytest.raises(TypeError):
        mx.concatenate([a, n])
    with pytest.raises(TypeError):
        mx.broadcast_arrays(a, 1)
    with pytest.raises(TypeError):
        mx.take(a, [1])
    with pytest.raises(TypeError):
        mx.put_along_axis(a, mx.array([[1]]), 9.5)
    with pytest.raises(TypeError):
        mx.slice(a, [1], [0], [1, 3])
    check(a, n)  # still usable


@pytest.mark.parametrize("npd,mxd", [(np.float32, mx.float32), (np.float64, mx.float64),
                                     (np.int32, mx.int32), (np.int64, mx.int64),
                                     (np.float16, mx.float16)])
def test_scatter_add_one_axis_matches_add_at(npd, mxd):
    # x.at[idx].add(y) with one index array: contiguous int32/int64 indices and updates add
    # straight from the indices; a strided index array takes the general path; both against
    # numpy's add.at, with repeated and negative indices (integers wrap around)
    rng = np.random.default_rng(3)
    n = 1000
    x = (rng.standard_normal(n) * 10).astype(npd)
    y = (rng.standard_normal(3 * n) * 10).astype(npd)
    if npd in (np.int32, np.int64):
        x[0] = np.iinfo(npd).max
        y[:] = np.iinfo(npd).max // 3
    for idt in (np.int32, np.int64):
        idx = rng.integers(-n, n, 3 * n).astype(idt)
        idx[:5] = 0
        want = x.copy()
        np.add.at(want, idx, y)
        for ix in (mx.array(idx), mx.array(np.repeat(idx, 2))[::2]):
            got = np.array(mx.array(x, dtype=mxd).at[ix].add(mx.array(y, dtype=mxd)))
            if npd == np.float16:
                np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                           rtol=2e-2, atol=0.5)
            elif npd in (np.int32, np.int64):
                np.testing.assert_array_equal(got, want)
            else:
                np.testing.assert_allclose(got, want, rtol=1e-5 if npd == np.float32 else 1e-12,
                                           atol=1e-3)
    m = mx.zeros((4, 3)).at[mx.array([1, 1, -1])].add(mx.ones((3, 3)))  # rows: the general path
    assert m.tolist() == [[0, 0, 0], [2, 2, 2], [0, 0, 0], [1, 1, 1]]


@pytest.mark.parametrize("npd", [np.float32, np.int8, np.float64])
def test_large_copies_split_over_the_pool(npd):
    # copies of 4 MB and more run over the worker pool: one contiguous run in parts (concatenate
    # along axis 0), rows (along axis 1, a strided slice, a broadcast), every element in place
    rng = np.random.default_rng(5)
    n = 2100 if npd != np.int8 else 4200
    a = (rng.standard_normal((n, n)) * 50).astype(npd)
    b = (rng.standard_normal((n, n)) * 50).astype(npd)
    dt = mx.float64 if npd == np.float64 else None
    ma, mb = mx.array(a, dtype=dt), mx.array(b, dtype=dt)
    np.testing.assert_array_equal(np.array(mx.concatenate([ma, mb], axis=0)),
                                  np.concatenate([a, b], axis=0))
    np.testing.assert_array_equal(np.array(mx.concatenate([ma, mb], axis=1)),
                                  np.concatenate([a, b], axis=1))
    np.testing.assert_array_equal(np.array(mx.contiguous(ma[::2, 1::2])), a[::2, 1::2])
    np.testing.assert_array_equal(np.array(mx.contiguous(mx.broadcast_to(ma[0], (n, n)))),
                                  np.broadcast_to(a[0], (n, n)))


@pytest.mark.parametrize("npd", [np.float32, np.int8, np.float64, np.float16])
def test_copies_of_short_rows(npd):
    # a last dim of up to 8 that cannot merge with the one before (a repeat's broadcast axis, the
    # transpose of a few long rows) is copied across bands of rows: bands cut mid-way (lengths not
    # a multiple of the band), outer dims, a conversion on the way (astype)
    rng = np.random.default_rng(6)
    dt = {np.float64: mx.float64, np.float16: mx.float16}.get(npd)
    for n in (2047, 2048, 5000, 70001):
        x = (rng.standard_normal(n) * 50).astype(npd)
        mxx = mx.array(x, dtype=dt)
        for r in (2, 3, 8, 9):
            np.testing.assert_array_equal(np.array(mx.repeat(mxx, r)), np.repeat(x, r))
        for k in (2, 3, 5):
            m = (rng.standard_normal((k, n)) * 50).astype(npd)
            np.testing.assert_array_equal(np.array(mx.contiguous(mx.array(m, dtype=dt).T)), m.T)
    x3 = (rng.standard_normal((3, 4100, 2)) * 50).astype(npd)
    m3 = mx.array(x3, dtype=dt)
    np.testing.assert_array_equal(np.array(mx.repeat(m3, 2, axis=2)), np.repeat(x3, 2, axis=2))
    np.testing.assert_array_equal(np.array(mx.contiguous(mx.transpose(m3, (0, 2, 1)))),
                                  np.ascontiguousarray(np.transpose(x3, (0, 2, 1))))
    np.testing.assert_array_equal(np.array(mx.repeat(m3, 3, axis=1).astype(mx.float32)),
                                  np.repeat(x3, 3, axis=1).astype(np.float32))
    t = np.array(mx.array(x3[:, :, 0], dtype=dt).T.astype(mx.int32))
    np.testing.assert_array_equal(t, x3[:, :, 0].T.astype(np.int32))
    # unit-stride short rows of one dtype (column slices) move a row at a time: every row width
    # up to 8, with and without outer dims that merge, flattened (copy.c) and contiguous
    # (indexing_copy.c)
    for w in range(1, 9):
        m = (rng.standard_normal((5003, w + 3)) * 50).astype(npd)
        mm = mx.array(m, dtype=dt)
        np.testing.assert_array_equal(np.array(mm[:, 1:w + 1].reshape(-1)), m[:, 1:w + 1].reshape(-1))
        np.testing.assert_array_equal(np.array(mx.contiguous(mm[:, 2:w + 2])), m[:, 2:w + 2])
        y3 = (rng.standard_normal((3, 2101, w + 1)) * 50).astype(npd)
        my3 = mx.array(y3, dtype=dt)[:, :2050, 1:]  # two outer dims that do not merge
        np.testing.assert_array_equal(np.array(my3.flatten()), y3[:, :2050, 1:].reshape(-1))
        np.testing.assert_array_equal(np.array(mx.contiguous(my3)), y3[:, :2050, 1:])


@pytest.mark.parametrize("npd", [np.float32, np.int8, np.float64, np.float16])
def test_take_along_last_axis_runs(npd):
    # take along the last axis gathers a whole run of leading positions per call: contiguous,
    # transposed (the leading stride not the row length) and 3-d inputs, negative indices
    rng = np.random.default_rng(7)
    dt = {np.float64: mx.float64, np.float16: mx.float16}.get(npd)
    x = (rng.standard_normal((300, 5)) * 50).astype(npd)
    for idx in ([3, 0], [-1], [4, 4, 0, 2, 1, 3]):
        for arr in (x, x.T.copy().T, np.ascontiguousarray(x.T)):
            m = mx.array(arr, dtype=dt)
            np.testing.assert_array_equal(np.array(mx.take(m, mx.array(idx), axis=-1)),
                                          np.take(arr, idx, axis=-1))
        tm = mx.transpose(mx.array(np.ascontiguousarray(x.T), dtype=dt))
        np.testing.assert_array_equal(np.array(mx.take(tm, mx.array(idx), axis=1)),
                                      np.take(x, idx, axis=1))
    x3 = (rng.standard_normal((4, 30, 6)) * 50).astype(npd)
    np.testing.assert_array_equal(np.array(mx.take(mx.array(x3, dtype=dt), mx.array([5, 1]), axis=2)),
                                  np.take(x3, [5, 1], axis=2))


@pytest.mark.parametrize("npd", [np.float32, np.int8, np.float64])
def test_index_copies_of_narrow_blocks(npd):
    # strided copies of blocks of at most 8 columns over 256 rows or more (pad, slice_update,
    # .at[] updates, take of trailing blocks, concatenate) walk down the rows one column at a time
    rng = np.random.default_rng(8)
    dt = mx.float64 if npd == np.float64 else None
    x = (rng.standard_normal((3000, 2)) * 50).astype(npd)
    mx_x = mx.array(x, dtype=dt)
    np.testing.assert_array_equal(np.array(mx.pad(mx_x, ((0, 0), (1, 2)))), np.pad(x, ((0, 0), (1, 2))))
    x3 = (rng.standard_normal((3, 700, 3)) * 50).astype(npd)
    m3 = mx.array(x3, dtype=dt)
    np.testing.assert_array_equal(np.array(mx.pad(m3, ((0, 0), (2, 0), (1, 1)))),
                                  np.pad(x3, ((0, 0), (2, 0), (1, 1))))
    w = (rng.standard_normal((1000, 6)) * 50).astype(npd)
    upd = (rng.standard_normal((1000, 2)) * 50).astype(npd)
    got = mx.slice_update(mx.array(w, dtype=dt), mx.array(upd, dtype=dt), mx.array([0, 3]), (0, 1))
    want = w.copy()
    want[:, 3:5] = upd
    np.testing.assert_array_equal(np.array(got), want)
    got = mx.array(w, dtype=dt).at[:, 1:3].add(mx.array(upd, dtype=dt))
    want = w.copy()
    want[:, 1:3] += upd
    np.testing.assert_array_equal(np.array(got), want)
    big = (rng.standard_normal(((4 << 20) // (2 * x.itemsize) + 3, 2)) * 50).astype(npd)
    mb = mx.array(big, dtype=dt)  # copies of 4 MB and more: the same walk in ranges over the pool
    np.testing.assert_array_equal(np.array(mx.concatenate([mb, mb[:, :1]], axis=1)),
                                  np.concatenate([big, big[:, :1]], axis=1))
    x4 = (rng.standard_normal((2, 5, 300, 2)) * 50).astype(npd)
    np.testing.assert_array_equal(np.array(mx.take(mx.array(x4, dtype=dt), mx.array([4, 0, 4]), axis=1)),
                                  np.take(x4, [4, 0, 4], axis=1))
