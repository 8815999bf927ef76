"""put_along_axis and take_along_axis (the PutAlongAxis and TakeAlongAxis primitives) against
numpy references with MLX's semantics: put writes in row-major order of the update positions
(the last write wins), a negative index counts from the end once, an index still outside the
axis drops its update (take clamps it), and the non-axis dimensions of the array, the indices
(and the values) broadcast together."""
import numpy as np
import pytest

import mlx.core as mx

from conftest import ALL_DTYPES

rng = np.random.default_rng(7)


def to_np(a):
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    return np.array(a)


def reference(a, idx, v, axis, add=False):
    """float64/complex reference of put_along_axis with MLX's broadcasting, by explicit loops."""
    nd = a.ndim
    axis = axis % nd
    v = np.asarray(v)
    if v.ndim > nd:
        v = v.reshape(v.shape[v.ndim - nd:])
    v = v.reshape((1,) * (nd - v.ndim) + v.shape)
    ushape, oshape = [], []
    for i in range(nd):
        dims = [idx.shape[i], v.shape[i]] + ([] if i == axis else [a.shape[i]])
        u = int(np.broadcast_shapes(*[(d,) for d in dims])[0])
        ushape.append(u)
        oshape.append(a.shape[i] if i == axis else u)
    out = np.array(np.broadcast_to(a, oshape), order="C")
    ib, vb = np.broadcast_to(idx, ushape).astype(np.int64), np.broadcast_to(v, ushape)
    n = a.shape[axis]
    j = np.where(ib < 0, ib + n, ib)
    keep = ((j >= 0) & (j < n)).reshape(-1)
    grid = np.indices(ushape)
    grid[axis] = np.clip(j, 0, max(n - 1, 0))
    flat = np.ravel_multi_index(tuple(grid), oshape).reshape(-1)[keep] if out.size else flat_empty()
    vals = vb.reshape(-1)[keep].astype(out.dtype)
    if add:
        np.add.at(out.reshape(-1), flat, vals)
    else:  # the last write of each element (row-major order) wins
        rev = flat[::-1]
        uniq, first = np.unique(rev, return_index=True)
        out.reshape(-1)[uniq] = vals[::-1][first]
    return out


def flat_empty():
    return np.zeros(0, np.int64)


def sample(shape, dtype=mx.float32):
    x = rng.integers(0, 50, size=shape)
    if dtype == mx.bool_:
        x = x % 2
    m = mx.array(x).astype(dtype)
    return m, to_np(m)


def check(r, expected, dtype=None):
    assert r.shape == tuple(expected.shape), (r.shape, expected.shape)
    if dtype is not None:
        assert r.dtype == dtype
    np.testing.assert_array_equal(to_np(r), expected)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_dtypes_and_axes(dtype):
    for axis in [0, 1, 2, -1, -3]:
        a, an = sample((3, 4, 5), dtype)
        ishape = [3, 4, 5]
        ishape[axis] = 6  # more updates than the axis holds: repeats
        i = rng.integers(-5, 5, size=ishape)
        v, vn = sample(tuple(ishape), dtype)
        check(mx.put_along_axis(a, mx.array(i), v, axis=axis), reference(an, i, vn, axis), dtype)


@pytest.mark.parametrize("idt", [mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16,
                                 mx.int32, mx.int64], ids=str)
def test_index_dtypes(idt):
    a, an = sample((4, 6))
    lo = 0 if "uint" in str(idt) else -6
    i = rng.integers(lo, 6, size=(4, 3))
    v, vn = sample((4, 3))
    check(mx.put_along_axis(a, mx.array(i).astype(idt), v, axis=1), reference(an, i, vn, 1))
    i = rng.integers(lo // 2 * 3, 4, size=(2, 6))
    check(mx.put_along_axis(a, mx.array(i).astype(idt), v[:2, :1], axis=0),
          reference(an, i, vn[:2, :1], 0))


def test_last_write_wins_and_out_of_range_dropped():
    a = mx.zeros((2, 5))
    i = mx.array([[0, 0, 1, -1, -5], [7, -7, 2, 100, -101]])
    v = mx.array([[1.0, 2, 3, 4, 5], [6, 7, 8, 9, 10]])
    check(mx.put_along_axis(a, i, v, axis=1),
          np.array([[5.0, 3, 0, 0, 4], [0, 0, 8, 0, 0]], np.float32))
    big = mx.array([[2**63 + 1, 1]], dtype=mx.uint64)
    check(mx.put_along_axis(mx.zeros((1, 3)), big, mx.array([[1.0, 2.0]]), axis=1),
          np.array([[0.0, 2, 0]], np.float32))


def test_layouts():
    """Transposed, reversed, sliced and broadcast arrays, indices and values."""
    for axis in [0, 1]:
        a0, an0 = sample((6, 5))
        a, an = a0.T[::-1], an0.T[::-1]  # (5, 6), negative strides
        ishape = (7, 6) if axis == 0 else (5, 8)
        i0 = rng.integers(-9, 9, size=ishape[::-1])
        i = mx.array(i0).T  # transposed indices
        v0, vn0 = sample((ishape[0] + 2, ishape[1] * 2))
        v, vn = v0[1:-1, ::2], vn0[1:-1, ::2]  # sliced values
        check(mx.put_along_axis(a, i, v, axis=axis), reference(an, i0.T, vn, axis))
    b, bn = sample((1, 7))
    ab, abn = mx.broadcast_to(b, (4, 7)), np.broadcast_to(bn, (4, 7))
    ib = rng.integers(0, 7, size=(4, 3))
    check(mx.put_along_axis(ab, mx.array(ib), mx.array(9.0), axis=1), reference(abn, ib, 9.0, 1))
    check(mx.put_along_axis(ab, mx.array(ib[:1]), mx.arange(4.0).reshape(4, 1), axis=1),
          reference(abn, ib[:1], np.arange(4.0).reshape(4, 1), 1))


def test_mlx_broadcasting():
    # indices (3, 1) on an array (1, 4): the array grows to (3, 4), as MLX does
    r = mx.put_along_axis(mx.arange(4.0).reshape(1, 4), mx.array([[1], [2], [3]]), mx.array(5.0),
                          axis=1)
    check(r, np.array([[0, 5, 2, 3], [0, 1, 5, 3], [0, 1, 2, 5]], np.float32))
    # values broadcast against the indices along the axis too
    check(mx.put_along_axis(mx.zeros((3, 4)), mx.array([[1], [2], [0]]), mx.array([5.0, 6]), 1),
          np.array([[0, 6, 0, 0], [0, 0, 6, 0], [6, 0, 0, 0]], np.float32))
    # extra leading size-1 axes of the values are dropped
    check(mx.put_along_axis(mx.zeros((3, 4)), mx.array([[1]]), mx.ones((1, 3, 1)), axis=1),
          reference(np.zeros((3, 4), np.float32), np.array([[1]]), np.ones((3, 1)), 1))
    # values cast to the array's dtype
    r = mx.put_along_axis(mx.zeros((2, 3), dtype=mx.int32), mx.array([[0]]), mx.array(2.7), 1)
    check(r, np.array([[2, 0, 0], [2, 0, 0]], np.int32), mx.int32)


def test_flat_zero_size_and_bigger():
    a, an = sample((3, 4))
    e = an.reshape(-1).copy()
    e[[1, 5, -1]] = [7, 8, 9]
    check(mx.put_along_axis(a, mx.array([1, 5, -1]), mx.array([7.0, 8, 9])), e.reshape(3, 4))
    check(mx.put_along_axis(mx.zeros((3, 0)), mx.zeros((3, 0), mx.int32), mx.array(5.0), -1),
          np.zeros((3, 0), np.float32))
    check(mx.put_along_axis(a, mx.zeros((3, 0), mx.int32), mx.array(5.0), -1), an)
    # large enough to be split over threads, along either axis; float64 and float32 sums
    for shape, axis in [((300, 700), 1), ((700, 300), 0), ((40, 50, 60), 1), ((5000,), 0)]:
        for dt in [mx.float32, mx.float64]:
            a, an = sample(shape, dt)
            i = rng.integers(-shape[axis], shape[axis] + 3, size=shape)
            v, vn = sample(shape, dt)
            check(mx.put_along_axis(a, mx.array(i), v, axis=axis), reference(an, i, vn, axis))
            i = i % shape[axis]
            z = mx.zeros_like(a)
            g = mx.grad(lambda z: (mx.take_along_axis(z, mx.array(i), axis) * v).sum())(z)
            check(g, reference(np.zeros_like(an), i, vn, axis, add=True))


def test_donated_input():
    """An intermediate array nothing else holds is updated in place of a copy: same results."""
    for shape, axis in [((4, 6), 1), ((300, 700), 1), ((700, 300), 0)]:
        a, an = sample(shape)
        i = rng.integers(-shape[axis], shape[axis], size=shape)
        v, vn = sample(shape)
        check(mx.put_along_axis(a * 1, mx.array(i), v, axis=axis), reference(an, i, vn, axis))
        check(mx.put_along_axis(a + 0, mx.array(i), v, axis=axis), reference(an, i, vn, axis))
        check(a, an)


def test_sum_mode_through_the_max_vjp():
    x, xn = sample((50, 300), mx.float32)
    xn = rng.permutation(50 * 300).reshape(50, 300).astype(np.float32)  # no ties
    x = mx.array(xn)
    for axis in [0, 1]:
        g = mx.grad(lambda m: (mx.max(m, axis=axis) * mx.arange(xn.shape[1 - axis])).sum())(x)
        e = np.zeros_like(xn)
        am = np.expand_dims(xn.argmax(axis=axis), axis)
        w = np.expand_dims(np.arange(xn.shape[1 - axis], dtype=np.float32), axis)
        np.put_along_axis(e, am, w, axis)
        check(g, e)


def test_grads_match_mlx():
    a = mx.arange(8.0).reshape(2, 4)
    i = mx.array([[0, 0, 3, -1], [1, 2, 3, -9]])
    w = mx.arange(1, 9.0).reshape(2, 4)
    ga = mx.grad(lambda a: (mx.put_along_axis(a, i, mx.ones((2, 4)), axis=1) * w).sum())(a)
    check(ga, np.array([[0, 2, 3, 0], [5, 0, 0, 0]], np.float32))
    # every duplicate gets the cotangent (MLX's rule; out-of-range indices have no defined one)
    i = mx.array([[0, 0, 3, -1], [1, 2, 3, -3]])
    gv = mx.grad(lambda v: (mx.put_along_axis(a, i, v, axis=1) * w).sum())(mx.ones((2, 4)))
    check(gv, np.array([[1, 1, 4, 4], [6, 7, 8, 6]], np.float32))
    # the array broadcast from (1, 4) to (3, 4): its gradient sums over the copies
    f = lambda a: (mx.put_along_axis(a, mx.array([[1], [2], [3]]), mx.array(1.0), axis=1) *
                   mx.arange(1, 13.0).reshape(3, 4)).sum()
    check(mx.grad(f)(mx.zeros((1, 4))), np.array([[15, 16, 14, 12]], np.float32))
    # jvp: linear in the array and the values
    _, t = mx.jvp(lambda a, v: mx.put_along_axis(a, i, v, axis=1), [a, mx.ones((2, 4))],
                  [mx.ones((2, 4)), mx.full((2, 4), 2.0)])
    check(t[0], reference(np.ones((2, 4), np.float32), np.array(i), np.full((2, 4), 2.0), 1))


def test_vmap():
    a, an = sample((3, 4, 5))
    i = rng.integers(-5, 5, size=(3, 4, 2))
    v, vn = sample((3, 4, 2))
    f = lambda a, i, v: mx.put_along_axis(a, i, v, axis=1)
    e = np.stack([reference(an[k], i[k], vn[k], 1) for k in range(3)])
    check(mx.vmap(f)(a, mx.array(i), v), e)
    e = np.stack([reference(an[k], i[0], vn[0], 1) for k in range(3)])
    check(mx.vmap(f, in_axes=(0, None, None))(a, mx.array(i[0]), v[0]), e)
    i1 = rng.integers(-5, 5, size=(4, 3, 2))
    e = np.stack([reference(an[0], i1[:, k], vn[0], 1) for k in range(3)])
    check(mx.vmap(f, in_axes=(None, 1, None))(a[0], mx.array(i1), v[0]), e)
    v2, vn2 = sample((4, 2, 3))
    e = np.stack([reference(an[0], i[0], vn2[..., k], 1) for k in range(3)])
    check(mx.vmap(f, in_axes=(None, None, 2))(a[0], mx.array(i[0]), v2), e)


def test_errors_and_recovery():
    a = mx.zeros((3, 4))
    with pytest.raises(ValueError):
        mx.put_along_axis(a, mx.array([[1.0]]), mx.array(1.0), axis=1)
    with pytest.raises(ValueError):
        mx.put_along_axis(a, mx.array([[True]]), mx.array(1.0), axis=1)
    with pytest.raises(ValueError):
        mx.put_along_axis(a, mx.array([1]), mx.array(1.0), axis=1)
    with pytest.raises((ValueError, IndexError)):
        mx.put_along_axis(a, mx.array([[1]]), mx.array(1.0), axis=2)
    with pytest.raises(ValueError, match="put_along_axis"):
        mx.put_along_axis(mx.zeros((2, 4)), mx.array([[1], [2], [3]]), mx.array(5.0), axis=1)
    with pytest.raises(ValueError):
        mx.put_along_axis(a, mx.array([[1, 2, 3]]), mx.array([[5.0], [6]]), axis=1)
    with pytest.raises(ValueError):
        mx.put_along_axis(a, mx.array([[1]]), mx.ones((2, 3, 1)), axis=1)
    check(mx.put_along_axis(a, mx.array([[1]]), mx.array(1.0), axis=1),
          reference(np.zeros((3, 4), np.float32), np.array([[1]]), 1.0, 1))


def take_reference(a, idx, axis):
    nd = a.ndim
    axis = axis % nd
    shape = [idx.shape[i] if i == axis else np.broadcast_shapes((a.shape[i],), (idx.shape[i],))[0]
             for i in range(nd)]
    ab = np.broadcast_to(a, [a.shape[i] if i == axis else shape[i] for i in range(nd)])
    n = a.shape[axis]
    i = np.broadcast_to(idx, shape).astype(np.int64)
    i = np.clip(np.where(i < 0, i + n, i), 0, n - 1)
    return np.take_along_axis(ab, i, axis)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_take_along_axis_dtypes_and_axes(dtype):
    for axis in [0, 1, 2, -1]:
        a, an = sample((3, 4, 5), dtype)
        ishape = [3, 4, 5]
        ishape[axis] = 7
        i = rng.integers(-5, 5, size=ishape)
        check(mx.take_along_axis(a, mx.array(i), axis=axis), take_reference(an, i, axis), dtype)


def test_take_along_axis_layouts_broadcast_and_clamp():
    a0, an0 = sample((6, 5))
    a, an = a0.T[::-1], an0.T[::-1]  # (5, 6), negative strides
    for axis in [0, 1]:
        i0 = rng.integers(-8, 8, size=(9, 6) if axis == 0 else (5, 7))
        for i in [mx.array(i0), mx.array(np.ascontiguousarray(i0.T)).T]:
            check(mx.take_along_axis(a, i, axis=axis), take_reference(an, i0, axis))
    # broadcast indices, a growing array (MLX), index dtypes, big (threaded) cases
    check(mx.take_along_axis(a, mx.array([[1, -1]]), 1), take_reference(an, np.array([[1, -1]]), 1))
    check(mx.take_along_axis(mx.arange(4.0).reshape(1, 4), mx.array([[1], [2], [3]]), 1),
          np.array([[1.0], [2], [3]], np.float32))
    for idt in [mx.uint8, mx.int16, mx.uint64, mx.int64]:
        check(mx.take_along_axis(a, mx.array([[3], [0], [2], [1], [5]]).astype(idt), 1),
              take_reference(an, np.array([[3], [0], [2], [1], [5]]), 1))
    for shape, axis in [((300, 700), 1), ((700, 300), 0), ((20000,), 0)]:
        b, bn = sample(shape)
        i = rng.integers(-shape[axis], shape[axis], size=shape)
        check(mx.take_along_axis(b, mx.array(i), axis), take_reference(bn, i, axis))


def test_take_along_axis_grads_and_vmap():
    a, an = sample((3, 5))
    i = rng.integers(-5, 5, size=(3, 7))
    w = rng.random((3, 7)).astype(np.float32)
    g = mx.grad(lambda a: (mx.take_along_axis(a, mx.array(i), 1) * mx.array(w)).sum())(a)
    check(g, reference(np.zeros((3, 5), np.float32), i, w, 1, add=True))
    _, t = mx.jvp(lambda a: mx.take_along_axis(a, mx.array(i), 1), [a], [mx.ones((3, 5)) * 2])
    check(t[0], np.full((3, 7), 2.0, np.float32))
    f = lambda a, i: mx.take_along_axis(a, i, axis=0)
    b, bn = sample((4, 3, 5))
    j = rng.integers(0, 3, size=(4, 2, 5))
    check(mx.vmap(f)(b, mx.array(j)), np.stack([take_reference(bn[k], j[k], 0) for k in range(4)]))
    check(mx.vmap(f, in_axes=(None, 0))(b[0], mx.array(j)),
          np.stack([take_reference(bn[0], j[k], 0) for k in range(4)]))
    check(mx.vmap(f, in_axes=(2, None))(b, mx.array(j[0, :, :3])),
          np.stack([take_reference(bn[..., k], j[0, :, :3], 0) for k in range(5)]))


def test_take_along_axis_errors():
    a = mx.zeros((3, 4))
    with pytest.raises(ValueError):
        mx.take_along_axis(a, mx.array([[1.0]]), 1)
    with pytest.raises(ValueError):
        mx.take_along_axis(a, mx.array([1]), 1)
    with pytest.raises(ValueError, match="take_along_axis"):
        mx.take_along_axis(a, mx.array([[1], [2]]), 1)
    with pytest.raises(ValueError):
        mx.take_along_axis(mx.zeros((3, 0)), mx.array([[0]]), 1)
    check(mx.take_along_axis(mx.zeros((3, 0)), mx.zeros((3, 0), mx.int32), 1),
          np.zeros((3, 0), np.float32))
    check(mx.take_along_axis(a, mx.array([[1]]), 1), np.zeros((3, 1), np.float32))
