"""Indexing against numpy over thousands of generated index expressions, and the indexing errors.

Every expression is seeded. The reference is numpy with MLX's two departures modelled:
  * an Ellipsis that covers no axis does not separate advanced indices (numpy moves the
    broadcast index dims to the front; MLX keeps them in place): the reference drops it;
  * an assigned value first loses its leading size-1 axes beyond the target's rank.
Error types and messages are those mlx 0.32.4 raises (written here from running it)."""
import re

import numpy as np
import pytest

import mlx.core as mx

INT_DTYPES = [mx.int8, mx.int16, mx.int32, mx.int64, mx.uint8, mx.uint32, mx.uint64]
DATA_DTYPES = [(mx.int32, np.int32), (mx.float32, np.float32), (mx.int64, np.int64),
               (mx.uint8, np.uint8), (mx.float16, np.float16), (mx.bool_, np.bool_)]


# --------------------------------------------------------------------------- generators


def rand_shape(rng):
    return tuple(int(rng.choice([0, 1, 2, 3, 4, 5], p=[.04, .16, .25, .25, .15, .15]))
                 for _ in range(int(rng.integers(0, 5))))


def rand_slice(rng, n):
    def bound():
        r = rng.random()
        if r < 0.3:
            return None
        if r < 0.85:
            return int(rng.integers(-n - 1, n + 2))
        return int(rng.choice([-100, 100]))
    step = None if rng.random() < 0.4 else int(rng.choice([1, 2, 3, -1, -2, -3]))
    return slice(bound(), bound(), step)


def rand_index(rng, shape, allow_arrays=True):
    """A list of index items over shape: ints, slices, None, one Ellipsis at most, and integer
    arrays (numpy, converted later) whose shapes broadcast to one random shape."""
    nd, items, dim, has_ellipsis = len(shape), [], 0, False
    bshape = tuple(int(x) for x in rng.integers(1, 4, size=int(rng.integers(0, 3))))
    while True:
        left, r = nd - dim, rng.random()
        if left == 0:
            if r < 0.15:
                items.append(None)
            elif r < 0.22 and not has_ellipsis:
                items.append(Ellipsis)
                has_ellipsis = True
            else:
                break
            continue
        if r < 0.08 and not has_ellipsis:
            break
        n = shape[dim]
        if r < 0.25 and n > 0:
            items.append(int(rng.integers(-n, n)))
            dim += 1
        elif r < 0.55:
            items.append(rand_slice(rng, n))
            dim += 1
        elif r < 0.63:
            items.append(None)
        elif r < 0.70 and not has_ellipsis:
            items.append(Ellipsis)
            has_ellipsis = True
            dim = nd - int(rng.integers(0, left + 1))  # the items after it take the rest
        elif allow_arrays and n > 0:
            ishape = tuple(1 if rng.random() < 0.3 else d
                           for d in bshape[int(rng.integers(0, len(bshape) + 1)):])
            items.append(rng.integers(-n, n, size=ishape))
            dim += 1
        else:
            items.append(slice(None))
            dim += 1
    return items


def to_mlx_key(items, rng):
    """The same index for mlx: arrays as mx.array of a random integer dtype or nested lists,
    ints sometimes as numpy integers; a one-item index sometimes without its tuple."""
    key = []
    for it in items:
        if isinstance(it, np.ndarray):
            if it.ndim == 0 or rng.random() < 0.6:
                dts = [d for d in INT_DTYPES if it.min(initial=0) >= 0 or d not in
                       (mx.uint8, mx.uint32, mx.uint64)]
                key.append(mx.array(it).astype(dts[int(rng.integers(0, len(dts)))]))
            else:
                key.append(it.tolist())
        elif isinstance(it, int) and rng.random() < 0.2:
            key.append(np.int64(it))
        else:
            key.append(it)
    if len(key) == 1 and rng.random() < 0.5:
        return key[0]
    return tuple(key)


def numpy_key(items, ndim):
    """The reference index: an Ellipsis covering no axis is dropped (MLX's placement rule)."""
    consumed = sum(1 for it in items if it is not None and it is not Ellipsis)
    if any(it is Ellipsis for it in items) and consumed == ndim:
        items = [it for it in items if it is not Ellipsis]
    return tuple(items)


def rand_value_shape(rng, target):
    """A shape that broadcasts to target (leading axes dropped, some axes 1, extra leading 1s)."""
    s = [1 if rng.random() < 0.3 else d for d in target[int(rng.integers(0, len(target) + 1)):]]
    if rng.random() < 0.15:
        s = [1] * int(rng.integers(1, 3)) + s
    return tuple(s)


def make_source(rng, shape):
    """(mx array, numpy copy) of shape, contiguous or a transposed or strided view."""
    mdt, ndt = DATA_DTYPES[int(rng.integers(0, len(DATA_DTYPES)))]
    n = (np.arange(int(np.prod(shape))) % 97).reshape(shape)
    n = np.array(n % 2 if ndt == np.bool_ else n, dtype=ndt)
    layout = rng.integers(0, 3) if len(shape) else 0
    if layout == 0:
        a = mx.array(n)
    elif layout == 1:
        perm = rng.permutation(len(shape))
        a = mx.array(np.ascontiguousarray(n.transpose(perm))).transpose(np.argsort(perm).tolist())
    else:
        big = np.zeros(tuple(2 * d + 1 for d in shape), dtype=ndt)
        sl = tuple(slice(1, None, 2) for _ in shape)
        big[sl] = n
        a = mx.array(big)[sl]
    return a, n, mdt


def as_numpy(a):
    return np.array(a.astype(mx.float32)) if a.dtype == mx.bfloat16 else np.array(a)


def case_id(x):
    """A short test id for an index or value (arrays by dtype and shape)."""
    if isinstance(x, mx.array):
        return f"mx{list(x.shape)}{str(x.dtype).split('.')[-1]}"
    if isinstance(x, tuple):
        return "(" + ",".join(case_id(i) for i in x) + ")"
    return "object()" if type(x) is object else repr(x)


def expect_equal(case, got, expected):
    assert got.shape == expected.shape, (case, got.shape, expected.shape)
    assert np.array_equal(got, expected), (case, got, expected)


# --------------------------------------------------------------------------- randomized


@pytest.mark.parametrize("seed", [0, 1])
def test_getitem_random(seed):
    rng = np.random.default_rng(1000 + seed)
    for case in range(2500):
        shape = rand_shape(rng)
        items = rand_index(rng, shape)
        a, n, _ = make_source(rng, shape)
        key = to_mlx_key(items, rng)
        expected = n[numpy_key(items, len(shape))]
        expect_equal((case, shape, key), as_numpy(a[key]), expected)


@pytest.mark.parametrize("seed", [0, 1])
def test_setitem_random(seed):
    rng = np.random.default_rng(2000 + seed)
    for case in range(2500):
        shape = rand_shape(rng)
        items = rand_index(rng, shape)
        a, n, mdt = make_source(rng, shape)
        key = to_mlx_key(items, rng)
        nkey = numpy_key(items, len(shape))
        target = n[nkey].shape
        vshape = rand_value_shape(rng, target)
        raw = (100 + np.arange(int(np.prod(vshape))) % 50).reshape(vshape)
        r = rng.random()
        if r < 0.15:
            value = int(raw.flat[0]) if raw.size else 7
            raw = np.array(value)
        elif r < 0.3 and raw.size:
            value = raw.tolist()
        elif r < 0.4:
            value = mx.array(raw.astype(np.float32))  # cast to the array's type
        else:
            value = mx.array(raw).astype(mdt)
        v = raw
        while v.ndim > len(target) and v.shape[0] == 1:
            v = v[0]
        expected = n.copy()
        expected[nkey] = v.astype(n.dtype)
        before = a
        a[key] = value
        assert a.dtype == mdt
        expect_equal((case, shape, key, vshape), as_numpy(a), expected)
        assert before is a


def test_setitem_repeated_indices_last_write_wins_random():
    rng = np.random.default_rng(7)
    for case in range(300):
        n = int(rng.integers(1, 6))
        idx = rng.integers(-n, n, size=int(rng.integers(1, 12)))
        vals = rng.integers(0, 1000, size=(idx.size, 3))
        a = mx.zeros((n, 3), dtype=mx.int32)
        a[mx.array(idx)] = mx.array(vals)
        expected = np.zeros((n, 3), dtype=np.int32)
        for i, v in zip(idx, vals):  # in order: the last write wins
            expected[i] = v
        expect_equal((case, idx), np.array(a), expected)


AT_OPS = ["add", "subtract", "multiply", "divide", "maximum", "minimum"]


@pytest.mark.parametrize("seed", [0, 1])
def test_at_random(seed):
    rng = np.random.default_rng(3000 + seed)
    for case in range(1500):
        shape = rand_shape(rng)
        items = rand_index(rng, shape)
        op = AT_OPS[int(rng.integers(0, len(AT_OPS)))]
        # powers of two keep products and quotients exact whatever the order
        n = np.array(rng.integers(1, 4, size=shape) * 2.0 ** rng.integers(-2, 3, size=shape),
                     dtype=np.float32)
        a = mx.array(n)
        key = to_mlx_key(items, rng)
        nkey = numpy_key(items, len(shape))
        target = n[nkey].shape
        vshape = rand_value_shape(rng, target)
        raw = (2.0 ** rng.integers(-1, 3, size=vshape)).astype(np.float32)
        v = raw
        while v.ndim > len(target) and v.shape[0] == 1:
            v = v[0]
        expected = n.copy()
        if any(isinstance(it, np.ndarray) and it.size > 1 for it in items):
            # repeated indices accumulate (numpy 2.4's ufunc.at errs with broadcast values)
            getattr(np, op).at(expected, nkey, np.ascontiguousarray(np.broadcast_to(v, target)))
        else:
            expected[nkey] = getattr(np, op)(expected[nkey], v)
        got = getattr(a.at[key], op)(mx.array(raw))
        expect_equal((case, op, shape, key, vshape), np.array(got), expected)
        expect_equal(case, np.array(a), n)  # a itself is unchanged


def mask_reference(n, mask, v):
    """MLX's masked assignment: a value of at most the trailing rank goes to every selected
    position; one with an axis more gives the selected positions its rows in order (None: too
    few rows, an error when evaluated); a value of higher rank is a ValueError."""
    t = n.ndim - mask.ndim
    trailing = n.shape[mask.ndim:]
    if v.ndim > t + 1:
        return ValueError
    out = n.copy()
    if v.ndim <= t:
        out[mask] = np.broadcast_to(v, trailing).astype(n.dtype)
        return out
    rows = np.broadcast_to(v, (v.shape[0],) + trailing)
    count = int(mask.sum())
    if rows.shape[0] < count and np.prod(trailing) > 0:
        return None
    out[mask] = rows[:count].astype(n.dtype) if rows.shape[0] >= count else 0
    return out


@pytest.mark.parametrize("seed", [0])
def test_setitem_boolean_mask_random(seed):
    rng = np.random.default_rng(4000 + seed)
    for case in range(1500):
        shape = rand_shape(rng)
        a, n, mdt = make_source(rng, shape)
        mnd = int(rng.integers(0, len(shape) + 1))
        mask = np.asarray(rng.random(shape[:mnd]) < 0.5)
        trailing = shape[mnd:]
        count = int(mask.sum())
        if rng.random() < 0.5:
            vshape = rand_value_shape(rng, trailing)
        else:
            rows = count + int(rng.integers(0, 3)) if rng.random() < 0.9 else max(count - 1, 0)
            vshape = (rows,) + tuple(1 if rng.random() < 0.3 else d for d in trailing)
        raw = (200 + np.arange(int(np.prod(vshape))) % 50).reshape(vshape)
        expected = mask_reference(n, mask, raw)
        mkey = mask.tolist() if rng.random() < 0.2 and mask.size and mnd else mx.array(mask)
        if mnd == 0 and rng.random() < 0.5:
            mkey = bool(mask)  # a Python bool masks everything or nothing
        if expected is ValueError:
            with pytest.raises(ValueError, match="must be broadcastable with the last"):
                a[mkey] = mx.array(raw).astype(mdt)
            continue
        a[mkey] = mx.array(raw).astype(mdt)
        if expected is None:
            with pytest.raises(RuntimeError, match="not have enough elements"):
                mx.eval(a)
        else:
            expect_equal((case, shape, mask.shape, vshape), as_numpy(a), expected)


# --------------------------------------------------------------------------- views


def test_basic_indexing_makes_views():
    x = mx.arange(120, dtype=mx.float32).reshape(4, 5, 6)
    mx.eval(x)
    base = np.asarray(x)
    start = mx.get_active_memory()
    views = [x[1], x[::-1, 1:4], x[..., ::2], x[None, 2:, ..., None], x[:, -1, ::-3], x[()]]
    mx.eval(*views)
    assert mx.get_active_memory() == start  # no data was copied
    for v, idx in zip(views, [1, (slice(None, None, -1), slice(1, 4)), (Ellipsis, slice(None, None, 2)),
                              (None, slice(2, None), Ellipsis, None),
                              (slice(None), -1, slice(None, None, -3)), ()]):
        assert np.shares_memory(np.asarray(v), base)
        np.testing.assert_array_equal(np.asarray(v), base[idx])
    g = x[mx.array([0, 1])]  # advanced indexing gathers a copy
    assert not np.shares_memory(np.asarray(g), base)


# --------------------------------------------------------------------------- errors

A = mx.arange(12).reshape(3, 4)

GETITEM_ERRORS = [
    ((0, 0, 0), ValueError, "Too many indices for array with 2 dimensions."),
    ((Ellipsis, 0, 0, 0), ValueError, "Too many indices for array with 2 dimensions."),
    ((None, 0, None, 0, 0), ValueError, "Too many indices for array with 2 dimensions."),
    (1.0, ValueError, "Cannot index mlx array using the given type."),
    ("x", ValueError, "Cannot index mlx array using the given type."),
    (True, ValueError, "Cannot index mlx array using the given type."),
    (np.bool_(True), ValueError, "Cannot index mlx array using the given type."),
    ({}, ValueError, "Cannot index mlx array using the given type."),
    ((1.0,), ValueError, "Cannot index mlx array using the given type yet"),
    ((slice(1, 2), "x"), ValueError, "Cannot index mlx array using the given type yet"),
    (((0, 1),), ValueError, "Cannot index mlx array using the given type yet"),
    ((0, True), ValueError, "Cannot index mlx array using the given type yet"),
    ((0, np.bool_(True)), ValueError, "Cannot index mlx array using the given type yet"),
    ((Ellipsis, Ellipsis), ValueError, r"An index can only have a single ellipsis \(...\)"),
    (mx.array([True, False, True]), ValueError, "boolean indices are not yet supported"),
    ([True, False, True], ValueError, "boolean indices are not yet supported"),
    (mx.array(True), ValueError, "boolean indices are not yet supported"),
    ((0, mx.array([True, False, True, False])), ValueError, r"\[Gather\] Boolean indices not supported."),
    ((0, [True, False, True, False]), ValueError, r"\[Gather\] Boolean indices not supported."),
    (mx.array([1.0]), ValueError, r"\[gather\] Got indices with invalid dtype. Indices must be integral."),
    ([1.0], ValueError, r"\[gather\] Got indices with invalid dtype. Indices must be integral."),
    ([], ValueError, r"\[gather\] Got indices with invalid dtype. Indices must be integral."),
    (mx.array(1.5), ValueError, r"\[gather\] Got indices with invalid dtype. Indices must be integral."),
    ((0, mx.array([1, 2], dtype=mx.bfloat16)), ValueError, r"\[gather\] Got indices with invalid dtype."),
    (2 ** 40, ValueError, "Slice indices must be 32-bit integers."),
    (-2 ** 31 - 1, ValueError, "Slice indices must be 32-bit integers."),
    (slice(1.0, 2), ValueError, "Slice indices must be integers or None."),
    (slice(None, "a"), ValueError, "Slice indices must be integers or None."),
    (slice(None, None, mx.array(2)), ValueError, "Slice indices must be integers or None."),
    ([[0, 1], [2]], ValueError, "Initialization encountered non-uniform length."),
    ([0, [1]], ValueError, "Initialization encountered extra dimension."),
    ((mx.array([[0, 1]]), mx.array([0, 1, 2])), ValueError,
     r"\[broadcast_shapes\] Shapes \(1,2\) and \(3\) cannot be broadcast."),
]


@pytest.mark.parametrize("key, exc, msg", GETITEM_ERRORS, ids=[case_id(c[0]) for c in GETITEM_ERRORS])
def test_getitem_errors(key, exc, msg):
    with pytest.raises(exc, match="^" + msg):
        A[key]


def test_too_many_indices_is_also_an_index_error():
    with pytest.raises(IndexError, match="Too many indices for array with 2 dimensions."):
        A[0, 0, 0]
    with pytest.raises(ValueError, match="too many indices for array: array is 0-dimensional"):
        mx.array(3)[0]
    for key in [mx.array(0), [0], slice(None)]:
        with pytest.raises(ValueError, match="array is 0-dimensional"):
            mx.array(3)[key]


def test_out_of_range_ints_raise_index_error():
    # MLX reads outside the array here; we raise numpy's error instead.
    for key, axis, size in [(3, 0, 3), (-4, 0, 3), ((0, 4), 1, 4), ((Ellipsis, -5), 1, 4)]:
        with pytest.raises(IndexError, match=f"out of bounds for axis {axis} with size {size}"):
            A[key]
        with pytest.raises(IndexError):
            A[key] = 1
        with pytest.raises(IndexError):
            A.at[key].add(1)
    z = mx.zeros((0, 2))
    with pytest.raises(IndexError):
        z[0]


def test_slice_edge_cases():
    n = np.arange(12).reshape(3, 4)
    for key in [slice(1, 2, 2 ** 40), slice(-2 ** 40, 2 ** 40), slice(2 ** 40, None, -1),
                slice(None, None, -2 ** 40), slice(np.int64(1), None, np.int32(2))]:
        np.testing.assert_array_equal(np.array(A[key]), n[key])
    with pytest.raises(ValueError):
        A[::0]


SETITEM_ERRORS = [
    (slice(1, None), mx.zeros((3, 4)), ValueError,
     r"\[broadcast_shapes\] Shapes \(3,4\) and \(2,4\) cannot be broadcast."),
    (slice(1, None), mx.zeros((1, 3, 4)), ValueError,
     r"\[broadcast_shapes\] Shapes \(3,4\) and \(2,4\) cannot be broadcast."),
    ([0, 1], mx.zeros((1, 1, 2, 3)), ValueError,
     r"\[broadcast_shapes\] Shapes \(2,3\) and \(2,4\) cannot be broadcast."),
    (([0, 1], 0), mx.zeros((3,)), ValueError,
     r"\[broadcast_shapes\] Shapes \(3\) and \(2\) cannot be broadcast."),
    ((slice(None), [0, 1]), mx.zeros((2, 2)), ValueError,
     r"\[broadcast_shapes\] Shapes \(2,2\) and \(3,2\) cannot be broadcast."),
    ((None, [0, 1], None), mx.zeros((2, 2)), ValueError,
     r"\[broadcast_shapes\] Shapes \(2,2\) and \(1,2,1,4\) cannot be broadcast."),
    (slice(1, None), mx.zeros((2, 2, 4)), ValueError,
     r"Cannot broadcast array of shape \(2,2,4\) into shape \(2,4\)."),
    (0, mx.zeros((2, 4)), ValueError, r"Cannot broadcast array of shape \(2,4\) into shape"),
    (0, mx.zeros((1, 2, 4)), ValueError, r"Cannot broadcast array of shape \(2,4\) into shape"),
    (0, "x", ValueError, "Invalid type str received in array initialization."),
    (0, object(), ValueError, "Invalid type object received in array initialization."),
    (0, None, TypeError, ""),
    ((0, 0, 0), 1, ValueError, "Too many indices for array with 2 dimensions."),
    ("x", 1, ValueError, "Cannot index mlx array using the given type."),
    ((1, "x"), 1, ValueError, "Cannot index mlx array using the given type yet"),
    (mx.array([1.0]), 1, ValueError, r"\[gather\] Got indices with invalid dtype."),
    (2 ** 40, 1, ValueError, "Slice indices must be 32-bit integers."),
    ((Ellipsis, Ellipsis), 1, ValueError, "An index can only have a single ellipsis"),
    (mx.array([True, False]), 1, ValueError,
     r"\[masked_scatter\] The boolean mask should have the same shape as the beginning of the "
     r"indexed array but the mask has shape \(2\) and the array has shape \(3,4\)"),
    (mx.array([[True, False, True]]), 1, ValueError, r"\[masked_scatter\] The boolean mask should"),
    (mx.zeros((3, 4, 1), dtype=mx.bool_), 1, ValueError,
     r"\[masked_scatter\] The mask cannot have more dimensions than the target."),
    (mx.array([True, False, True]), mx.zeros((2, 2, 4)), ValueError,
     r"\[masked_scatter\] Value array shape must be broadcastable with the last 1 dimensions of "
     r"the input."),
    (mx.array([[True, False, True, True]] * 3), mx.array([[5]]), ValueError,
     r"\[masked_scatter\] Value array shape must be broadcastable with the last 0 dimensions"),
    (mx.array([True, False, True]), mx.arange(8), ValueError,
     r"\[broadcast_shapes\] Shapes \(1,8\) and \(3,4\) cannot be broadcast."),
    (mx.array([True, False, True]), mx.arange(6).reshape(2, 3), ValueError,
     r"\[broadcast_shapes\] Shapes \(2,3\) and \(2,4\) cannot be broadcast."),
    ((0, mx.array([True, False, True, False])), 1, ValueError, r"\[Gather\] Boolean indices not supported."),
]


@pytest.mark.parametrize("key, value, exc, msg", SETITEM_ERRORS,
                         ids=[f"{case_id(c[0])}={case_id(c[1])}" for c in SETITEM_ERRORS])
def test_setitem_errors(key, value, exc, msg):
    a = mx.arange(12).reshape(3, 4)
    with pytest.raises(exc, match="^" + msg):
        a[key] = value
    np.testing.assert_array_equal(np.array(a), np.arange(12).reshape(3, 4))  # unchanged


def test_setitem_mask_errors_at_evaluation():
    a = mx.arange(12).reshape(3, 4)
    a[mx.array([[True, False, True, True]] * 3)] = mx.arange(2)  # 9 selected, 2 values
    with pytest.raises(RuntimeError, match="Source does not have enough elements for mask."):
        mx.eval(a)
    b = mx.arange(12).reshape(3, 4)
    b[mx.array([True, False, True])] = mx.array([[1, 2, 3, 4]])  # one row for two
    with pytest.raises(RuntimeError, match="not have enough elements"):
        mx.eval(b)


def test_setitem_mask_values_as_mlx():
    # exact results of mlx 0.32.4
    cases = [
        (mx.array([True, False, True]), mx.arange(4), [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 2, 3]]),
        (mx.array([True, False, True]), mx.arange(8).reshape(2, 4),
         [[0, 1, 2, 3], [4, 5, 6, 7], [4, 5, 6, 7]]),
        (mx.array([True, False, True]), mx.array([[1], [2], [3]]),
         [[1, 1, 1, 1], [4, 5, 6, 7], [2, 2, 2, 2]]),
        (mx.array([[True, False, True, True]] * 3), mx.arange(9),
         [[0, 1, 1, 2], [3, 5, 4, 5], [6, 9, 7, 8]]),
        (mx.array([[True, False, True, True]] * 3), mx.array(7.5),
         [[7, 1, 7, 7], [7, 5, 7, 7], [7, 9, 7, 7]]),
        (mx.array([True, False, True]), mx.array([1, 2, 3, 4]).astype(mx.float32) / 2,
         [[0, 1, 1, 2], [4, 5, 6, 7], [0, 1, 1, 2]]),
        (True, 1, [[1] * 4] * 3),
        (False, 1, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
        (mx.array(True), mx.arange(12).reshape(1, 3, 4) + 100, [[100, 101, 102, 103],
                                                              [104, 105, 106, 107],
                                                              [108, 109, 110, 111]]),
        (np.array([True, False, True]), 1, [[1] * 4, [4, 5, 6, 7], [1] * 4]),
        ([True, False, True], 3.7, [[3] * 4, [4, 5, 6, 7], [3] * 4]),
    ]
    for mask, value, expected in cases:
        a = mx.arange(12).reshape(3, 4)
        a[mask] = value
        assert a.dtype == mx.int32
        assert a.tolist() == expected, (mask, value)
    b = mx.arange(24).reshape(2, 3, 4)
    b[mx.array([True, False])] = mx.arange(3).reshape(3, 1)
    assert b.tolist()[0] == [[0] * 4, [1] * 4, [2] * 4]
    assert b.tolist()[1] == np.arange(12, 24).reshape(3, 4).tolist()


def test_setitem_empty_selection_changes_nothing():
    # MLX fails on these ([scatter] errors or a crash); numpy (and this) leave the array as is
    n = np.arange(24).reshape(2, 3, 4)
    for key, value in [((slice(0, 0), [0, 1]), 5), ((0, slice(3, 1), mx.array([1])), mx.zeros((1,))),
                       ((mx.array([], dtype=mx.int32), 1), 1), ((slice(None), 1, slice(2, 2)), 9)]:
        a = mx.array(n)
        a[key] = value
        np.testing.assert_array_equal(np.array(a), n)
        np.testing.assert_array_equal(np.array(mx.array(n).at[key].add(value)), n)
    a = mx.array(n)
    with pytest.raises(ValueError, match="Shapes"):
        a[0, 2:2, [1]] = mx.zeros((3,))  # the value must still broadcast


def test_at_errors():
    with pytest.raises(ValueError, match=re.escape("Must give indices to array.at (e.g. `x.at[0].add(4)`).")):
        A.at.add(1)
    with pytest.raises(AttributeError):
        A.at[0].power(2)
    with pytest.raises(ValueError, match=r"^\[broadcast_shapes\] Shapes \(3,4\) and \(2,4\)"):
        A.at[[0, 1]].add(mx.zeros((3, 4)))
    with pytest.raises(ValueError, match="boolean indices are not yet supported"):
        A.at[mx.array([True, False, True])].add(1)
    with pytest.raises(TypeError):
        A.at[0].add(None)
    with pytest.raises(TypeError):
        A.at[0].add(1, 2)
