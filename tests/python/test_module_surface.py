"""The names of mlx.core against the real MLX's, the stream API's newer parts (thread-local
and thread-unsafe streams, clear_streams), print options, aliases, and the type stub
python/mlx/core.pyi. Expected values were recorded from MLX 0.32.4 (pip "mlx[cpu]", Linux)."""
import ast
import os
import subprocess
import sys
import threading

import pytest

import mlx.core as mx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUB = os.path.join(ROOT, "python", "mlx", "core.pyi")
SPEC = os.environ.get("MLX_CORE_API_TSV", "/work/shared/spec/mlx_core_api.tsv")

# dir(mlx.core) of MLX 0.32.4 without dunder names.
MLX_NAMES = set("""
ArrayAt ArrayIterator ArrayLike Device DeviceType Dtype DtypeCategory FunctionExporter
PrintOptions Stream StreamContext ThreadLocalStream _PrintOptionsContext _gc_func abs acos acosh
add addmm all allclose any arange arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax
argmin argpartition argsort array array_equal as_strided asarray asin asinh astype async_eval
atan atan2 atanh atleast_1d atleast_2d atleast_3d bartlett bfloat16 bitwise_and bitwise_invert
bitwise_left_shift bitwise_or bitwise_right_shift bitwise_xor blackman block_masked_mm bool_
broadcast_arrays broadcast_shapes broadcast_to can_cast ceil checkpoint clear_cache
clear_streams clip compile complex64 complexfloating concat concatenate conj conjugate
contiguous conv1d conv2d conv3d conv_general conv_transpose1d conv_transpose2d conv_transpose3d
convolve cos cosh count_nonzero cpu cuda cummax cummin cumprod cumsum cumulative_prod
cumulative_sum custom_function default_device default_stream degrees depends dequantize
device_count device_info diag diagonal diff disable_compile distributed divide divmod e einsum
einsum_path empty empty_like enable_compile equal erf erfinv euler_gamma eval exp expand_dims
expm1 export_function export_to_dot exporter eye fast fft finfo flatten flip float16 float32
float64 floating floor floor_divide from_dlpack from_fp8 full full_like gather_mm gather_qmm
gather_qqmm generic get_active_memory get_array_buffer_size get_cache_memory get_memory_limit
get_peak_memory get_printoptions gpu grad greater greater_equal hadamard_transform hamming
hanning identity iinfo imag import_function inexact inf inner int16 int32 int64 int8 integer
is_available isclose isdtype isfinite isinf isnan isneginf isposinf issubdtype jvp kron
left_shift less less_equal linalg linspace load log log10 log1p log2 logaddexp logcumsumexp
logical_and logical_not logical_or logical_xor logsumexp matmul matrix_norm matrix_transpose max
maximum mean median meshgrid metal min minimum minmax moveaxis multiply nan nan_to_num negative
new_stream new_thread_local_stream new_thread_unsafe_stream newaxis not_equal number ones
ones_like outer pad partition permute_dims pi positive pow power printoptions prod
put_along_axis qqmm quantize quantized_matmul radians random real reciprocal remainder repeat
reset_peak_memory reshape result_type right_shift roll round rsqrt save save_gguf
save_safetensors savez savez_compressed searchsorted segmented_mm set_cache_limit
set_default_device set_default_stream set_memory_limit set_printoptions set_wired_limit sigmoid
sign signedinteger sin sinh slice slice_update softmax sort split sqrt square squeeze stack std
stop_gradient stream subtract sum swapaxes synchronize take take_along_axis tan tanh tensordot
tile to_fp8 topk trace transpose tri tril triu trunc uint16 uint32 uint64 uint8 unflatten unique
unsignedinteger unstack value_and_grad var vecdot view vjp vmap where zeros zeros_like
""".split())

# MLX 0.32.4's names that mlxc does not have yet (distributed, export / import, and what
# MLX added after the spec's v0.32.2).
LATER = set("""
distributed export_function import_function exporter export_to_dot FunctionExporter
gather_qqmm ArrayLike _gc_func get_array_buffer_size
""".split())


def public_callables(module):
    return {n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n))
            and not isinstance(getattr(module, n), type(mx))}


# ------------------------------------------------------------------ names


def test_names_of_mlx_core():
    missing = sorted(MLX_NAMES - LATER - set(dir(mx)))
    assert missing == []


def test_submodule_names():
    assert sorted(n for n in dir(mx.metal) if not n.startswith("_")) == [
        "clear_cache", "device_info", "get_active_memory", "get_cache_memory", "get_peak_memory",
        "is_available", "reset_peak_memory", "set_cache_limit", "set_memory_limit",
        "set_wired_limit", "start_capture", "stop_capture"]
    assert [n for n in dir(mx.cuda) if not n.startswith("_")] == ["is_available"]
    assert mx.metal.is_available() is False and mx.cuda.is_available() is False


def test_constants():
    assert repr(mx.pi) == "3.141592653589793" and repr(mx.e) == "2.718281828459045"
    assert repr(mx.euler_gamma) == "0.5772156649015329"
    assert repr(mx.inf) == "inf" and repr(mx.nan) == "nan" and mx.newaxis is None
    assert isinstance(mx.__version__, str)


@pytest.mark.parametrize("alias, name", [
    ("acos", "arccos"), ("acosh", "arccosh"), ("asin", "arcsin"), ("asinh", "arcsinh"),
    ("atan", "arctan"), ("atan2", "arctan2"), ("atanh", "arctanh"), ("pow", "power"),
    ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift"),
    ("cumulative_sum", "cumsum"), ("cumulative_prod", "cumprod"),
])
def test_aliases_are_the_same_function(alias, name):
    assert getattr(mx, alias) is getattr(mx, name)


def test_alias_results():
    x = mx.array([0.25, 0.5])
    assert mx.allclose(mx.acos(x), mx.arccos(x)).item()
    assert mx.pow(mx.array([2, 3]), 2).tolist() == [4, 9]
    assert mx.bitwise_left_shift(mx.array([1, 2]), 3).tolist() == [8, 16]
    assert mx.cumulative_sum(mx.array([1, 2, 3])).tolist() == [1, 3, 6]


# ------------------------------------------------------------------ streams


def test_gpu_errors_have_mlx_messages():
    with pytest.raises(ValueError, match=r"^\[set_default_device\] Cannot set gpu device "
                       r"without gpu backend\.$"):
        mx.set_default_device(mx.gpu)
    with pytest.raises(ValueError, match=r"^\[default_stream\] Cannot get gpu stream without "
                       r"gpu backend\.$"):
        mx.default_stream(mx.gpu)
    with pytest.raises(ValueError, match=r"^\[new_stream\] Cannot make gpu stream without gpu "
                       r"backend\.$"):
        mx.new_stream(mx.gpu)
    with pytest.raises(ValueError, match=r"^\[default_stream\] Cannot get gpu stream"):
        mx.synchronize(mx.gpu)
    assert mx.default_device() == mx.cpu


def test_stream_context_exit_returns_none():
    ctx = mx.stream(mx.cpu)
    assert ctx.__enter__() is None
    assert ctx.__exit__(None, None, None) is None


def test_clear_streams():
    # MLX destroys the calling thread's streams: arrays must be evaluated before.
    a = mx.add(mx.ones(4), 1, stream=mx.new_stream(mx.cpu))
    mx.eval(a)
    with pytest.raises(TypeError):
        mx.clear_streams(1)
    assert mx.clear_streams() is None
    assert a.tolist() == [2.0] * 4


def test_thread_unsafe_stream_from_another_thread():
    s = mx.new_thread_unsafe_stream(mx.cpu)
    assert isinstance(s, mx.Stream) and s.device == mx.cpu and s != mx.default_stream(mx.cpu)
    out = []
    t = threading.Thread(target=lambda: out.append(mx.add(mx.array(1), 2, stream=s).item()))
    t.start()
    t.join()
    assert out == [3]


def in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def stream_inside(s):
    with mx.stream(s):
        return mx.default_stream(mx.cpu)


def test_thread_local_stream():
    tls = mx.new_thread_local_stream(mx.Device(mx.cpu))
    assert type(tls) is mx.ThreadLocalStream
    assert [n for n in dir(tls) if not n.startswith("_")] == ["device"]
    assert tls.device == mx.cpu
    assert repr(tls).startswith("ThreadLocalStream(Device(cpu, 0), ") and str(tls) == repr(tls)
    number = int(repr(tls).rsplit(", ", 1)[1][:-1])
    assert repr(mx.new_thread_local_stream(mx.cpu)).endswith(f", {number + 1})")
    assert in_thread(lambda: repr(tls)) == repr(tls)
    assert tls == tls and tls != mx.default_stream(mx.cpu)
    assert mx.add(mx.array(1), 2, stream=tls).item() == 3
    assert in_thread(lambda: mx.multiply(mx.array(3), 2, stream=tls).item()) == 6
    mx.synchronize(tls)
    with mx.stream(tls):
        inside = mx.default_stream(mx.cpu)
        assert mx.subtract(mx.array(5), 1).item() == 4
    assert mx.default_stream(mx.cpu) != inside
    with mx.stream(tls):
        assert mx.default_stream(mx.cpu) == inside  # the same stream again in this thread
    other = in_thread(lambda: stream_inside(tls))
    assert other != inside and other.device == mx.cpu
    with pytest.raises(TypeError):
        mx.set_default_stream(tls)
    on_gpu = mx.new_thread_local_stream(mx.gpu)  # fails when first used, as in MLX
    assert repr(on_gpu).startswith("ThreadLocalStream(Device(gpu, 0), ")
    with pytest.raises(ValueError, match=r"^\[new_stream\] Cannot make gpu stream"):
        mx.add(mx.array(1), 1, stream=on_gpu)
    with pytest.raises(TypeError):
        mx.ThreadLocalStream()


# ------------------------------------------------------------------ print options


def test_printoptions_state():
    assert mx.get_printoptions().precision == -1
    assert type(mx.get_printoptions()) is mx.PrintOptions
    mx.set_printoptions(precision=3)
    try:
        options = mx.get_printoptions()
        assert options.precision == 3
        options.precision = 5  # a copy: the global options stay
        assert mx.get_printoptions().precision == 3
        mx.set_printoptions(2)
        assert mx.get_printoptions().precision == 2
        with mx.printoptions(precision=4) as ctx:
            assert type(ctx).__name__ == "_PrintOptionsContext"
            assert mx.get_printoptions().precision == 4
            with mx.printoptions():
                assert mx.get_printoptions().precision == -1
            assert mx.get_printoptions().precision == 4
        assert mx.get_printoptions().precision == 2
        mx.set_printoptions()
        assert mx.get_printoptions().precision == -1
    finally:
        mx.set_printoptions()
    assert mx.PrintOptions().precision == -1 and mx.PrintOptions(precision=3).precision == 3


@pytest.mark.parametrize("bad", [2.5, None, "3", 1.0])
def test_printoptions_rejects_non_int(bad):
    with pytest.raises(TypeError):
        mx.set_printoptions(precision=bad)
    with pytest.raises(TypeError):
        mx.printoptions(precision=bad)
    assert mx.get_printoptions().precision == -1


def test_printoptions_context_restores_after_error():
    with pytest.raises(RuntimeError):
        with mx.printoptions(precision=1):
            raise RuntimeError("boom")
    assert mx.get_printoptions().precision == -1


# What MLX 0.32.4 prints with a precision set.
FIXED_CASES = [
    (3, lambda: mx.array([1.0, 2.123456789, 1e-5, 123456.7, 1e10, float("nan"), float("inf")]),
     "array([1.000, 2.123, 0.000, ..., 10000000000.000, nan, inf], dtype=float32)"),
    (0, lambda: mx.array([1.0, 2.123456789, 1e-5, 123456.7, 1e10, float("nan"), float("inf")]),
     "array([1, 2, 0, ..., 10000000000, nan, inf], dtype=float32)"),
    (2, lambda: mx.array([[1.0, -2.5], [3.14159, -1e-5]]),
     "array([[1.00, -2.50],\n       [3.14, -0.00]], dtype=float32)"),
    (2, lambda: mx.array([1 - 2j, -0.5 + 0j, complex(0, -0.0)]),
     "array([1.00-2.00j, -0.50+0.00j, 0.00+-0.00j], dtype=complex64)"),
    (2, lambda: mx.array([True, False]), "array([True, False], dtype=bool)"),
    (2, lambda: mx.array([1, 2, -3], mx.int64), "array([1, 2, -3], dtype=int64)"),
    (2, lambda: mx.zeros((2, 0)), "array([[],\n       []], dtype=float32)"),
    (2, lambda: mx.zeros((0, 3)), "array([], dtype=float32)"),
    (3, lambda: mx.array(2.5, mx.float64), "array(2.500, dtype=float64)"),
    (1, lambda: mx.array(1.5, mx.float16), "array(1.5, dtype=float16)"),
    (2, lambda: mx.array(-1.25, mx.bfloat16), "array(-1.25, dtype=bfloat16)"),
    (0, lambda: mx.array([0.5, 1.5, 2.5, -0.4]), "array([0, 2, 2, -0], dtype=float32)"),
    (-5, lambda: mx.array([1.5]), "array([1.500000], dtype=float32)"),
    (1, lambda: mx.arange(24.0).reshape(2, 3, 4).transpose(2, 0, 1)[:2],
     "array([[[0.0, 4.0, 8.0],\n        [12.0, 16.0, 20.0]],\n"
     "       [[1.0, 5.0, 9.0],\n        [13.0, 17.0, 21.0]]], dtype=float32)"),
    (1, lambda: mx.zeros((2, 8, 1)) + 0.25,
     "array([[[0.2],\n        [0.2],\n        [0.2],\n        ...,\n        [0.2],\n"
     "        [0.2],\n        [0.2]],\n       [[0.2],\n        [0.2],\n        [0.2],\n"
     "        ...,\n        [0.2],\n        [0.2],\n        [0.2]]], dtype=float32)"),
]


@pytest.mark.parametrize("precision, make, text", FIXED_CASES)
def test_print_with_precision(precision, make, text):
    with mx.printoptions(precision=precision):
        assert repr(make()) == text and str(make()) == text


def test_print_default_after_precision():
    x = mx.array([1.0, 2.123456789, 1e-5])
    with mx.printoptions(precision=2):
        pass
    assert repr(x) == "array([1, 2.12346, 1e-05], dtype=float32)"


# ------------------------------------------------------------------ the type stub


def stub_tree():
    with open(STUB, encoding="utf-8") as f:
        return ast.parse(f.read(), STUB)


def defined_names(body):
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def stub_class(tree, name):
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)


def test_stub_names_every_public_function():
    tree = stub_tree()
    missing = sorted(public_callables(mx) - defined_names(tree.body))
    assert missing == []
    public = {n for n in dir(mx) if not n.startswith("_")}
    assert sorted(public - defined_names(tree.body)) == []


@pytest.mark.parametrize("sub", ["random", "metal", "cuda"])
def test_stub_names_submodule_functions(sub):
    cls = stub_class(stub_tree(), sub)
    assert sorted(public_callables(getattr(mx, sub)) - defined_names(cls.body)) == []


def test_stub_functions_are_typed():
    untyped = []
    for node in ast.walk(stub_tree()):
        if isinstance(node, ast.FunctionDef):
            args = node.args
            params = args.posonlyargs + args.args + args.kwonlyargs
            params += [a for a in (args.vararg, args.kwarg) if a]
            if node.returns is None or any(
                    a.annotation is None for a in params if a.arg not in ("self", "cls")):
                untyped.append(node.name)
    assert untyped == []


def test_stub_array_class():
    cls = stub_class(stub_tree(), "array")
    public = {n for n in dir(mx.array) if not n.startswith("_")}
    assert sorted(public - defined_names(cls.body)) == []
    for dunder in ["__add__", "__radd__", "__iadd__", "__matmul__", "__getitem__",
                   "__setitem__", "__iter__", "__len__", "__eq__", "__lt__", "__neg__",
                   "__array__", "__float__", "__index__"]:
        assert dunder in defined_names(cls.body), dunder


@pytest.mark.skipif(not os.path.exists(SPEC), reason="MLX's API table is not available")
def test_stub_is_generated_from_the_table():
    script = os.path.join(ROOT, "scripts", "gen_stubs.py")
    result = subprocess.run([sys.executable, script, "--spec", SPEC, "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_helper_types_are_exposed_as_in_mlx():
    a = mx.arange(3)
    assert type(a.at) is mx.ArrayAt and type(iter(a)) is mx.ArrayIterator
    assert isinstance(mx.custom_function, type)  # a class, as MLX's
    f = mx.custom_function(lambda x: x * 2)
    assert isinstance(f, mx.custom_function) and f(mx.ones(2)).tolist() == [2, 2]
    with pytest.raises(TypeError):
        mx.custom_function()
