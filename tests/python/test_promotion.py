"""Type promotion: array/array (MLX's table) and Python scalars (weak promotion).
Expected values were read from MLX 0.32 (Linux, CPU)."""
import numpy as np
import pytest

import mlx.core as mx
from conftest import ALL_DTYPES

ABBR = {
    "b": mx.bool_, "u8": mx.uint8, "u16": mx.uint16, "u32": mx.uint32, "u64": mx.uint64,
    "i8": mx.int8, "i16": mx.int16, "i32": mx.int32, "i64": mx.int64, "f16": mx.float16,
    "f32": mx.float32, "f64": mx.float64, "bf16": mx.bfloat16, "c64": mx.complex64,
}

# Rows and columns in the order of ALL_DTYPES.
TABLE = """
b    u8   u16  u32  u64  i8   i16  i32  i64  f16  f32  f64  bf16 c64
u8   u8   u16  u32  u64  i16  i16  i32  i64  f16  f32  f64  bf16 c64
u16  u16  u16  u32  u64  i32  i32  i32  i64  f16  f32  f64  bf16 c64
u32  u32  u32  u32  u64  i64  i64  i64  i64  f16  f32  f64  bf16 c64
u64  u64  u64  u64  u64  f32  f32  f32  f32  f16  f32  f64  bf16 c64
i8   i16  i32  i64  f32  i8   i16  i32  i64  f16  f32  f64  bf16 c64
i16  i16  i32  i64  f32  i16  i16  i32  i64  f16  f32  f64  bf16 c64
i32  i32  i32  i64  f32  i32  i32  i32  i64  f16  f32  f64  bf16 c64
i64  i64  i64  i64  f32  i64  i64  i64  i64  f16  f32  f64  bf16 c64
f16  f16  f16  f16  f16  f16  f16  f16  f16  f16  f32  f64  f32  c64
f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f64  f32  c64
f64  f64  f64  f64  f64  f64  f64  f64  f64  f64  f64  f64  f64  c64
bf16 bf16 bf16 bf16 bf16 bf16 bf16 bf16 bf16 f32  f32  f64  bf16 c64
c64  c64  c64  c64  c64  c64  c64  c64  c64  c64  c64  c64  c64  c64
"""
ROWS = [line.split() for line in TABLE.strip().splitlines()]
PAIRS = [
    (ALL_DTYPES[i], ALL_DTYPES[j], ABBR[ROWS[i][j]])
    for i in range(len(ALL_DTYPES))
    for j in range(len(ALL_DTYPES))
]


@pytest.mark.parametrize("a, b, expected", PAIRS, ids=lambda x: str(x).split(".")[-1])
def test_array_array_promotion(a, b, expected):
    x = mx.array([1, 0], a)
    y = mx.array([1, 1], b)
    r = x + y
    assert r.dtype == expected
    assert (x * y).dtype == expected
    assert mx.subtract(x, y).dtype == expected


# dtype of (array of dtype d) + scalar, for the scalars 1, 1.5, True, 1j.
SCALARS = {
    "bool": ("i32", "f32", "b", "c64"),
    "uint8": ("u8", "f32", "u8", "c64"),
    "uint16": ("u16", "f32", "u16", "c64"),
    "uint32": ("u32", "f32", "u32", "c64"),
    "uint64": ("u64", "f32", "u64", "c64"),
    "int8": ("i8", "f32", "i8", "c64"),
    "int16": ("i16", "f32", "i16", "c64"),
    "int32": ("i32", "f32", "i32", "c64"),
    "int64": ("i64", "f32", "i64", "c64"),
    "float16": ("f16", "f16", "f16", "c64"),
    "float32": ("f32", "f32", "f32", "c64"),
    "float64": ("f64", "f64", "f64", "c64"),
    "bfloat16": ("bf16", "bf16", "bf16", "c64"),
    "complex64": ("c64", "c64", "c64", "c64"),
}
SCALAR_CASES = [
    (getattr(mx, "bool_" if name == "bool" else name), s, ABBR[res[k]])
    for name, res in SCALARS.items()
    for k, s in enumerate([1, 1.5, True, 1j])
]


@pytest.mark.parametrize("dtype, scalar, expected", SCALAR_CASES, ids=str)
def test_scalar_weak_promotion(dtype, scalar, expected):
    a = mx.array([1, 0], dtype)
    assert (a + scalar).dtype == expected
    assert (scalar + a).dtype == expected
    assert (a * scalar).dtype == expected
    assert (scalar - a).dtype == expected
    assert mx.add(a, scalar).dtype == expected
    assert mx.multiply(scalar, a).dtype == expected


def test_scalar_values():
    a = mx.array([1, 0])
    assert (a * 1.5).tolist() == [1.5, 0.0]
    assert (1.5 - a).tolist() == [0.5, 1.5]
    assert (1j - a).tolist() == [-1 + 1j, 1j]
    assert (True - a).tolist() == [0, 1]
    assert (mx.array([1, 2], mx.uint8) + 254).tolist() == [255, 0]


@pytest.mark.parametrize(
    "a, b, dtype, value",
    [
        (1, 2, mx.int32, 3),
        (1.5, 2, mx.float32, 3.5),
        (True, 2, mx.int32, 3),
        (1, 2.5, mx.float32, 3.5),
        (True, False, mx.bool_, True),
        (1j, 2, mx.complex64, 2 + 1j),
    ],
)
def test_two_scalars(a, b, dtype, value):
    r = mx.add(a, b)
    assert r.dtype == dtype
    assert r.item() == value


@pytest.mark.parametrize(
    "dtype, scalar",
    [
        (mx.uint8, -1),
        (mx.int8, 300),
        (mx.uint8, 300),
        (mx.int32, 2**40),
        (mx.int32, 2**31),
    ],
)
def test_scalar_overflow_raises(dtype, scalar):
    a = mx.array([1], dtype)
    with pytest.raises(ValueError, match="overflow"):
        a + scalar
    with pytest.raises(ValueError, match="overflow"):
        scalar + a
    assert (a + 1).tolist() == [2]  # still usable


def test_scalar_float_overflow_becomes_inf():
    assert (mx.array([1.5], mx.float16) + 1e10).tolist() == [float("inf")]
    assert (mx.array([1.0]) + 1e300).tolist() == [float("inf")]


def test_numpy_operand_takes_array_dtype():
    # Next to an mx.array, a numpy array is cast to the mx.array's type (MLX semantics).
    r = mx.array([1, 2]) + np.array([1, 2])
    assert isinstance(r, mx.array)
    assert r.dtype == mx.int32 and r.tolist() == [2, 4]
    assert (mx.array([1, 2], mx.int8) + np.array([1, 2], np.int16)).dtype == mx.int8
    assert (mx.array([1.0], mx.float16) + np.array([1.5])).dtype == mx.float16
    t = mx.array([1], mx.int32) + np.array([1.5])
    assert t.dtype == mx.int32 and t.tolist() == [2]
    assert mx.add(np.array([1.5]), mx.array([1])).dtype == mx.int32


def test_numpy_operand_without_array():
    # A scalar and a numpy array: both keep their own (default) types.
    assert mx.add(np.array([1]), 1.5).dtype == mx.float32
    assert mx.add(np.array([1], np.int8), 1).dtype == mx.int32
    assert mx.add(np.array([1]), np.array([1])).dtype == mx.int64
    r = mx.add(1, np.array([1.5]))
    assert r.dtype == mx.float32 and r.tolist() == [2.5]


def test_numpy_float64_scalar_is_weak():
    r = mx.array(1.5) + np.float64(1)  # np.float64 subclasses Python float
    assert r.dtype == mx.float32 and r.item() == 2.5


def test_lists_are_not_operands():
    with pytest.raises(ValueError, match="Invalid type list"):
        mx.add(mx.array([1], mx.int8), [1, 2])
    with pytest.raises(ValueError, match="Cannot perform addition"):
        mx.array([1, 2]) + [1, 2]


def test_division_promotes_to_float():
    assert (mx.array([1, 2]) / 2).dtype == mx.float32
    assert (mx.array([1, 2]) / 2).tolist() == [0.5, 1.0]
    assert (mx.array([1, 2], mx.int64) / 2).dtype == mx.float32
    assert (mx.array([1, 2], mx.float16) / 2).dtype == mx.float16
    assert mx.divide(1, 2).item() == 0.5
