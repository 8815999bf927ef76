"""mx.array construction from Python scalars, nested sequences, buffers and arrays."""
import math

import numpy as np
import pytest

import mlx.core as mx
from conftest import ALL_DTYPES


@pytest.mark.parametrize(
    "val, dtype, expected",
    [
        (True, mx.bool_, True),
        (False, mx.bool_, False),
        (3, mx.int32, 3),
        (-7, mx.int32, -7),
        (2**31 - 1, mx.int32, 2**31 - 1),
        (2**31, mx.int64, 2**31),
        (-(2**31) - 1, mx.int64, -(2**31) - 1),
        (2**40, mx.int64, 2**40),
        (-(2**63), mx.int64, -(2**63)),
        (1.5, mx.float32, 1.5),
        (1 + 2j, mx.complex64, 1 + 2j),
    ],
)
def test_scalars(val, dtype, expected):
    a = mx.array(val)
    assert a.dtype == dtype
    assert a.shape == ()
    assert a.ndim == 0
    assert a.size == 1
    assert a.item() == expected
    assert type(a.item()) is type(expected)


def test_float_scalar_rounds_to_float32():
    a = mx.array(0.1)
    assert a.dtype == mx.float32
    assert a.item() == float(np.float32(0.1))
    assert a.tolist() == float(np.float32(0.1))


def test_float64_scalar_is_exact():
    assert mx.array(0.1, mx.float64).item() == 0.1
    assert mx.array([0.1], mx.float64).item() == 0.1
    assert mx.array(np.array([0.1]), mx.float64).item() == 0.1


@pytest.mark.parametrize(
    "val, dtype, expected",
    [
        ([1, 2, 3], mx.int32, [1, 2, 3]),
        ([1, 2.0], mx.float32, [1.0, 2.0]),
        ([1, True], mx.int32, [1, 1]),
        ([True, False], mx.bool_, [True, False]),
        ([1j, 2], mx.complex64, [1j, 2 + 0j]),
        ([1, 2**31], mx.int64, [1, 2**31]),
        ([True, 2**40], mx.int64, [1, 2**40]),
        ([[1, 2], [3, 4.5]], mx.float32, [[1.0, 2.0], [3.0, 4.5]]),
        ([(1, 2), (3, 4)], mx.int32, [[1, 2], [3, 4]]),
        (([1, 2], [3, 4]), mx.int32, [[1, 2], [3, 4]]),
        ([], mx.float32, []),
        ([[]], mx.float32, [[]]),
        ((), mx.float32, []),
        ([[[1]]], mx.int32, [[[1]]]),
    ],
)
def test_nested_lists(val, dtype, expected):
    a = mx.array(val)
    assert a.dtype == dtype
    assert a.tolist() == expected


def test_nested_shape():
    a = mx.array([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]])
    assert a.shape == (2, 2, 3)
    assert a.size == 12
    assert a.ndim == 3
    assert a.itemsize == 4
    assert a.nbytes == 48
    assert len(a) == 2


@pytest.mark.parametrize("val", [[[1, 2], [3]], [[1, 2], 3], [[[1]], [2]]])
def test_ragged_lists_raise(val):
    with pytest.raises(ValueError, match="non-uniform"):
        mx.array(val)


def test_extra_dimension_raises():
    with pytest.raises(ValueError, match="extra dimension"):
        mx.array([1, [2, 3]])


@pytest.mark.parametrize(
    "val, dtype, expected",
    [
        ([mx.array(1), mx.array(2)], mx.int32, [1, 2]),
        ([mx.array([1, 2]), mx.array([3, 4.0])], mx.float32, [[1.0, 2.0], [3.0, 4.0]]),
        ([mx.array(1, mx.int8), 2], mx.int32, [1, 2]),
        ([mx.array(1, mx.int8), mx.array(1, mx.int16)], mx.int16, [1, 1]),
        ([mx.array(1, mx.float16), 2.5], mx.float32, [1.0, 2.5]),
        ([mx.array(1, mx.uint32), -1], mx.int64, [1, -1]),
        ([mx.array(True), 5], mx.int32, [1, 5]),
        ([mx.array(1.5, mx.float64), 2], mx.float64, [1.5, 2.0]),
        ([mx.array(2, mx.uint8), 1.5], mx.float32, [2.0, 1.5]),
        ([mx.array(1 + 1j), 1], mx.complex64, [1 + 1j, 1 + 0j]),
        ([mx.array([1, 2]), [3, 4]], mx.int32, [[1, 2], [3, 4]]),
        ([[3, 4], mx.array([1, 2])], mx.int32, [[3, 4], [1, 2]]),
        ([mx.array([[1]]), [[2]]], mx.int32, [[[1]], [[2]]]),
    ],
)
def test_lists_of_arrays(val, dtype, expected):
    a = mx.array(val)
    assert a.dtype == dtype
    assert a.tolist() == expected


def test_list_of_transposed_arrays():
    t = mx.array([[1, 2], [3, 4]]).T
    a = mx.array([t, [[5, 6], [7, 8]]])
    assert a.tolist() == [[[1, 3], [2, 4]], [[5, 6], [7, 8]]]


def test_list_of_mismatched_arrays_raises():
    with pytest.raises(ValueError, match="non-uniform"):
        mx.array([mx.array([1, 2]), mx.array([1, 2, 3])])


@pytest.mark.parametrize("val", ["abc", [1, "a"], [1, None], object(), range(3)])
def test_invalid_types_raise_value_error(val):
    with pytest.raises(ValueError, match="Invalid type"):
        mx.array(val)


def test_none_raises_type_error():
    with pytest.raises(TypeError):
        mx.array(None)


@pytest.mark.parametrize("dtype", ["float32", int, float, None.__class__])
def test_bad_dtype_argument(dtype):
    with pytest.raises(TypeError):
        mx.array([1, 2], dtype=dtype)


def test_big_int_overflow_raises():
    with pytest.raises(ValueError, match="overflow"):
        mx.array(2**64)
    with pytest.raises(ValueError, match="overflow"):
        mx.array([2**63])
    with pytest.raises(ValueError, match="overflow"):
        mx.array(-(2**63) - 1)
    assert mx.array(2**63, mx.uint64).item() == 2**63


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_dtype_argument_every_dtype(dtype):
    a = mx.array([0, 1, 2], dtype=dtype)
    assert a.dtype == dtype
    assert a.shape == (3,)
    if dtype == mx.bool_:
        assert a.tolist() == [False, True, True]
    elif dtype == mx.complex64:
        assert a.tolist() == [0j, 1 + 0j, 2 + 0j]
    else:
        assert a.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "val, dtype, expected",
    [
        ([1.5, 2], mx.int32, [1, 2]),
        (1.5, mx.int32, 1),
        (2**40, mx.int64, 2**40),
        ([-1], mx.uint8, [255]),
        (300, mx.uint8, 44),
        ([True, False], mx.float32, [1.0, 0.0]),
        (2.7, mx.bool_, True),
        (1 + 2j, mx.float32, 1.0),
        ([1, 2], mx.complex64, [1 + 0j, 2 + 0j]),
    ],
)
def test_casting_on_construction(val, dtype, expected):
    a = mx.array(val, dtype)
    assert a.dtype == dtype
    assert a.tolist() == expected


def test_half_precision_values():
    assert mx.array([0.1], mx.bfloat16).item() == 0.10009765625
    assert mx.array([0.1], mx.float16).item() == float(np.float16(0.1))
    assert mx.array([1e-7], mx.float16).item() == float(np.float16(1e-7))
    assert mx.array([65504.0, 70000.0], mx.float16).tolist() == [65504.0, math.inf]
    vals = np.linspace(-3, 3, 101)
    assert mx.array(vals, mx.float16).tolist() == vals.astype(np.float16).astype(float).tolist()


NUMPY_CASES = [
    (np.bool_, mx.bool_),
    (np.uint8, mx.uint8),
    (np.uint16, mx.uint16),
    (np.uint32, mx.uint32),
    (np.uint64, mx.uint64),
    (np.int8, mx.int8),
    (np.int16, mx.int16),
    (np.int32, mx.int32),
    (np.int64, mx.int64),
    (np.float16, mx.float16),
    (np.float32, mx.float32),
    (np.float64, mx.float32),  # float64 becomes float32 unless a dtype is given
    (np.complex64, mx.complex64),
    (np.complex128, mx.complex64),
]


@pytest.mark.parametrize("np_dtype, mx_dtype", NUMPY_CASES)
def test_from_numpy_keeps_dtype(np_dtype, mx_dtype):
    src = (np.arange(12) % 3).astype(np_dtype).reshape(3, 4)
    a = mx.array(src)
    assert a.dtype == mx_dtype
    assert a.shape == (3, 4)
    assert np.array_equal(np.array(a), src.astype(np.array(a).dtype))
    assert a.tolist() == src.tolist()


def test_from_numpy_float64_with_dtype():
    src = np.array([0.1, 0.2])
    a = mx.array(src, dtype=mx.float64)
    assert a.dtype == mx.float64
    assert a.tolist() == [0.1, 0.2]
    b = mx.array(np.array([1.5, 2.5]), mx.int32)
    assert b.dtype == mx.int32 and b.tolist() == [1, 2]
    c = mx.array(np.array([1, 2], dtype=np.int64), mx.float32)
    assert c.dtype == mx.float32 and c.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "src",
    [
        np.arange(24).reshape(2, 3, 4).transpose(2, 0, 1),
        np.arange(20)[::2],
        np.arange(20)[::-3],
        np.arange(30.0).reshape(5, 6)[1:4, ::2],
        np.asfortranarray(np.arange(12).reshape(3, 4)),
        np.broadcast_to(np.arange(3), (4, 3)),
        np.zeros((2, 0, 3)),
    ],
)
def test_from_non_contiguous_numpy(src):
    a = mx.array(src)
    assert a.shape == src.shape
    assert a.tolist() == src.tolist()


def test_from_numpy_scalars():
    assert mx.array(np.array(1.5)).dtype == mx.float32
    assert mx.array(np.array(1.5)).shape == ()
    assert mx.array(np.float64(1.5)).dtype == mx.float32  # a float subclass
    a = mx.array(np.int64(5))
    assert a.dtype == mx.int64 and a.item() == 5
    assert mx.array(np.float32(2.5)).dtype == mx.float32
    assert mx.array(np.bool_(True)).dtype == mx.bool_


def test_from_other_buffers():
    assert mx.array(memoryview(b"abc")).tolist() == [97, 98, 99]
    a = mx.array(bytearray(b"ab"))
    assert a.dtype == mx.uint8 and a.tolist() == [97, 98]
    import array as pyarray

    b = mx.array(pyarray.array("d", [1.0, 2.5]))
    assert b.dtype == mx.float32 and b.tolist() == [1.0, 2.5]
    c = mx.array(pyarray.array("h", [-1, 7]))
    assert c.dtype == mx.int16 and c.tolist() == [-1, 7]


def test_unsupported_buffer_formats():
    with pytest.raises(TypeError):
        mx.array(np.array(["a"]))
    with pytest.raises(TypeError):
        mx.array(np.array([1, 2], dtype=">i4"))


def test_from_array_copies_node_and_casts():
    a = mx.array([1, 2])
    b = mx.array(a)
    assert b is not a
    assert b.dtype == mx.int32 and b.tolist() == [1, 2]
    c = mx.array(a, dtype=mx.float32)
    assert c.dtype == mx.float32 and c.tolist() == [1.0, 2.0]
    assert a.dtype == mx.int32


def test_keyword_val():
    assert mx.array(val=[1, 2]).tolist() == [1, 2]
