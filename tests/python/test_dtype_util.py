"""dtype utilities of mlx.core: DtypeCategory and issubdtype, isdtype, result_type, can_cast,
finfo, iinfo and the constants, with MLX's semantics (tables checked against MLX 0.32)."""
import enum
import math

import numpy as np
import pytest

import mlx.core as mx

DTYPES = [mx.bool_, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32,
          mx.int64, mx.float16, mx.float32, mx.float64, mx.bfloat16, mx.complex64]
CATS = [mx.generic, mx.number, mx.inexact, mx.floating, mx.complexfloating, mx.integer,
        mx.signedinteger, mx.unsignedinteger]
UNSIGNED = {mx.uint8, mx.uint16, mx.uint32, mx.uint64}
SIGNED = {mx.int8, mx.int16, mx.int32, mx.int64}
FLOATS = {mx.float16, mx.float32, mx.float64, mx.bfloat16}

# The category chain of each category (itself and those above it).
ABOVE = {
    mx.generic: {mx.generic},
    mx.number: {mx.number, mx.generic},
    mx.inexact: {mx.inexact, mx.number, mx.generic},
    mx.floating: {mx.floating, mx.inexact, mx.number, mx.generic},
    mx.complexfloating: {mx.complexfloating, mx.inexact, mx.number, mx.generic},
    mx.integer: {mx.integer, mx.number, mx.generic},
    mx.signedinteger: {mx.signedinteger, mx.integer, mx.number, mx.generic},
    mx.unsignedinteger: {mx.unsignedinteger, mx.integer, mx.number, mx.generic},
}


def leaf(d):
    if d == mx.bool_:
        return mx.generic
    if d in UNSIGNED:
        return mx.unsignedinteger
    if d in SIGNED:
        return mx.signedinteger
    if d in FLOATS:
        return mx.floating
    return mx.complexfloating


def test_categories_are_an_enum():
    assert isinstance(mx.floating, enum.Enum)
    assert type(mx.floating) is mx.DtypeCategory
    assert repr(mx.floating) == "DtypeCategory.floating"
    assert [c.name for c in mx.DtypeCategory] == [
        "complexfloating", "floating", "inexact", "signedinteger", "unsignedinteger", "integer",
        "number", "generic"]
    assert mx.floating.value == 1 and mx.generic.value == 7
    assert mx.floating == mx.floating and mx.float32 != mx.floating


@pytest.mark.parametrize("a", DTYPES + CATS, ids=str)
def test_issubdtype_table(a):
    for b in DTYPES + CATS:
        if a in CATS:
            expected = b in CATS and b in ABOVE[a]
        elif b in CATS:
            expected = b in ABOVE[leaf(a)]
        else:
            expected = a == b
        assert mx.issubdtype(a, b) == expected, (a, b)


def test_issubdtype_examples_and_errors():
    assert not mx.issubdtype(mx.bool_, mx.number)  # bool is only generic, as in MLX
    assert mx.issubdtype(mx.bfloat16, mx.floating)
    assert mx.issubdtype(mx.uint8, mx.integer) and not mx.issubdtype(mx.uint8, mx.signedinteger)
    with pytest.raises(ValueError, match="invalid type for second input"):
        mx.issubdtype(mx.float32, "float")
    with pytest.raises(ValueError, match="invalid type for first input"):
        mx.issubdtype(np.float32, mx.floating)
    with pytest.raises(TypeError):
        mx.issubdtype(mx.float32, None)


def test_can_cast_is_promotion_to_target():
    for a in DTYPES:
        for b in DTYPES:
            assert mx.can_cast(a, b) == (mx.result_type(a, b) == b), (a, b)
    assert mx.can_cast(mx.bool_, mx.uint8) and not mx.can_cast(mx.uint8, mx.int8)
    assert mx.can_cast(mx.uint8, mx.int16) and not mx.can_cast(mx.uint64, mx.int64)
    assert not mx.can_cast(mx.float16, mx.bfloat16) and mx.can_cast(mx.bfloat16, mx.float32)
    assert mx.can_cast(mx.array([1]), mx.int64) and not mx.can_cast(mx.array([1]), mx.int16)
    with pytest.raises(ValueError, match="`from_` must be an array or a dtype"):
        mx.can_cast(1, mx.int16)
    with pytest.raises(ValueError, match="`from_` must be an array or a dtype"):
        mx.can_cast(mx.floating, mx.float32)
    with pytest.raises(TypeError):
        mx.can_cast(mx.int8, mx.floating)


def test_result_type():
    assert mx.result_type(mx.int32, mx.float16) == mx.float16
    assert mx.result_type(mx.array([1]), mx.float16) == mx.float16
    assert mx.result_type(mx.array([1], mx.uint8), mx.int8, mx.array(1.0)) == mx.float32
    assert mx.result_type(mx.uint64, mx.int8) == mx.float32
    assert mx.result_type(mx.float16, mx.bfloat16) == mx.float32
    assert mx.result_type(mx.int8) == mx.int8
    for d in DTYPES:
        assert mx.result_type(mx.zeros((2,), d), d) == d
        # agrees with what an op produces
        assert mx.result_type(d, mx.float32) == (mx.zeros((1,), d) + mx.zeros((1,))).dtype
    with pytest.raises(ValueError, match="At least one array or dtype is required"):
        mx.result_type()
    for bad in (1, 1.0, mx.floating, np.float32):
        with pytest.raises(ValueError, match="Inputs must be arrays or dtypes"):
            mx.result_type(bad, mx.int8)


KINDS = {
    "bool": {mx.bool_},
    "signed integer": SIGNED,
    "unsigned integer": UNSIGNED,
    "integral": SIGNED | UNSIGNED,
    "real floating": FLOATS,
    "complex floating": {mx.complex64},
    "numeric": set(DTYPES) - {mx.bool_},
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_isdtype_kinds(kind):
    for d in DTYPES:
        assert mx.isdtype(d, kind) == (d in KINDS[kind]), (d, kind)


def test_isdtype_dtype_tuple_and_errors():
    assert mx.isdtype(mx.float32, mx.float32) and not mx.isdtype(mx.float32, mx.float16)
    assert mx.isdtype(mx.int8, (mx.int8, "real floating"))
    assert mx.isdtype(mx.float16, (mx.int8, "real floating"))
    assert not mx.isdtype(mx.bool_, ())
    assert mx.isdtype(mx.int8, (mx.int8, 3))  # the first match wins, as MLX
    with pytest.raises(ValueError, match="Unknown data type kind: 'float'"):
        mx.isdtype(mx.float32, "float")
    for kind in (mx.floating, 3, [mx.int8]):
        with pytest.raises(ValueError, match="`kind` must be a dtype, a string"):
            mx.isdtype(mx.int8, kind)
    for bad in (mx.floating, mx.array(1)):
        with pytest.raises(TypeError):
            mx.isdtype(bad, "bool")


@pytest.mark.parametrize("dtype, np_dtype", [(mx.float16, np.float16), (mx.float32, np.float32),
                                             (mx.float64, np.float64)])
def test_finfo_matches_numpy(dtype, np_dtype):
    f, n = mx.finfo(dtype), np.finfo(np_dtype)
    assert f.min == float(n.min) and f.max == float(n.max) and f.eps == float(n.eps)
    assert f.smallest_normal == float(n.smallest_normal) and f.bits == n.bits
    assert f.dtype == dtype
    assert isinstance(f.min, float)


def test_finfo_bfloat16_complex_repr_errors():
    f = mx.finfo(mx.bfloat16)
    assert f.max == 3.3895313892515355e38 and f.eps == 0.0078125 and f.bits == 16
    assert f.smallest_normal == 1.1754943508222875e-38 and f.min == -f.max
    c = mx.finfo(mx.complex64)
    assert c.dtype == mx.float32 and c.max == mx.finfo(mx.float32).max
    assert repr(mx.finfo(mx.float16)) == "finfo(min=-65504, max=65504, dtype=float16)"
    assert repr(mx.finfo(mx.float32)) == "finfo(min=-3.40282e+38, max=3.40282e+38, dtype=float32)"
    assert str(mx.finfo(mx.float64)) == "finfo(min=-1.79769e+308, max=1.79769e+308, dtype=float64)"
    with pytest.raises(ValueError, match=r"\[finfo\] dtype int32 is not inexact"):
        mx.finfo(mx.int32)
    for bad in (np.float32, mx.floating, mx.array(1.0)):
        with pytest.raises(TypeError):
            mx.finfo(bad)
    with pytest.raises(AttributeError):
        mx.finfo(mx.float32).max = 1.0


@pytest.mark.parametrize("dtype, np_dtype", [(mx.uint8, np.uint8), (mx.uint16, np.uint16),
                                             (mx.uint32, np.uint32), (mx.uint64, np.uint64),
                                             (mx.int8, np.int8), (mx.int16, np.int16),
                                             (mx.int32, np.int32), (mx.int64, np.int64)])
def test_iinfo_matches_numpy(dtype, np_dtype):
    i, n = mx.iinfo(dtype), np.iinfo(np_dtype)
    assert i.min == int(n.min) and i.max == int(n.max) and i.dtype == dtype
    assert isinstance(i.max, int)
    name = str(dtype).split(".")[-1]
    assert repr(i) == f"iinfo(min={int(n.min)}, max={int(n.max)}, dtype={name})"


def test_iinfo_errors():
    with pytest.raises(ValueError, match="Only integer types supported but bool was provided"):
        mx.iinfo(mx.bool_)
    with pytest.raises(ValueError, match="Only integer types supported but float32 was provided"):
        mx.iinfo(mx.float32)
    with pytest.raises(TypeError):
        mx.iinfo(np.int32)


def test_constants():
    assert mx.pi == math.pi and mx.e == math.e
    assert mx.euler_gamma == 0.5772156649015329
    assert mx.inf == math.inf and math.isnan(mx.nan)
    assert mx.newaxis is None
    assert mx.zeros((2, 3))[:, mx.newaxis].shape == (2, 1, 3) if hasattr(mx.array, "__getitem__") \
        else True
