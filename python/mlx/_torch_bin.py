"""mx.load of PyTorch files (``pytorch_model.bin``, ``*.pt``): torch.save's zip + pickle format.

The archive holds ``<name>/data.pkl`` (the pickled object, usually a state dict) and one record
``<name>/data/<key>`` per storage, its raw bytes. The pickle is read with a restricted unpickler:
the only globals it may name are the few that torch's format uses for plain tensors
(``torch._utils._rebuild_tensor_v2``, ``torch._utils._rebuild_parameter``,
``collections.OrderedDict`` and the ``torch.*Storage`` dtype tags), each mapped to a local
function or tag here; any other global raises ``pickle.UnpicklingError``, so no code named by
the file ever runs and torch is not needed. Storages are read from the zip with numpy, tensors
rebuilt from (storage, offset, shape, stride) with bounds checks.

``load(file)`` returns a dict of name -> mx.array: the tensors of the unpickled object, with
nested dicts flattened into dotted names; other values (ints, strings, ...) are left out.
"""

import collections
import io
import pickle
import pickletools
import warnings
import zipfile
import zlib

import numpy as np

import mlx.core as mx


class _StorageType:
    """The dtype tag that a ``torch.<Name>Storage`` global stands for (not callable)."""

    __slots__ = ("name", "dtype")

    def __init__(self, name, dtype):
        self.name = name
        self.dtype = dtype  # a numpy dtype string, or "bfloat16"


_STORAGES = {
    "FloatStorage": "<f4",
    "DoubleStorage": "<f8",
    "HalfStorage": "<f2",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
    "ComplexFloatStorage": "<c8",
}
_STORAGE_TYPES = {n: _StorageType(n, d) for n, d in _STORAGES.items()}


class _Storage:
    """A storage record: a flat numpy array of its dtype (bfloat16 as raw uint16 bits)."""

    __slots__ = ("data", "bf16")

    def __init__(self, data, bf16):
        self.data = data
        self.bf16 = bf16


class _Tensor:
    """A rebuilt tensor: a contiguous numpy array (bfloat16 as raw uint16 bits)."""

    __slots__ = ("data", "bf16")

    def __init__(self, data, bf16):
        self.data = data
        self.bf16 = bf16


def _ints(x, what):
    if not isinstance(x, (tuple, list)) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in x
    ):
        raise pickle.UnpicklingError(f"[load] torch tensor {what} must be a tuple of ints")
    return tuple(x)


def _rebuild_tensor_v2(storage, offset, shape, stride, requires_grad=False, hooks=None, *rest):
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("[load] torch tensor built on something that is not a storage")
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise pickle.UnpicklingError("[load] torch tensor storage offset must be an int")
    shape, stride = _ints(shape, "size"), _ints(stride, "stride")
    if len(shape) != len(stride):
        raise pickle.UnpicklingError("[load] torch tensor size and stride differ in length")
    n = storage.data.size
    if any(s < 0 for s in shape) or any(s < 0 for s in stride) or offset < 0:
        raise pickle.UnpicklingError("[load] torch tensor with a negative size, stride or offset")
    if 0 in shape:
        return _Tensor(np.zeros(shape, storage.data.dtype), storage.bf16)
    last = offset + sum((d - 1) * s for d, s in zip(shape, stride))
    if last >= n:
        raise pickle.UnpicklingError(
            f"[load] torch tensor of size {shape}, stride {stride}, offset {offset} reaches "
            f"past its storage of {n} elements"
        )
    item = storage.data.itemsize
    count = int(np.prod(shape, dtype=np.float64))
    if count > n and count * item > (1 << 30):
        raise pickle.UnpicklingError(
            f"[load] torch tensor of size {shape} expands a storage of {n} elements past 1 GiB"
        )
    view = np.lib.stride_tricks.as_strided(
        storage.data[offset:], shape=shape, strides=tuple(s * item for s in stride), writeable=False
    )
    return _Tensor(view.copy(order="C"), storage.bf16)


def _rebuild_parameter(data, requires_grad=False, hooks=None, *rest):
    if not isinstance(data, _Tensor):
        raise pickle.UnpicklingError("[load] torch parameter built on something not a tensor")
    return data


_GLOBALS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("collections", "OrderedDict"): collections.OrderedDict,
}


def _check_opcodes(data):
    """Walks the pickle's opcodes without running them: rejects malformed data and memo
    indices past the pickle's length (the C unpickler would grow its memo to that size)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pickletools' escape decoding of STRING opcodes
            ops = list(pickletools.genops(data))
    except ValueError as e:
        raise pickle.UnpicklingError(f"[load] malformed torch pickle: {e}") from None
    for op, arg, _pos in ops:
        if op.name in ("PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"):
            if not isinstance(arg, int) or not 0 <= arg < len(data):
                raise pickle.UnpicklingError(f"[load] torch pickle memo index {arg!r:.40}")


class _Unpickler(pickle.Unpickler):
    """Resolves only the globals above; storages come from the zip's records."""

    def __init__(self, data, records):
        super().__init__(io.BytesIO(data))
        self._records = records
        self._storages = {}

    def find_class(self, module, name):
        if (module, name) in _GLOBALS:
            return _GLOBALS[(module, name)]
        if module == "torch" and name in _STORAGE_TYPES:
            return _STORAGE_TYPES[name]
        raise pickle.UnpicklingError(
            f"[load] torch file names the global {module}.{name}, which is not allowed "
            "(only tensors, parameters and OrderedDicts are rebuilt)"
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"[load] unsupported torch persistent id {pid!r:.80}")
        _, stype, key, _location, numel = pid
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError("[load] torch storage without a known storage type")
        if not isinstance(key, str) or not isinstance(numel, int):
            raise pickle.UnpicklingError("[load] torch storage with a bad key or size")
        if key in self._storages:
            return self._storages[key]
        bf16 = stype.dtype == "bfloat16"
        dtype = np.dtype("<u2" if bf16 else stype.dtype)
        size, read = self._records(key)
        if numel < 0 or size < numel * dtype.itemsize:
            raise pickle.UnpicklingError(
                f"[load] torch storage record data/{key} has {size} bytes, "
                f"expected {numel} elements of {dtype.itemsize} bytes"
            )
        raw = read()
        data = np.frombuffer(raw, dtype=dtype, count=numel)
        s = self._storages[key] = _Storage(data, bf16)
        return s


def _to_mx(t, big_endian):
    a = t.data
    if big_endian and a.dtype.itemsize > 1:
        a = a.byteswap()
    if t.bf16:  # bfloat16 bits -> float32 (exact) -> bfloat16
        return mx.array((a.astype(np.uint32) << 16).view(np.float32)).astype(mx.bfloat16)
    if a.dtype == np.float64:  # mx.array would make it float32
        return mx.array(a, dtype=mx.float64)
    return mx.array(a)


def _flatten(obj, prefix, out, big_endian, path=()):
    if isinstance(obj, _Tensor):
        out[prefix] = _to_mx(obj, big_endian)
        return
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return
    if id(obj) in path or len(path) > 100:
        raise ValueError("[load] PyTorch file with a cyclic or too deeply nested object")
    for k, v in items:
        _flatten(v, f"{prefix}.{k}" if prefix else str(k), out, big_endian, path + (id(obj),))


def _read_archive(zf):
    """The unpickled object of an open archive, and whether its data is big-endian."""
    names = set(zf.namelist())
    pkls = [n for n in names if n == "data.pkl" or n.endswith("/data.pkl")]
    if len(pkls) != 1:
        raise ValueError("[load] PyTorch archive without exactly one data.pkl")
    base = pkls[0][: -len("data.pkl")]
    if base.count("/") > 1:
        raise ValueError(f"[load] PyTorch archive with data.pkl at {pkls[0]!r}")
    byteorder = "little"
    if base + "byteorder" in names:
        byteorder = zf.read(base + "byteorder").decode("ascii", "replace").strip()
        if byteorder not in ("little", "big"):
            raise ValueError(f"[load] PyTorch archive with byte order {byteorder!r}")

    def records(key):  # (size, reader): the size is checked before anything is inflated
        name = f"{base}data/{key}"
        if name not in names:
            raise pickle.UnpicklingError(f"[load] PyTorch archive has no record {name!r}")
        return zf.getinfo(name).file_size, lambda: zf.read(name)

    data = zf.read(pkls[0])
    _check_opcodes(data)
    return _Unpickler(data, records).load(), byteorder == "big"


def load(file):
    """Loads the tensors of a torch.save zip archive (a path or a binary file object)."""
    try:
        zf = zipfile.ZipFile(file)
    except zipfile.BadZipFile as e:
        raise ValueError(
            f"[load] not a PyTorch zip archive ({e}); the legacy pre-1.6 format is not supported"
        ) from None
    except OSError as e:
        raise RuntimeError(f"[load] Failed to open file {file}: {e.strerror or e}") from None
    except (NotImplementedError, ValueError, EOFError) as e:
        raise ValueError(f"[load] corrupt PyTorch archive: {type(e).__name__}: {e}") from None
    try:
        with zf:
            obj, big_endian = _read_archive(zf)
    except pickle.UnpicklingError as e:
        msg = str(e)
        raise ValueError(msg if msg.startswith("[load]") else f"[load] {msg}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as e:  # zipfile: unsupported methods, versions, encryption
        raise ValueError(f"[load] corrupt PyTorch archive: {type(e).__name__}: {e}") from None
    except (TypeError, AttributeError, IndexError, KeyError, ValueError) as e:
        if str(e).startswith("[load]"):
            raise
        raise ValueError(f"[load] corrupt PyTorch pickle: {type(e).__name__}: {e}") from None
    out = {}
    _flatten(obj, "", out, big_endian)
    return out
