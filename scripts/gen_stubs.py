#!/usr/bin/env python3
"""Generates python/mlx/core.pyi, the type stub of the extension module mlx.core.

The module functions come from MLX's API table (mlx_core_api.tsv: module, name, signature), one
typed signature each; entries the table lists only by argument names get theirs from SIGNATURES
below. Names MLX binds to the same function as another (acos = arccos) reuse the original's
signature. The classes (array, Dtype, Device, Stream, ...) are written out here.

mlx.core is an extension module, so its submodules (random, fft, linalg, ...) cannot have stub
files of their own next to it; core.pyi describes each as a class of static methods, which type
checkers accept for `mx.random.normal(...)`.

    python3 scripts/gen_stubs.py [--spec PATH] [-o python/mlx/core.pyi] [--check]

--check compares instead of writing (exit status 1 when the stub is out of date).
"""
import argparse
import ast
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPEC = os.environ.get("MLX_CORE_API_TSV", "/work/shared/spec/mlx_core_api.tsv")
DEFAULT_OUT = os.path.join(ROOT, "python", "mlx", "core.pyi")

SO = "stream: StreamOrDevice = None"

# Signatures for the table's entries that give only argument names (and for the submodule
# kernels, whose table entry is the kernel object's __call__).
SIGNATURES = {
    ("mlx.core", "default_device"): "def default_device() -> Device",
    ("mlx.core", "device_count"): "def device_count(device_type: DeviceType) -> int",
    ("mlx.core", "exporter"): "def exporter(file: str, fun: Callable[..., Any], *, "
    "shapeless: bool = False, metadata: str | None = None) -> FunctionExporter",
    ("mlx.core", "export_to_dot"): "def export_to_dot(file: str | BinaryIO, *args: Any, "
    "**kwargs: Any) -> None",
    ("mlx.core", "get_active_memory"): "def get_active_memory() -> int",
    ("mlx.core", "get_peak_memory"): "def get_peak_memory() -> int",
    ("mlx.core", "reset_peak_memory"): "def reset_peak_memory() -> None",
    ("mlx.core", "get_cache_memory"): "def get_cache_memory() -> int",
    ("mlx.core", "set_memory_limit"): "def set_memory_limit(limit: int) -> int",
    ("mlx.core", "set_cache_limit"): "def set_cache_limit(limit: int) -> int",
    ("mlx.core", "set_wired_limit"): "def set_wired_limit(limit: int) -> int",
    ("mlx.core", "clear_cache"): "def clear_cache() -> None",
    ("mlx.core", "bartlett"): f"def bartlett(M: int, *, {SO}) -> array",
    ("mlx.core", "hanning"): f"def hanning(M: int, *, {SO}) -> array",
    ("mlx.core", "convolve"): "def convolve(a: array, v: array, /, mode: str = 'full', *, "
    f"{SO}) -> array",
    ("mlx.core", "set_printoptions"): "def set_printoptions(precision: int = -1) -> None",
    ("mlx.core", "get_printoptions"): "def get_printoptions() -> PrintOptions",
    ("mlx.core", "printoptions"): "def printoptions(precision: int = -1) -> _PrintOptionsContext",
    ("mlx.core", "set_default_stream"): "def set_default_stream(stream: Stream) -> None",
    ("mlx.core", "clear_streams"): "def clear_streams() -> None",
    ("mlx.core", "stream"): "def stream(s: Stream | ThreadLocalStream | Device | DeviceType) "
    "-> StreamContext",
    ("mlx.core", "synchronize"): "def synchronize(stream: StreamOrDevice = None) -> None",
    ("mlx.core", "disable_compile"): "def disable_compile() -> None",
    ("mlx.core", "enable_compile"): "def enable_compile() -> None",
    ("mlx.core", "einsum_path"): "def einsum_path(subscripts: str, *operands: array) "
    "-> tuple[list[tuple[int, ...]], str]",
    ("mlx.core", "depends"): "def depends(inputs: array | Sequence[array], "
    "dependencies: array | Sequence[array]) -> list[array]",
    ("mlx.core", "savez"): "def savez(file: BinaryIO | str | pathlib.Path, *args: array, "
    "**kwargs: array) -> None",
    ("mlx.core", "savez_compressed"): "def savez_compressed(file: BinaryIO | str | pathlib.Path, "
    "*args: array, **kwargs: array) -> None",
    ("mlx.core.cuda", "is_available"): "def is_available() -> bool",
    ("mlx.core.metal", "is_available"): "def is_available() -> bool",
    ("mlx.core.metal", "get_active_memory"): "def get_active_memory() -> int",
    ("mlx.core.metal", "get_peak_memory"): "def get_peak_memory() -> int",
    ("mlx.core.metal", "reset_peak_memory"): "def reset_peak_memory() -> None",
    ("mlx.core.metal", "get_cache_memory"): "def get_cache_memory() -> int",
    ("mlx.core.metal", "set_memory_limit"): "def set_memory_limit(limit: int) -> int",
    ("mlx.core.metal", "set_cache_limit"): "def set_cache_limit(limit: int) -> int",
    ("mlx.core.metal", "set_wired_limit"): "def set_wired_limit(limit: int) -> int",
    ("mlx.core.metal", "clear_cache"): "def clear_cache() -> None",
    ("mlx.core.metal", "start_capture"): "def start_capture(path: str) -> None",
    ("mlx.core.metal", "stop_capture"): "def stop_capture() -> None",
    ("mlx.core.metal", "device_info"): "def device_info() -> dict[str, str | int]",
    ("mlx.core.random", "seed"): "def seed(seed: int) -> None",
    ("mlx.core.random", "key"): "def key(seed: int) -> array",
    ("mlx.core.linalg", "eigvals"): f"def eigvals(a: array, *, {SO}) -> array",
    ("mlx.core.linalg", "eigvalsh"): f"def eigvalsh(a: array, UPLO: str = 'L', *, {SO}) -> array",
    ("mlx.core.fast", "metal_kernel"): "def metal_kernel(name: str, input_names: Sequence[str], "
    "output_names: Sequence[str], source: str, header: str = '', "
    "ensure_row_contiguous: bool = True, atomic_outputs: bool = False, "
    "compile_options: Any | None = None) -> _Kernel",
    ("mlx.core.fast", "cuda_kernel"): "def cuda_kernel(name: str, input_names: Sequence[str], "
    "output_names: Sequence[str], source: str, header: str = '', "
    "ensure_row_contiguous: bool = True, shared_memory: int = 0) -> _Kernel",
    ("mlx.core.fast", "precompiled_cuda_kernel"): "def precompiled_cuda_kernel(*, name: str, "
    "compiled_source: bytes, inputs: Sequence[scalar | array], "
    "output_shapes: Sequence[Sequence[int]], output_dtypes: Sequence[Dtype], "
    "scalars: Sequence[bool | int | float], grid: tuple[int, int, int], "
    "threadgroup: tuple[int, int, int], shared_memory: int = 0, init_value: float | None = None, "
    f"ensure_row_contiguous: bool = False, {SO}) -> list[array]",
}
for _n in ("fft", "ifft", "rfft", "irfft"):
    SIGNATURES[("mlx.core.fft", _n)] = (f"def {_n}(a: array, n: int | None = None, axis: int = -1, "
                                        f"norm: str = 'backward', {SO}) -> array")
for _n, _axes in (("fft2", "[-2, -1]"), ("ifft2", "[-2, -1]"), ("rfft2", "[-2, -1]"),
                  ("irfft2", "[-2, -1]"), ("fftn", "None"), ("ifftn", "None"), ("rfftn", "None"),
                  ("irfftn", "None")):
    SIGNATURES[("mlx.core.fft", _n)] = (
        f"def {_n}(a: array, s: Sequence[int] | None = None, axes: Sequence[int] | None = {_axes}, "
        f"norm: str = 'backward', {SO}) -> array")
for _n in ("fftfreq", "rfftfreq"):
    SIGNATURES[("mlx.core.fft", _n)] = f"def {_n}(n: int, d: float = 1.0, {SO}) -> array"
for _n in ("fftshift", "ifftshift"):
    SIGNATURES[("mlx.core.fft", _n)] = (f"def {_n}(a: array, axes: int | Sequence[int] | None = "
                                        f"None, {SO}) -> array")

# Table entries that are not module functions.
SKIP = {("mlx.core.random", "__getattr__")}

# Names bound to the same function object as another name (new name -> original).
ALIASES = {
    "acos": "arccos", "acosh": "arccosh", "asin": "arcsin", "asinh": "arcsinh",
    "atan": "arctan", "atan2": "arctan2", "atanh": "arctanh",
    "bitwise_left_shift": "left_shift", "bitwise_right_shift": "right_shift", "pow": "power",
    "cumulative_sum": "cumsum", "cumulative_prod": "cumprod",
    "empty": "zeros", "empty_like": "zeros_like",
}

# Module functions of mlx.core that the table does not list (MLX 0.32.4 has them).
EXTRA_FUNCTIONS = [
    "def get_memory_limit() -> int",
    "def get_array_buffer_size(*args: Any) -> int",
    f"def matrix_transpose(a: array, /, *, {SO}) -> array",
    f"def minmax(a: array, /, axis: int | Sequence[int] | None = None, keepdims: bool = False, *, "
    f"{SO}) -> tuple[array, array]",
    "def unique(a: array, /, size: int, return_index: bool = False, return_inverse: bool = False, "
    f"return_counts: bool = False, fill_value: scalar | array | None = None, *, {SO}) "
    "-> array | tuple[array, ...]",
    "def matrix_norm(a: array, /, ord: int | float | str | None = None, "
    f"axis: int | list[int] | None = None, keepdims: bool = False, *, {SO}) -> array",
    # mlxc only: the seed's programs use it (numpy's semantics)
    f"def corrcoef(x: array, y: array | None = None, rowvar: bool = True, *, {SO}) -> array",
]

HEADER = '''\
"""Type stub of mlx.core (generated by scripts/gen_stubs.py from MLX's API table: do not edit).

It describes MLX's mlx.core API; functions of later issues (fft, linalg, fast, compile,
quantization, serialization, distributed, ...) are listed even where mlxc does not provide them
yet. Submodules are written as classes of static methods."""
import enum
import pathlib
import types
from typing import (Any, BinaryIO, Callable, Iterator, Literal, ParamSpec, Protocol, Sequence,
                    TypeAlias, TypeVar, overload)

P = ParamSpec("P")
R = TypeVar("R")

__version__: str

class ArrayLike(Protocol):
    """Any object with an ``__mlx_array__`` method that returns an array."""
    def __mlx_array__(self) -> array: ...

scalar: TypeAlias = bool | int | float | complex
StreamOrDevice: TypeAlias = Stream | ThreadLocalStream | Device | DeviceType | None
DLPackCompatible: TypeAlias = Any
list_or_scalar: TypeAlias = scalar | list[Any]

class Dtype:
    """The type of an array's elements (mx.float32, ...)."""
    @property
    def size(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class DtypeCategory(enum.Enum):
    complexfloating = 0
    floating = 1
    inexact = 2
    signedinteger = 3
    unsignedinteger = 4
    integer = 5
    number = 6
    generic = 7

bool_: Dtype
uint8: Dtype
uint16: Dtype
uint32: Dtype
uint64: Dtype
int8: Dtype
int16: Dtype
int32: Dtype
int64: Dtype
float16: Dtype
float32: Dtype
float64: Dtype
bfloat16: Dtype
complex64: Dtype

complexfloating: DtypeCategory
floating: DtypeCategory
inexact: DtypeCategory
signedinteger: DtypeCategory
unsignedinteger: DtypeCategory
integer: DtypeCategory
number: DtypeCategory
generic: DtypeCategory

class finfo:
    """Machine limits of a floating point type."""
    def __init__(self, dtype: Dtype, /) -> None: ...
    @property
    def min(self) -> float: ...
    @property
    def max(self) -> float: ...
    @property
    def eps(self) -> float: ...
    @property
    def smallest_normal(self) -> float: ...
    @property
    def bits(self) -> int: ...
    @property
    def dtype(self) -> Dtype: ...

class iinfo:
    """Machine limits of an integer type."""
    def __init__(self, dtype: Dtype, /) -> None: ...
    @property
    def min(self) -> int: ...
    @property
    def max(self) -> int: ...
    @property
    def dtype(self) -> Dtype: ...

pi: float
e: float
euler_gamma: float
inf: float
nan: float
newaxis: None

class DeviceType(enum.Enum):
    cpu = 0
    gpu = 1

cpu: DeviceType
gpu: DeviceType

class Device:
    def __init__(self, type: DeviceType, index: int = 0) -> None: ...
    @property
    def type(self) -> DeviceType: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Stream:
    @property
    def device(self) -> Device: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class ThreadLocalStream:
    """A stream that is a different stream in each thread that uses it."""
    @property
    def device(self) -> Device: ...

class StreamContext:
    def __enter__(self) -> None: ...
    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None: ...

class PrintOptions:
    precision: int
    def __init__(self, precision: int = -1) -> None: ...

class _PrintOptionsContext:
    def __enter__(self) -> _PrintOptionsContext: ...
    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None: ...

class FunctionExporter:
    def __call__(self, *args: Any, **kwargs: Any) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> FunctionExporter: ...
    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None: ...

class custom_function:
    """Decorator giving a function custom vjp, jvp and vmap rules."""
    def __init__(self, f: Callable[..., Any]) -> None: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def vjp(self, f: Callable[..., Any]) -> Callable[..., Any]: ...
    def jvp(self, f: Callable[..., Any]) -> Callable[..., Any]: ...
    def vmap(self, f: Callable[..., Any]) -> Callable[..., Any]: ...

class ArrayIterator:
    def __iter__(self) -> ArrayIterator: ...
    def __next__(self) -> array: ...

class ArrayAt:
    """``a.at[idx]``: out-of-place updates that accumulate over repeated indices."""
    def __getitem__(self, indices: Any) -> ArrayAt: ...
    def add(self, value: scalar | array) -> array: ...
    def subtract(self, value: scalar | array) -> array: ...
    def multiply(self, value: scalar | array) -> array: ...
    def divide(self, value: scalar | array) -> array: ...
    def maximum(self, value: scalar | array) -> array: ...
    def minimum(self, value: scalar | array) -> array: ...
'''

# Extra classes inside submodule namespaces (written before their functions).
SUBMODULE_CLASSES = {
    "mlx.core.fast": '''\
class _Kernel:
    """A custom kernel made by metal_kernel / cuda_kernel."""
{call}
''',
    "mlx.core.distributed": '''\
class Group:
    """A group of processes taking part in collective operations."""
    def rank(self) -> int: ...
    def size(self) -> int: ...
    def split(self, color: int, key: int = -1) -> distributed.Group: ...
''',
    "mlx.core.random": '''\
state: Any  # the generator state (mx.random.state)
''',
}

OPERAND = "scalar | array"
BINARY_OPS = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor",
              "lshift", "rshift"]
UNARY_METHODS = ["abs", "conj", "cos", "exp", "log", "log10", "log1p", "log2", "reciprocal",
                 "rsqrt", "sin", "sqrt", "square"]
REDUCE_METHODS = ["all", "any", "max", "mean", "min", "prod", "sum", "logsumexp"]
SCAN_METHODS = ["cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]
AXES = "axis: int | Sequence[int] | None = None"

# mlx.core.array: properties, methods and operators.
ARRAY_PROPERTIES = [
    ("shape", "tuple[int, ...]"), ("dtype", "Dtype"), ("ndim", "int"), ("size", "int"),
    ("itemsize", "int"), ("nbytes", "int"), ("T", "array"), ("mT", "array"),
    ("real", "array"), ("imag", "array"), ("at", "ArrayAt"),
]
ARRAY_METHODS = (
    ["def __init__(self, val: scalar | list[Any] | tuple[Any, ...] | DLPackCompatible | array, "
     "dtype: Dtype | None = None) -> None",
     "def item(self) -> scalar",
     "def tolist(self) -> list_or_scalar",
     f"def astype(self, dtype: Dtype, {SO}) -> array",
     f"def view(self, dtype: Dtype, *, {SO}) -> array",
     f"def reshape(self, *shape: int | Sequence[int], {SO}) -> array",
     f"def transpose(self, *axes: int | Sequence[int], {SO}) -> array",
     f"def flatten(self, start_axis: int = 0, end_axis: int = -1, *, {SO}) -> array",
     f"def squeeze(self, {AXES}, *, {SO}) -> array",
     f"def swapaxes(self, axis1: int, axis2: int, *, {SO}) -> array",
     f"def moveaxis(self, source: int, destination: int, *, {SO}) -> array",
     f"def split(self, indices_or_sections: int | Sequence[int], axis: int = 0, *, {SO}) "
     "-> list[array]",
     f"def diag(self, k: int = 0, *, {SO}) -> array",
     f"def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1, {SO}) -> array",
     f"def round(self, decimals: int = 0, *, {SO}) -> array",
     f"def argmax(self, axis: int | None = None, keepdims: bool = False, *, {SO}) -> array",
     f"def argmin(self, axis: int | None = None, keepdims: bool = False, *, {SO}) -> array",
     f"def var(self, {AXES}, keepdims: bool = False, ddof: int = 0, *, {SO}) -> array",
     f"def std(self, {AXES}, keepdims: bool = False, ddof: int = 0, *, {SO}) -> array"]
    + [f"def {n}(self, *, {SO}) -> array" for n in UNARY_METHODS]
    + [f"def {n}(self, {AXES}, keepdims: bool = False, *, {SO}) -> array" for n in REDUCE_METHODS]
    + [f"def {n}(self, axis: int | None = None, *, reverse: bool = False, inclusive: bool = True, "
       f"{SO}) -> array" for n in SCAN_METHODS]
    + [f"def __{p}{n}__(self, other: {OPERAND}) -> array"
       for n in BINARY_OPS for p in ("", "r", "i")]
    + ["def __matmul__(self, other: array) -> array",
       "def __rmatmul__(self, other: array) -> array",
       "def __imatmul__(self, other: array) -> array",
       f"def __eq__(self, other: {OPERAND}) -> array  # type: ignore[override]",
       f"def __ne__(self, other: {OPERAND}) -> array  # type: ignore[override]",
       f"def __lt__(self, other: {OPERAND}) -> array",
       f"def __le__(self, other: {OPERAND}) -> array",
       f"def __gt__(self, other: {OPERAND}) -> array",
       f"def __ge__(self, other: {OPERAND}) -> array",
       "def __neg__(self) -> array", "def __pos__(self) -> array", "def __abs__(self) -> array",
       "def __invert__(self) -> array",
       "def __getitem__(self, indices: Any) -> array",
       f"def __setitem__(self, indices: Any, value: {OPERAND}) -> None",
       "def __iter__(self) -> ArrayIterator", "def __len__(self) -> int",
       "def __bool__(self) -> bool", "def __int__(self) -> int", "def __float__(self) -> float",
       "def __complex__(self) -> complex", "def __index__(self) -> int",
       "def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any",
       "def __copy__(self) -> array", "def __deepcopy__(self, memo: dict[int, Any]) -> array",
       "def __format__(self, format_spec: str) -> str",
       "def __getstate__(self) -> Any", "def __setstate__(self, state: Any) -> None",
       "def __dlpack__(self, *, stream: Any = None, max_version: tuple[int, int] | None = None, "
       "dl_device: tuple[int, int] | None = None, copy: bool | None = None) -> Any",
       "def __dlpack_device__(self) -> tuple[int, int]",
       "def __array_namespace__(self, api_version: str | None = None) -> types.ModuleType"]
)

# Spelling fixes of the table's signatures: (pattern, replacement).
FIXES = [
    (r"\bmlx\.core\.", ""),
    (r"\bcollections\.abc\.", ""),
    (r"\bfile \|", "BinaryIO |"),
    (r"= false\b", "= False"),
    (r"= true\b", "= True"),
    (r"\s+:", ":"),
    (r",\s+", ", "),
    (r"\b(Callable|Sequence)\b(?!\[)", r"\1[Any]"),  # bare generics
    (r"Callable\[Any\]", "Callable[..., Any]"),
    (r"(\*\*?\w+)(?=[,)])", r"\1: Any"),  # untyped *args / **kwargs
]


def read_spec(path):
    """[(module, name, signature)] in table order (args-only entries take theirs from
    SIGNATURES) and the signature of the kernels' __call__."""
    rows, kernel_call = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            module, name, sig = line.rstrip("\n").split("\t")
            if (module, name) in SKIP:
                continue
            if sig.startswith("def __call__("):
                kernel_call = sig + " -> list[array]"
            if (module, name) in SIGNATURES:
                sig = SIGNATURES[(module, name)]
            elif not sig.startswith("def "):
                raise SystemExit(f"gen_stubs: no typed signature for {module}.{name} ({sig}); "
                                 "add one to SIGNATURES")
            rows.append((module, name, sig))
    return rows, kernel_call


def clean(sig):
    for pat, rep in FIXES:
        sig = re.sub(pat, rep, sig)
    if "->" not in sig.rsplit(")", 1)[-1]:
        sig += " -> None"
    ast.parse(sig + ": ...")  # fails loudly on a signature the fixes did not make valid
    return sig


def rename(sig, name):
    return re.sub(r"^def \w+\(", f"def {name}(", sig)


def emit_functions(sigs, indent="", static=False):
    """Stub lines for (name, signature) pairs; a name given twice becomes @overload."""
    counts = {}
    for name, _ in sigs:
        counts[name] = counts.get(name, 0) + 1
    out = []
    for name, sig in sigs:
        if static:
            out.append(f"{indent}@staticmethod")
        if counts[name] > 1:
            out.append(f"{indent}@overload")
        out.append(f"{indent}{sig}: ...")
    return out


def emit_array():
    out = ["class array:", '    """An N-dimensional array."""']
    for name, typ in ARRAY_PROPERTIES:
        out += ["    @property", f"    def {name}(self) -> {typ}: ..."]
    for sig in ARRAY_METHODS:
        code, _, comment = sig.partition("  #")
        out.append(f"    {code}: ...{'  #' + comment if comment else ''}")
    return out


def generate(spec_path):
    rows, kernel_call = read_spec(spec_path)
    rows = [(m, n, clean(s)) for m, n, s in rows]
    extras = dict(SUBMODULE_CLASSES)
    extras["mlx.core.fast"] = extras["mlx.core.fast"].format(call=f"    {clean(kernel_call)}: ...")
    core = [(n, s) for m, n, s in rows if m == "mlx.core"]
    by_name = dict(core)
    missing = sorted(set(ALIASES.values()) - set(by_name))
    if missing:
        raise SystemExit(f"gen_stubs: aliases of unknown functions: {missing}")
    core += [(a, rename(by_name[o], a)) for a, o in ALIASES.items()]
    core += [(re.match(r"def (\w+)", s).group(1), clean(s)) for s in EXTRA_FUNCTIONS]

    lines = [HEADER.rstrip("\n"), ""] + emit_array() + [""]
    lines += emit_functions(core)
    submodules = []
    for m, _, _ in rows:
        if m != "mlx.core" and m not in submodules:
            submodules.append(m)
    for m in submodules:
        short = m.rsplit(".", 1)[1]
        lines += ["", f"class {short}:", f'    """{m}"""']
        extra = extras.get(m)
        sigs = [(n, s) for mm, n, s in rows if mm == m]
        if extra:
            lines += ["    " + l if l else "" for l in extra.rstrip("\n").split("\n")]
        if m == "mlx.core.distributed":
            sigs = [(n, re.sub(r"\bGroup\b", "distributed.Group", s)) for n, s in sigs]
        lines += emit_functions(sigs, indent="    ", static=True)
    text = "\n".join(lines) + "\n"
    ast.parse(text)
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=DEFAULT_SPEC, help="MLX's API table (tsv)")
    ap.add_argument("-o", "--output", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="only check that the stub is current")
    args = ap.parse_args()
    text = generate(args.spec)
    if args.check:
        with open(args.output, encoding="utf-8") as f:
            current = f.read()
        if current != text:
            print(f"{args.output} is out of date: run scripts/gen_stubs.py", file=sys.stderr)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
