"""mlx.core.array as a Python type: its attributes (dir() as MLX 0.32.4's), scalar conversions,
operators and their errors, hashing, formatting, copying, pickling, and data exchange with numpy
(buffer protocol, __array__, DLPack). Expected values and messages come from the real MLX."""
import copy
import pickle

import numpy as np
import pytest

import mlx.core as mx

# dir(mx.array) of MLX 0.32.4.
MLX_DIR = set("""
T __abs__ __add__ __and__ __array__ __array_namespace__ __bool__ __bytes__ __class__
__complex__ __copy__ __deepcopy__ __delattr__ __dir__ __div__ __dlpack__ __dlpack_device__
__doc__ __eq__ __float__ __floordiv__ __format__ __ge__ __getattribute__ __getitem__
__getstate__ __gt__ __hash__ __iadd__ __iand__ __ifloordiv__ __ilshift__ __imatmul__ __imod__
__imul__ __index__ __init__ __init_subclass__ __int__ __invert__ __ior__ __ipow__ __irshift__
__isub__ __iter__ __itruediv__ __ixor__ __le__ __len__ __lshift__ __lt__ __matmul__ __mod__
__module__ __mul__ __ne__ __neg__ __new__ __or__ __pos__ __pow__ __radd__ __rdiv__ __reduce__
__reduce_ex__ __repr__ __rfloordiv__ __rmod__ __rmul__ __rpow__ __rshift__ __rsub__
__rtruediv__ __setattr__ __setitem__ __setstate__ __sizeof__ __str__ __sub__ __subclasshook__
__truediv__ __xor__ abs all any argmax argmin astype at conj cos cummax cummin cumprod cumsum
diag diagonal dtype exp flatten imag item itemsize log log10 log1p log2 logcumsumexp logsumexp
mT max mean min moveaxis nbytes ndim prod real reciprocal reshape round rsqrt shape sin size
split sqrt square squeeze std sum swapaxes tolist transpose var view
""".split())


def test_dir_matches_mlx():
    assert set(dir(mx.array)) == MLX_DIR
    assert mx.array.__module__ == "mlx.core" and mx.array.__name__ == "array"


# ------------------------------------------------------------------ properties


def test_properties():
    a = mx.array([[1, 2, 3], [4, 5, 6]], mx.int16)
    assert a.shape == (2, 3) and a.ndim == 2 and a.size == 6 and a.dtype == mx.int16
    assert a.itemsize == 2 and a.nbytes == 12
    assert mx.array(1.0, mx.bfloat16).itemsize == 2
    assert a.T.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert mx.zeros((2, 3, 4)).mT.shape == (2, 4, 3)
    assert a.mT.tolist() == a.T.tolist()
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        mx.array([1, 2]).mT
    z = mx.array([1 + 2j, 3 - 4j])
    assert z.real.tolist() == [1, 3] and z.imag.tolist() == [2, -4]
    assert mx.array([1]).imag.tolist() == [0]


def test_at_is_a_getter():
    assert hasattr(type(mx.array.__dict__["at"]), "__set__")  # a data descriptor (property)
    a = mx.array([1.0, 2.0, 3.0])
    assert a.at[mx.array([0, 0, 2])].add(1.0).tolist() == [3.0, 2.0, 4.0]
    assert a.at[1].multiply(5.0).tolist() == [1.0, 10.0, 3.0]


# ------------------------------------------------------------------ Python scalars


def test_scalar_conversions_of_size_one_arrays():
    assert bool(mx.array([0])) is False and bool(mx.array(2.5)) is True
    assert int(mx.array(2.7)) == 2 and int(mx.array([[7]], mx.uint8)) == 7
    assert float(mx.array(3)) == 3.0 and float(mx.array(1.5, mx.bfloat16)) == 1.5
    assert complex(mx.array(1.5)) == 1.5 + 0j
    assert complex(mx.array([1 + 2j])) == 1 + 2j
    assert complex(mx.array(True)) == 1 + 0j
    assert bool(mx.array(1j)) is True
    for conv in (bool, int, float, complex):
        for arr in (mx.array([1, 2]), mx.array([])):
            with pytest.raises(ValueError, match="Only length-1 arrays"):
                conv(arr)
    with pytest.raises(TypeError):
        int(mx.array(1 + 2j))
    with pytest.raises(TypeError):
        float(mx.array(1 + 2j))


def test_index_takes_only_0d_integer_arrays():
    assert [10, 20, 30][mx.array(1)] == 20
    assert range(5)[mx.array(2, mx.uint8)] == 2
    assert hex(mx.array(255)) == "0xff"
    for bad in (mx.array(3.0), mx.array([3]), mx.array(True)):
        with pytest.raises(TypeError, match="0-dimensional integer"):
            bad.__index__()


# ------------------------------------------------------------------ operators


def test_arithmetic_with_values_that_are_not_operands():
    a = mx.array([3])
    for expr, what in [(lambda: a + "x", "addition"), (lambda: "x" + a, "addition"),
                       (lambda: a - [1], "subtraction"), (lambda: a * (1,), "multiplication"),
                       (lambda: a / "x", "division"), (lambda: a // "x", "floor division"),
                       (lambda: a % "x", "modulus"), (lambda: a ** "x", "power"),
                       (lambda: a & "x", "bitwise and"), (lambda: a >> [1], "right shift"),
                       (lambda: a < "x", "less than"), (lambda: "x" < a, "greater than")]:
        with pytest.raises(ValueError, match=f"Cannot perform {what} on an mlx.core.array"):
            expr()
    # str and list repeat through __index__ was reachable before: "ab" * mx.array(2) == "abab"
    with pytest.raises(ValueError, match="multiplication"):
        "ab" * mx.array(2)
    with pytest.raises(ValueError, match="multiplication"):
        [1] * mx.array(2)
    with pytest.raises(TypeError):
        a + None
    with pytest.raises(TypeError):
        None * a

    class Other:
        def __radd__(self, o):
            return "radd"

    with pytest.raises(ValueError, match=r"addition on an mlx.core.array and .*Other"):
        a + Other()


def test_inplace_with_values_that_are_not_operands():
    a = mx.array([1, 2])
    with pytest.raises(ValueError, match="Cannot perform inplace addition"):
        a += "x"
    with pytest.raises(ValueError, match="Cannot perform inplace bitwise and"):
        a &= "x"
    with pytest.raises(TypeError):
        a += None
    assert a.tolist() == [1, 2]


def test_comparisons():
    a = mx.array([1, 2])
    assert (a == mx.array([1, 3])).tolist() == [True, False]
    assert (a == np.array([1, 2])).tolist() == [True, True]
    assert (a == 1.5).tolist() == [False, False]
    assert (a == "a") is False and ("a" == a) is False
    assert (a == [1, 2]) is False and (a != (1, 2)) is True and (a == object()) is False
    with pytest.raises(TypeError):
        a == None  # noqa: E711
    with pytest.raises(TypeError):
        a != None  # noqa: E711
    with pytest.raises(ValueError, match="less than or equal"):
        a <= "x"
    assert (2 > a).tolist() == [True, False]


def test_bitwise_operators_integer_and_bool_only():
    i = mx.array([6, 3], mx.int32)
    assert (i & 5).tolist() == [4, 1] and (i | 1).tolist() == [7, 3] and (i ^ 1).tolist() == [7, 2]
    assert (i << 1).tolist() == [12, 6] and (i >> 1).tolist() == [3, 1]
    assert (mx.array([True]) & True).tolist() == [True]
    assert (mx.array([True]) ^ 1).dtype == mx.int32
    assert (~mx.array([1], mx.uint8)).tolist() == [254]
    assert (~mx.array([True])).tolist() == [False]
    for bad in (lambda: mx.array([1.0]) & 1, lambda: i & 1.0, lambda: i << mx.array([1.0]),
                lambda: ~mx.array([1.0]), lambda: ~mx.array([1j])):
        with pytest.raises(ValueError, match="Floating point types not allowed"):
            bad()
    with pytest.raises(ValueError, match="overflow"):
        mx.array([1], mx.uint8) & 256
    for bad in (lambda: 1 & i, lambda: 1 | i, lambda: 1 ^ i, lambda: 1 << i, lambda: 1 >> i):
        with pytest.raises(TypeError, match="unsupported operand"):
            bad()
    j = mx.array([6, 3])
    alias = j
    j &= 3
    assert alias is j and j.tolist() == [2, 3]


def test_div_and_rdiv():
    a = mx.array([1, 4])
    assert a.__div__(2).tolist() == [0.5, 2.0]
    assert a.__rdiv__(2).tolist() == [2.0, 0.5]
    assert a.__rdiv__(2).dtype == mx.float32


def test_mlx_array_protocol():
    class Wrapped:
        def __mlx_array__(self):
            return mx.array([10])

    a = mx.array([3])
    assert mx.array(Wrapped()).tolist() == [10]
    assert (a + Wrapped()).tolist() == [13] and (Wrapped() + a).tolist() == [13]
    assert (a & Wrapped()).tolist() == [2]
    assert (a == Wrapped()).tolist() == [False]


def test_reversed_and_contains():
    a = mx.array([1, 2, 3])
    assert [x.item() for x in reversed(a)] == [3, 2, 1]
    assert 2 in a and 5 not in a


# ------------------------------------------------------------------ hashing, formatting


def test_hash_is_identity():
    assert mx.array.__hash__ is object.__hash__
    a, b = mx.array([1, 2]), mx.array([1, 2])
    assert hash(a) == object.__hash__(a)
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b" and len({a, b, a}) == 2


def test_format():
    assert format(mx.array(3.14159), ".2f") == "3.14"
    assert f"{mx.array(2.5)}" == "2.5" and f"{mx.array(3)}" == "3"
    assert format(mx.array(255), "x") == "ff" and format(mx.array(3), ".2f") == "3.00"
    assert format(mx.array(True), "") == "True" and format(mx.array(1 + 2j), "") == "(1+2j)"
    assert format(mx.array(1.5, mx.bfloat16), ".3f") == "1.500"
    assert format(mx.array([3.0]), "") == str(mx.array([3.0]))
    with pytest.raises(TypeError, match="unsupported format string"):
        format(mx.array([1.0]), ".2f")


# ------------------------------------------------------------------ construction, copies


def test_new_and_init():
    with pytest.raises(TypeError):
        mx.array()
    empty = mx.array.__new__(mx.array)  # what unpickling starts from; unusable, not a crash
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        repr(empty)
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        empty + 1

    class Sub(mx.array):
        def __init__(self, x, scale):
            super().__init__(mx.array(x) * scale)

    s = Sub([1, 2], 3)
    assert isinstance(s, mx.array) and s.tolist() == [3, 6]


def test_copy_and_deepcopy_share_the_data():
    a = mx.array([1, 2])
    b, c = copy.copy(a), copy.deepcopy(a)
    assert b is not a and c is not a
    assert b.tolist() == c.tolist() == [1, 2]
    np.asarray(a)[0] = 9  # as in MLX, the copies see writes through a shared buffer
    assert b.tolist() == c.tolist() == [9, 2]
    a += 1  # but an in-place operator rebinds only a
    assert a.tolist() == [10, 3] and b.tolist() == [9, 2]
    with pytest.raises(TypeError):
        a.__deepcopy__()


# ------------------------------------------------------------------ pickling


@pytest.mark.parametrize("dtype", [mx.bool_, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8,
                                   mx.int16, mx.int32, mx.int64, mx.float16, mx.float32,
                                   mx.float64, mx.bfloat16, mx.complex64])
def test_pickle_round_trip(dtype):
    a = mx.array([[0, 1, 2], [3, 4, 5]]).astype(dtype)
    for proto in (2, 4, 5):
        b = pickle.loads(pickle.dumps(a, protocol=proto))
        assert type(b) is mx.array and b.dtype == dtype and b.shape == (2, 3)
        assert mx.array_equal(a, b).item()
    t = pickle.loads(pickle.dumps(a.T))
    assert t.shape == (3, 2) and mx.array_equal(t, a.T).item()


def test_pickle_state_is_mlx_format():
    data, code = mx.array([1.5, 2.5], mx.bfloat16).__getstate__()
    assert code == 12 and data.dtype == np.uint16 and data.tolist() == [16320, 16416]
    data, code = mx.array([1, 2]).__getstate__()
    assert code == 7 and data.dtype == np.int32 and data.tolist() == [1, 2]
    data, code = mx.array(True).__getstate__()
    assert code == 0 and data.dtype == np.bool_ and data.shape == ()
    x = mx.array.__new__(mx.array)
    x.__setstate__((np.array([1.5]), 11))
    assert x.dtype == mx.float64  # MLX 0.32.4 gives float32 here: the dtype is kept
    with pytest.raises(TypeError):
        x.__setstate__(np.array([1]))
    with pytest.raises(ValueError):
        x.__setstate__((np.array([1]), 99))
    with pytest.raises(TypeError, match="cannot pickle"):
        pickle.dumps(mx.array([1]), protocol=1)


def test_unpickle_pickles_made_by_mlx():
    # pickle.dumps(mx.array([[1.5, 2.5]], dtype=mx.bfloat16), protocol=2) by MLX 0.32.4
    bf16 = (b"\x80\x02cmlx.core\narray\nq\x00)\x81q\x01cnumpy._core.multiarray\n_reconstruct\nq"
            b"\x02cnumpy\nndarray\nq\x03K\x00\x85q\x04c_codecs\nencode\nq\x05X\x01\x00\x00\x00bq"
            b"\x06X\x06\x00\x00\x00latin1q\x07\x86q\x08Rq\t\x87q\nRq\x0b(K\x01K\x01K\x02\x86q\x0c"
            b"cnumpy\ndtype\nq\rX\x02\x00\x00\x00u2q\x0e\x89\x88\x87q\x0fRq\x10(K\x03X\x01\x00\x00"
            b"\x00<q\x11NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tq\x12b\x89h\x05X\x05\x00\x00\x00"
            b"\xc3\x80? @q\x13h\x07\x86q\x14Rq\x15tq\x16bK\x0c\x86q\x17b.")
    a = pickle.loads(bf16)
    assert a.dtype == mx.bfloat16 and a.tolist() == [[1.5, 2.5]]
    # pickle.dumps(mx.array([1, -2], dtype=mx.int16), protocol=2)
    i16 = (b"\x80\x02cmlx.core\narray\nq\x00)\x81q\x01cnumpy._core.multiarray\n_reconstruct\nq"
           b"\x02cnumpy\nndarray\nq\x03K\x00\x85q\x04c_codecs\nencode\nq\x05X\x01\x00\x00\x00bq"
           b"\x06X\x06\x00\x00\x00latin1q\x07\x86q\x08Rq\t\x87q\nRq\x0b(K\x01K\x02\x85q\x0ccnumpy"
           b"\ndtype\nq\rX\x02\x00\x00\x00i2q\x0e\x89\x88\x87q\x0fRq\x10(K\x03X\x01\x00\x00\x00<q"
           b"\x11NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tq\x12b\x89h\x05X\x06\x00\x00\x00\x01"
           b"\x00\xc3\xbe\xc3\xbfq\x13h\x07\x86q\x14Rq\x15tq\x16bK\x06\x86q\x17b.")
    b = pickle.loads(i16)
    assert b.dtype == mx.int16 and b.tolist() == [1, -2]


# ------------------------------------------------------------------ numpy: buffer, __array__


def test_asarray_of_an_evaluated_array_shares_memory():
    a = mx.arange(12, dtype=mx.float32).reshape(3, 4)
    mx.eval(a)
    x, y = np.asarray(a), np.asarray(a)
    assert np.shares_memory(x, y)
    assert x.__array_interface__["data"][0] == y.__array_interface__["data"][0]
    x[0, 0] = 42.0  # writable, as in MLX
    assert a[0, 0].item() == 42.0


def test_non_contiguous_views_export_with_strides():
    base = mx.array([[1, 2, 3], [4, 5, 6]], mx.int32)
    ref = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    whole = np.asarray(base)
    cases = [(base.T, ref.T, (4, 12)), (base[:, 1], ref[:, 1], (12,)),
             (base[::-1], ref[::-1], (-12, 4)), (base[:, ::2], ref[:, ::2], (12, 8))]
    for view, expect, strides in cases:
        mv = memoryview(view)
        assert mv.strides == strides and not mv.c_contiguous
        x = np.asarray(view)
        assert x.strides == strides and np.array_equal(x, expect)
        assert np.shares_memory(x, whole)
        assert np.array_equal(np.array(view), expect)
    b = mx.broadcast_to(mx.array([1, 2], mx.int32), (3, 2))
    assert np.asarray(b).strides == (0, 4) and np.asarray(b).tolist() == [[1, 2]] * 3
    assert np.frombuffer(base, np.int32).tolist() == [1, 2, 3, 4, 5, 6]
    with pytest.raises(BufferError):  # a consumer asking for contiguous data is refused
        np.frombuffer(base.T, np.int32)


def test_array_dunder():
    a = mx.array([1, 2])
    assert a.__array__(np.float64).dtype == np.int32  # like MLX, numpy casts afterwards
    assert np.asarray(a, dtype=np.float64).dtype == np.float64
    assert np.shares_memory(a.__array__(), a.__array__(copy=False))
    # MLX 0.32.4 shares memory even with copy=True; numpy's protocol asks for a copy
    assert not np.shares_memory(a.__array__(copy=True), a.__array__())
    assert a.T.__array__().strides == (4,)
    with pytest.raises(TypeError, match="bfloat16"):
        mx.array([1.5], mx.bfloat16).__array__()
    assert memoryview(mx.array([1.5], mx.bfloat16)).format == "bfloat16"


def test_bytes():
    assert bytes(mx.array([1, 2], mx.int16)) == b"\x01\x00\x02\x00"
    assert bytes(mx.array([[1, 2], [3, 4]], mx.uint8).T) == b"\x01\x03\x02\x04"
    assert bytes(mx.array([1.5], mx.bfloat16)) == b"\xc0?"
    assert bytes(mx.array([], mx.float32)) == b"" and bytes(mx.array(1.5)) == b"\x00\x00\xc0?"


def test_array_namespace():
    assert mx.array([1]).__array_namespace__() is mx
    with pytest.raises(ValueError, match="api_version"):
        mx.array([1]).__array_namespace__(api_version="2023.12")


# ------------------------------------------------------------------ numpy -> mlx


def test_numpy_float64_becomes_float32_unless_a_dtype_is_given():
    assert mx.array(np.array([1.5])).dtype == mx.float32
    assert mx.array(np.array([1.5]), mx.float64).dtype == mx.float64
    assert mx.array(np.float64(2.5)).dtype == mx.float32
    assert mx.array(np.array(2.5)).dtype == mx.float32 and mx.array(np.array(2.5)).shape == ()
    assert mx.array(np.array([1 + 1j])).dtype == mx.complex64
    assert mx.array(np.array([1.5, 2.5]), mx.int32).tolist() == [1, 2]
    assert mx.array(np.array([1.5], np.float16)).dtype == mx.float16
    assert mx.array(np.array([1, 2], np.uint64)).dtype == mx.uint64
    assert mx.array(np.int64(2)).dtype == mx.int64


def test_numpy_strided_sources():
    x = np.arange(12.0).reshape(3, 4)
    # (MLX 0.32.4 refuses the negative strides of x[::-1]; numpy takes them)
    for src in (x[:, ::2], x.T, x[::-1], np.broadcast_to(x[0], (2, 4))):
        a = mx.array(src)
        assert a.dtype == mx.float32 and a.tolist() == src.tolist()
        b = mx.array(src.astype(np.int16))
        assert b.dtype == mx.int16 and b.tolist() == src.tolist()
    assert mx.array(np.zeros((0, 3))).shape == (0, 3)
    n = np.arange(3.0)
    a = mx.array(n)
    n[0] = 5.0
    assert a.tolist() == [0.0, 1.0, 2.0]


# ------------------------------------------------------------------ DLPack


def test_dlpack_export():
    a = mx.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert a.__dlpack_device__() == (1, 0)
    assert type(a.__dlpack__()).__name__ == "PyCapsule"
    t = np.from_dlpack(a.T)
    assert t.strides == (4, 12) and t.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert np.shares_memory(np.from_dlpack(a), np.asarray(a))
    c = np.from_dlpack(a.T, copy=True)
    assert not np.shares_memory(c, np.asarray(a)) and c.tolist() == t.tolist()
    for dt, npdt in [(mx.bool_, np.bool_), (mx.uint16, np.uint16), (mx.int64, np.int64),
                     (mx.float16, np.float16), (mx.complex64, np.complex64)]:
        x = np.from_dlpack(mx.array([1, 0]).astype(dt))
        assert x.dtype == npdt and x.tolist() == [1, 0]
    assert np.from_dlpack(mx.array(3.5)).shape == ()
    assert np.from_dlpack(mx.zeros((0, 3))).shape == (0, 3)
    with pytest.raises(BufferError):
        a.__dlpack__(dl_device=(2, 0))


class DLPackOnly:
    """An object that speaks only DLPack (no buffer protocol), like a torch tensor."""

    def __init__(self, n):
        self.n = n

    def __dlpack__(self, **kw):
        return self.n.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self.n.__dlpack_device__()


def test_from_dlpack():
    assert mx.from_dlpack(np.arange(3)).dtype == mx.int64
    assert mx.from_dlpack(np.array([1.5])).dtype == mx.float32
    assert mx.from_dlpack(np.array([1.5 + 1j])).tolist() == [1.5 + 1j]
    assert mx.from_dlpack(np.array([True])).dtype == mx.bool_
    assert mx.from_dlpack(np.arange(10)[::2]).tolist() == [0, 2, 4, 6, 8]
    assert mx.from_dlpack(np.arange(6).reshape(2, 3).T).tolist() == [[0, 3], [1, 4], [2, 5]]
    assert mx.from_dlpack(mx.array([1, 2])).tolist() == [1, 2]
    n = np.arange(3, dtype=np.float32)
    m = mx.from_dlpack(n, copy=True)
    n[0] = 5  # a copy, as MLX makes on the CPU
    assert m.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="without a copy"):
        mx.from_dlpack(n, copy=False)
    with pytest.raises(TypeError):
        mx.from_dlpack([1, 2])
    d = DLPackOnly(np.arange(6.0).reshape(2, 3).T)
    assert mx.array(d).tolist() == [[0, 3], [1, 4], [2, 5]] and mx.array(d).dtype == mx.float32
    assert mx.array(DLPackOnly(np.arange(3)), mx.float16).dtype == mx.float16
