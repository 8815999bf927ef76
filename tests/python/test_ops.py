"""Arithmetic, shape ops, reductions, matmul and creation ops against numpy (float64 refs)."""
import re

import numpy as np
import pytest

import mlx.core as mx

rng = np.random.default_rng(0)


def as_np(a):
    return np.array(a)


BROADCAST_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((2, 1), (1, 4)),
    ((4, 1, 3), (2, 1)),
    ((1,), (5, 2)),
    ((), (2, 3)),
    ((2, 3, 4, 5), (3, 1, 5)),
    ((0, 3), (1, 3)),
]
OPS = [
    (mx.add, np.add, lambda a, b: a + b),
    (mx.subtract, np.subtract, lambda a, b: a - b),
    (mx.multiply, np.multiply, lambda a, b: a * b),
    (mx.divide, np.divide, lambda a, b: a / b),
]


@pytest.mark.parametrize("sa, sb", BROADCAST_SHAPES)
@pytest.mark.parametrize("op", OPS, ids=["add", "subtract", "multiply", "divide"])
def test_binary_broadcasting_float32(sa, sb, op):
    mfn, nfn, pyop = op
    x = rng.standard_normal(sa)
    y = rng.standard_normal(sb) + 3.0  # keep away from 0 for divide
    a = mx.array(x, mx.float32)
    b = mx.array(y, mx.float32)
    expected = nfn(x.astype(np.float32).astype(np.float64), y.astype(np.float32).astype(np.float64))
    for r in (mfn(a, b), pyop(a, b)):
        assert r.dtype == mx.float32
        assert r.shape == expected.shape
        np.testing.assert_allclose(as_np(r), expected, rtol=1e-6, atol=1e-6)
    r = pyop(b, a)
    np.testing.assert_allclose(as_np(r), nfn(y.astype(np.float32), x.astype(np.float32)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype, np_dtype", [(mx.int32, np.int32), (mx.int64, np.int64),
                                             (mx.uint8, np.uint8), (mx.int16, np.int16)])
def test_integer_arithmetic(dtype, np_dtype):
    x = rng.integers(0, 50, (3, 4)).astype(np_dtype)
    y = rng.integers(1, 5, (4,)).astype(np_dtype)
    a, b = mx.array(x), mx.array(y)
    assert a.dtype == dtype
    np.testing.assert_array_equal(as_np(a + b), x + y)
    np.testing.assert_array_equal(as_np(a * b), x * y)
    np.testing.assert_array_equal(as_np(a - b), (x - y).astype(np_dtype))
    q = a / b
    assert q.dtype == mx.float32
    np.testing.assert_allclose(as_np(q), x / y, rtol=1e-6)


def test_float64_arithmetic():
    x = rng.standard_normal((5, 5))
    y = rng.standard_normal((5,))
    a, b = mx.array(x, mx.float64), mx.array(y, mx.float64)
    r = a * b + a / 3.0 - 1.0
    assert r.dtype == mx.float64
    np.testing.assert_allclose(as_np(r), x * y + x / 3.0 - 1.0, rtol=1e-13)


def test_complex_arithmetic():
    a = mx.array([1 + 2j, 3 - 1j])
    b = mx.array([2 - 1j, 1j])
    np.testing.assert_allclose(as_np(a * b), np.array([1 + 2j, 3 - 1j]) * np.array([2 - 1j, 1j]))
    np.testing.assert_allclose(as_np(a / b), np.array([1 + 2j, 3 - 1j]) / np.array([2 - 1j, 1j]),
                               rtol=1e-6)
    assert (a + 1).tolist() == [2 + 2j, 4 - 1j]


def test_inplace_operators_update_the_object():
    # Like MLX, in-place operators update the array object itself.
    a = mx.array([1.0, 2.0])
    alias = a
    a += 1
    assert a is alias
    assert alias.tolist() == [2.0, 3.0]
    a -= mx.array([0.5, 0.5])
    a *= 2
    a /= 4
    assert alias.tolist() == [0.75, 1.25]
    m = mx.array([[1.0, 2.0], [3.0, 4.0]])
    m @= mx.array([[1.0], [1.0]])
    assert m.tolist() == [[3.0], [7.0]]
    # the result type follows promotion
    i = mx.array([1, 2])
    i += 1.5
    assert i.dtype == mx.float32 and i.tolist() == [2.5, 3.5]
    with pytest.raises(ValueError):
        j = mx.array([1, 2])
        j /= 2
    with pytest.raises(ValueError, match="Cannot perform inplace addition"):
        k = mx.array([1, 2])
        k += "x"


def test_inplace_keeps_exported_buffer_valid():
    a = mx.array([1.0, 2.0])
    mv = memoryview(a)
    a += 1
    assert mv.tolist() == [1.0, 2.0]
    assert a.tolist() == [2.0, 3.0]
    mv.release()


def test_negative_and_positive():
    assert (-mx.array([1, -2])).tolist() == [-1, 2]
    assert (-mx.array([1.5])).dtype == mx.float32
    assert (-mx.array([1], mx.uint8)).tolist() == [255]
    assert (+mx.array([3])).tolist() == [3]
    with pytest.raises(ValueError):
        -mx.array([True])


@pytest.mark.parametrize(
    "shape, new",
    [((2, 3), (3, 2)), ((2, 3), (6,)), ((2, 3), (-1,)), ((2, 3, 4), (4, -1)),
     ((24,), (2, 3, 4)), ((1,), ()), ((), (1, 1)), ((0, 3), (3, 0))],
)
def test_reshape(shape, new):
    x = np.arange(int(np.prod(shape))).reshape(shape)
    a = mx.array(x)
    for r in (a.reshape(new), mx.reshape(a, new), mx.reshape(a, shape=list(new))):
        np.testing.assert_array_equal(as_np(r), x.reshape(new))
    if len(new) > 0:
        np.testing.assert_array_equal(as_np(a.reshape(*new)), x.reshape(new))


def test_reshape_of_transposed_view():
    x = np.arange(12).reshape(3, 4)
    a = mx.array(x).T
    np.testing.assert_array_equal(as_np(a.reshape(2, 6)), x.T.reshape(2, 6))


@pytest.mark.parametrize(
    "shape, axes",
    [((2, 3), None), ((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (-1, 0, 1)),
     ((2, 3, 4, 5), (3, 1, 0, 2)), ((5,), None), ((), None)],
)
def test_transpose(shape, axes):
    x = rng.standard_normal(shape).astype(np.float32)
    a = mx.array(x)
    expected = np.transpose(x, axes)
    np.testing.assert_array_equal(as_np(mx.transpose(a, axes)), expected)
    if axes is None:
        np.testing.assert_array_equal(as_np(a.transpose()), expected)
        np.testing.assert_array_equal(as_np(a.T), expected)
    else:
        np.testing.assert_array_equal(as_np(a.transpose(*axes)), expected)
        np.testing.assert_array_equal(as_np(a.transpose(axes)), expected)
        np.testing.assert_array_equal(as_np(mx.transpose(a, axes=list(axes))), expected)


def test_transposed_view_exports_correct_data():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = mx.array(x).transpose(2, 0, 1)
    m = memoryview(t)
    assert m.shape == (4, 2, 3)
    assert m.format == "f"
    out = np.array(t)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, x.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(mx.array([[1, 2], [3, 4]]).T), [[1, 3], [2, 4]])


def test_broadcast_view_exports_correct_data():
    b = mx.broadcast_to(mx.array([1, 2]), (3, 2))
    assert memoryview(b).strides == (0, 4)
    np.testing.assert_array_equal(np.array(b), [[1, 2]] * 3)
    assert b.tolist() == [[1, 2]] * 3


@pytest.mark.parametrize(
    "axis, keepdims",
    [(None, False), (None, True), (0, False), (1, True), (-1, False), ((0, 2), False),
     ((0, 2), True), ([1], False), ((), False), ((0, 1, 2), False), ((-3, -1), True)],
)
def test_sum(axis, keepdims):
    x = rng.standard_normal((3, 4, 5))
    a = mx.array(x, mx.float32)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = np.sum(x.astype(np.float32).astype(np.float64), axis=np_axis, keepdims=keepdims)
    for r in (a.sum(axis, keepdims), mx.sum(a, axis=axis, keepdims=keepdims),
              a.sum(axis=axis, keepdims=keepdims)):
        assert r.shape == np.shape(expected)
        np.testing.assert_allclose(as_np(r), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "dtype, result",
    [(mx.bool_, mx.int32), (mx.uint8, mx.uint32), (mx.int8, mx.int32), (mx.int32, mx.int32),
     (mx.int64, mx.int64), (mx.uint64, mx.uint64), (mx.float16, mx.float16),
     (mx.bfloat16, mx.bfloat16), (mx.complex64, mx.complex64)],
)
def test_sum_dtypes(dtype, result):
    r = mx.array([1, 2], dtype).sum()
    assert r.dtype == result
    assert r.item() == (2 if dtype == mx.bool_ else 3)


def test_sum_of_transposed():
    x = np.arange(12.0).reshape(3, 4)
    a = mx.array(x).T
    np.testing.assert_allclose(as_np(a.sum(0)), x.T.sum(0))
    np.testing.assert_allclose(as_np(a.sum(1)), x.T.sum(1))


@pytest.mark.parametrize(
    "sa, sb",
    [((2, 3), (3, 4)), ((1, 1), (1, 1)), ((5, 7), (7, 2)), ((3,), (3,)), ((3,), (3, 2)),
     ((2, 3), (3,)), ((4, 2, 3), (3, 5)), ((2, 1, 2, 3), (3, 3, 4)), ((64, 33), (33, 65))],
)
def test_matmul(sa, sb):
    x = rng.standard_normal(sa)
    y = rng.standard_normal(sb)
    a, b = mx.array(x, mx.float32), mx.array(y, mx.float32)
    expected = x.astype(np.float32).astype(np.float64) @ y.astype(np.float32).astype(np.float64)
    for r in (a @ b, mx.matmul(a, b)):
        assert r.shape == expected.shape
        np.testing.assert_allclose(as_np(r), expected, rtol=1e-4, atol=1e-4)


def test_matmul_transposed_and_float64():
    x = rng.standard_normal((4, 6))
    a = mx.array(x, mx.float64)
    np.testing.assert_allclose(as_np(a @ a.T), x @ x.T, rtol=1e-12)
    np.testing.assert_allclose(as_np(a.T @ a), x.T @ x, rtol=1e-12)


def test_broadcast_to():
    a = mx.array([[1, 2, 3], [4, 5, 6]])
    r = mx.broadcast_to(a, (2, 2, 3))
    assert r.shape == (2, 2, 3)
    assert r.tolist() == [a.tolist()] * 2
    s = mx.broadcast_to(1.5, [2])
    assert s.dtype == mx.float32 and s.tolist() == [1.5, 1.5]


@pytest.mark.parametrize("fn, value", [(mx.zeros, 0), (mx.ones, 1)])
def test_zeros_ones(fn, value):
    a = fn((2, 3))
    assert a.dtype == mx.float32 and a.shape == (2, 3)
    assert a.tolist() == [[float(value)] * 3] * 2
    assert fn(3).shape == (3,)
    assert fn([2]).shape == (2,)
    assert fn(()).shape == ()
    assert fn((2,), dtype=None).dtype == mx.float32
    b = fn((2,), mx.int32)
    assert b.dtype == mx.int32 and b.tolist() == [value, value]
    assert fn(2, dtype=mx.bool_).tolist() == [bool(value)] * 2
    assert fn((2, 2), mx.bfloat16).tolist() == [[float(value)] * 2] * 2


def test_full():
    assert mx.full((2,), 3).dtype == mx.int32
    assert mx.full((2,), 3.5).tolist() == [3.5, 3.5]
    assert mx.full(2, True).tolist() == [True, True]
    assert mx.full((2,), mx.array([1, 2])).tolist() == [1, 2]
    r = mx.full((2,), 3, mx.float16)
    assert r.dtype == mx.float16 and r.tolist() == [3.0, 3.0]
    assert mx.full((2, 2), mx.array([1, 2]), mx.float32).tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert mx.full((2,), 1 + 2j).dtype == mx.complex64
    assert mx.full(shape=(1, 2), vals=7).tolist() == [[7, 7]]


def test_like_ops():
    a = mx.array([[1, 2, 3], [4, 5, 6]])
    z = mx.zeros_like(a)
    assert z.dtype == mx.int32 and z.tolist() == [[0] * 3] * 2
    assert mx.zeros_like(a, dtype=mx.float32).dtype == mx.float32
    o = mx.ones_like(a, mx.float16)
    assert o.dtype == mx.float16 and o.tolist() == [[1.0] * 3] * 2
    f = mx.full_like(a, 2.5)
    assert f.dtype == mx.int32 and f.tolist() == [[2] * 3] * 2
    g = mx.full_like(a, 2.5, dtype=mx.float32)
    assert g.dtype == mx.float32 and g.tolist() == [[2.5] * 3] * 2
    h = mx.full_like(mx.array([1.0, 2.0]), mx.array([3.5, 4.5]))
    assert h.tolist() == [3.5, 4.5]


@pytest.mark.parametrize(
    "args, kwargs, dtype, expected",
    [
        ((5,), {}, mx.int32, [0, 1, 2, 3, 4]),
        ((5.0,), {}, mx.float32, [0, 1, 2, 3, 4]),
        ((1, 5), {}, mx.int32, [1, 2, 3, 4]),
        ((1, 5, 2), {}, mx.int32, [1, 3]),
        ((0, 1, 0.25), {}, mx.float32, [0, 0.25, 0.5, 0.75]),
        ((5,), {"dtype": mx.float32}, mx.float32, [0, 1, 2, 3, 4]),
        ((1, 5), {"dtype": mx.int64}, mx.int64, [1, 2, 3, 4]),
        ((), {"start": 1, "stop": 5}, mx.int32, [1, 2, 3, 4]),
        ((), {"stop": 5}, mx.int32, [0, 1, 2, 3, 4]),
        ((5,), {"step": 2}, mx.int32, [0, 2, 4]),
        ((5, 1), {}, mx.int32, []),
        ((10, 0, -3), {}, mx.int32, [10, 7, 4, 1]),
        ((0.5, 3), {}, mx.float32, [0.5, 1.5, 2.5]),
        ((3,), {"dtype": mx.float16}, mx.float16, [0, 1, 2]),
        ((3,), {"dtype": mx.uint8}, mx.uint8, [0, 1, 2]),
        ((0, 10, 3.5), {}, mx.float32, [0, 3.5, 7]),
    ],
)
def test_arange(args, kwargs, dtype, expected):
    r = mx.arange(*args, **kwargs)
    assert r.dtype == dtype
    assert r.tolist() == expected


def test_arange_float_step_matches_numpy():
    r = mx.arange(0, 1, 0.1)
    np.testing.assert_allclose(as_np(r), np.arange(0, 1, 0.1), rtol=1e-6, atol=1e-7)


def test_astype():
    a = mx.array([[1, 2, 3], [4, 5, 6]])
    b = a.astype(mx.float32)
    assert b.dtype == mx.float32 and b.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert mx.astype(a, mx.int8).dtype == mx.int8
    assert a.astype(dtype=mx.int8).dtype == mx.int8
    assert mx.astype(a, dtype=mx.int16).dtype == mx.int16  # (MLX's binding names dtype)
    assert mx.array([1.7, -1.7, 0.0]).astype(mx.bool_).tolist() == [True, True, False]
    assert mx.array([1.7, -1.7]).astype(mx.int32).tolist() == [1, -1]
    assert mx.array([1, 2]).astype(mx.complex64).tolist() == [1 + 0j, 2 + 0j]
    assert a.T.astype(mx.float64).tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]


def test_stream_keyword_everywhere():
    s = mx.default_stream(mx.cpu)
    for stream in (None, s, mx.cpu, mx.Device(mx.cpu)):
        a = mx.arange(6, stream=stream).reshape(2, 3, stream=stream)
        b = mx.add(a, 1, stream=stream)
        b = mx.multiply(b, 2, stream=stream)
        b = mx.subtract(b, 1, stream=stream)
        b = mx.divide(b, 1, stream=stream)
        b = mx.transpose(b, stream=stream).astype(mx.float32, stream=stream)
        c = mx.matmul(b.T, b, stream=stream)
        d = mx.sum(c, axis=0, stream=stream) + a.sum(stream=stream)
        e = mx.broadcast_to(mx.zeros((1,), stream=stream), (3,), stream=stream)
        f = mx.full((3,), 1, stream=stream) + mx.ones_like(e, stream=stream)
        g = mx.zeros_like(f, stream=stream) + mx.full_like(f, 2, stream=stream)
        g = g + mx.ones(3, stream=stream) + mx.astype(e, mx.float32, stream=stream)
        x = (np.arange(6.0).reshape(2, 3) + 1) * 2 - 1  # b before the transposes
        bt = x.T
        np.testing.assert_allclose(as_np(c), bt.T @ bt, rtol=1e-6)
        np.testing.assert_allclose(as_np(d), (bt.T @ bt).sum(0) + 15, rtol=1e-6)
        assert g.tolist() == [3.0, 3.0, 3.0]
        assert f.tolist() == [2, 2, 2]


def test_iteration_and_indexing():
    a = mx.array([[1, 2, 3], [4, 5, 6]])
    rows = list(a)
    assert len(rows) == 2
    assert all(isinstance(r, mx.array) for r in rows)
    assert [r.tolist() for r in rows] == [[1, 2, 3], [4, 5, 6]]
    cols = list(a.T)
    assert [c.tolist() for c in cols] == [[1, 4], [2, 5], [3, 6]]
    scalars = list(mx.array([1.5, 2.5]))
    assert [s.shape for s in scalars] == [(), ()]
    assert [s.item() for s in scalars] == [1.5, 2.5]
    assert a[1].tolist() == [4, 5, 6]
    assert a[-1].tolist() == [4, 5, 6]
    assert a.T[0].tolist() == [1, 4]
    with pytest.raises(IndexError):
        a[2]
    b = mx.broadcast_to(mx.array([7, 8]), (3, 2))
    assert [r.tolist() for r in b] == [[7, 8]] * 3
    assert list(mx.zeros((0, 3))) == []
    assert [r.shape for r in mx.zeros((2, 0))] == [(0,), (0,)]


def test_scalar_conversions():
    assert bool(mx.array(1)) is True
    assert bool(mx.array([0])) is False
    assert int(mx.array(2.7)) == 2
    assert int(mx.array(1e30)) == int(np.float32(1e30))
    assert float(mx.array(2)) == 2.0
    assert mx.array(3).__index__() == 3
    assert [10, 20, 30][mx.array(1)] == 20
    assert mx.array(1, mx.uint64).item() == 1
    assert mx.array(1 + 1j).item() == 1 + 1j
    assert mx.array(True).item() is True
    assert mx.array(0.1, mx.bfloat16).item() == 0.10009765625


def test_tolist():
    a = mx.array([[1, 2, 3], [4, 5, 6]])
    assert a.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert a.T.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert mx.array(True).tolist() is True
    assert mx.zeros((2, 0)).tolist() == [[], []]
    assert mx.zeros((0, 3)).tolist() == []
    assert mx.array(0.1).tolist() == float(np.float32(0.1))


def test_properties():
    a = mx.array([[1, 2, 3], [4, 5, 6]])
    assert a.shape == (2, 3)
    assert isinstance(a.shape, tuple)
    assert a.ndim == 2 and a.size == 6 and a.itemsize == 4 and a.nbytes == 24
    assert a.dtype == mx.int32
    assert len(a) == 2
    c = mx.zeros((4,), mx.complex64)
    assert c.itemsize == 8 and c.nbytes == 32
    assert mx.array(1).shape == ()


# A reduction over no axes returns its input unchanged, as in MLX (was a bug: it promoted).
def test_sum_over_no_axes_keeps_dtype():
    assert mx.array(5, mx.int8).sum().dtype == mx.int8
    assert mx.array(True).sum().dtype == mx.bool_
    assert mx.array([[1, 2]], mx.int8).sum(axis=()).dtype == mx.int8
    assert mx.array([[True, False]]).sum(axis=()).tolist() == [[True, False]]


@pytest.mark.parametrize("shapes", [[(1,), (3, 1)], [(6, 7), (5, 6, 1), (7,)], [(5, 1, 4), (1, 3, 1)],
                                    [(2, 3)], [[2, 0], [1]], [(), (4,)], [(0,), (1, 0)]])
def test_broadcast_shapes_matches_numpy(shapes):
    assert mx.broadcast_shapes(*shapes) == np.broadcast_shapes(*shapes)


@pytest.mark.parametrize("shapes, message", [
    ([(2, 3), (4, 3)], "Shapes (2,3) and (4,3) cannot be broadcast."),
    ([], "Must provide at least one shape."),
    ([(2,), "ab"], "Expects a sequence of shapes"),
    ([(2,), [1.5]], "Expects a sequence of shapes"),
    ([(-1,), (2,)], "Shapes (-1) and (2) cannot be broadcast."),
])
def test_broadcast_shapes_errors(shapes, message):
    with pytest.raises(ValueError, match=re.escape("[broadcast_shapes] " + message)):
        mx.broadcast_shapes(*shapes)


def test_unique():
    # the sorted unique values of the flattened array in `size` entries (the real MLX 0.32.4's
    # mx.unique, checked call for call against it): past the last unique value, fill_value
    # (default: the first unique value) with a count of 0 and the first entry's index; beyond
    # `size` unique values, the smallest ones, the inverse of the dropped clamped to the last entry
    a = mx.array([2, 1, 2, 3, 1])
    assert mx.unique(a, 3).tolist() == [1, 2, 3]
    assert mx.unique(a, 5).tolist() == [1, 2, 3, 1, 1]
    v, i, inv, c = mx.unique(a, 4, True, True, True, fill_value=0)
    assert (v.tolist(), i.tolist(), inv.tolist(), c.tolist()) == ([1, 2, 3, 0], [1, 0, 3, 1],
                                                                  [1, 0, 1, 2, 0], [2, 2, 1, 0])
    assert (i.dtype, inv.dtype, c.dtype) == (mx.uint32, mx.uint32, mx.int32)
    v, i, inv, c = mx.unique(mx.array([3, 1, 2, 3, 1, 5]), 3, True, True, True)
    assert (v.tolist(), i.tolist(), inv.tolist(), c.tolist()) == ([1, 2, 3], [1, 2, 0],
                                                                  [2, 0, 1, 2, 0, 2], [2, 1, 2])
    # NaNs are each their own value; -0.0 and 0.0 are one
    v, c = mx.unique(mx.array([[1.0, np.nan], [np.nan, 1.0]]), 4, return_counts=True)
    np.testing.assert_array_equal(np.array(v), [1.0, np.nan, np.nan, 1.0])
    assert c.tolist() == [2, 1, 1, 0]
    assert mx.unique(mx.array([0.0, -0.0, 2.0]), 3, return_counts=True)[1].tolist() == [2, 1, 0]
    # against numpy over dtypes and shapes, the inverse rebuilding the input
    r = np.random.default_rng(4)
    for dt in (mx.int16, mx.uint8, mx.float32, mx.bfloat16, mx.bool_):
        x = r.integers(0, 9, (5, 7))
        m = mx.array(x).astype(dt)
        ref = np.array(m.astype(mx.float32)) if dt == mx.bfloat16 else np.array(m)
        uv, ui, uinv, uc = np.unique(ref, return_index=True, return_inverse=True, return_counts=True)
        k = len(uv)
        v, i, inv, c = mx.unique(m, k + 2, True, True, True, fill_value=3)
        got = np.array(v.astype(mx.float32) if dt == mx.bfloat16 else v)
        np.testing.assert_array_equal(got[:k], uv)
        assert np.all(got[k:] == (3 if dt != mx.bool_ else True))
        np.testing.assert_array_equal(np.array(i)[:k], ui)
        np.testing.assert_array_equal(np.array(inv), uinv.reshape(5, 7))
        np.testing.assert_array_equal(np.array(c), list(uc) + [0, 0])
    # empty input, size 0, errors
    assert mx.unique(mx.array([], mx.int32), 2, fill_value=4).tolist() == [4, 4]
    v, inv = mx.unique(mx.array([2, 1]), 0, return_inverse=True)
    assert v.shape == (0,) and inv.tolist() == [0, 0]
    with pytest.raises(ValueError, match="fill value is required"):
        mx.unique(mx.array([], mx.int32), 2)
    with pytest.raises(ValueError, match="negative size"):
        mx.unique(mx.array([1]), -1)
    with pytest.raises(TypeError):
        mx.unique(mx.array([1]), 2.0)
