"""Training utilities: value_and_grad over a model's parameters, gradient checkpointing,
gradient averaging; weight file helpers used by Module.save_weights/load_weights."""

import json
import os
import struct
from functools import wraps
from typing import Any, Callable, Optional

import mlx.core as mx
from mlx.nn.layers.base import Module
from mlx.utils import tree_flatten, tree_map, tree_reduce, tree_unflatten  # noqa: F401 (as MLX)


def value_and_grad(model: Module, fn: Callable):
    """Transform ``fn`` into a function returning ``(value, gradients)``, where the
    gradients are taken with respect to ``model.trainable_parameters()``.

    ``fn`` is called with the caller's arguments and uses ``model`` directly (it does not
    receive the parameters); the returned gradients have the structure of
    ``model.trainable_parameters()``.
    """

    def inner_fn(params, *args, **kwargs):
        model.update(params)
        return fn(*args, **kwargs)

    value_grad_fn = mx.value_and_grad(inner_fn)

    @wraps(fn)
    def wrapped_value_grad_fn(*args, **kwargs):
        params = model.trainable_parameters()
        try:
            value, grad = value_grad_fn(params, *args, **kwargs)
        finally:
            # Put the original arrays back: the ones set during the transform are the
            # transform's internal copies.
            model.update(params)
        return value, grad

    return wrapped_value_grad_fn


def checkpoint(module: Module, fn: Optional[Callable] = None):
    """Gradient checkpointing: return a function that calls ``fn`` (the module's
    ``__call__`` by default) but whose intermediate activations are recomputed in the
    backward pass instead of being stored (through ``mx.checkpoint`` when available;
    otherwise the function is simply called).
    """
    if fn is None:
        fn = module.__call__

    mx_checkpoint = getattr(mx, "checkpoint", None)
    if mx_checkpoint is None:

        @wraps(fn)
        def plain(*args, **kwargs):
            return fn(*args, **kwargs)

        return plain

    def inner_fn(params, *args, **kwargs):
        module.update(params)
        return fn(*args, **kwargs)

    checkpointed_fn = mx_checkpoint(inner_fn)

    @wraps(fn)
    def wrapped_checkpointed_fn(*args, **kwargs):
        return checkpointed_fn(module.trainable_parameters(), *args, **kwargs)

    return wrapped_checkpointed_fn


def average_gradients(
    gradients: Any,
    group: Optional[Any] = None,
    all_reduce_size: int = 32 * 1024**2,
    communication_stream: Optional[Any] = None,
):
    """Average the gradients over the processes of a distributed group.

    With a single process (the only case supported until ``mlx.core.distributed``
    exists) the gradients are returned unchanged.
    """
    dist = getattr(mx, "distributed", None)
    if dist is None:
        return gradients
    try:
        group = group or dist.init()
        size = group.size()
    except Exception:
        return gradients
    if size == 1:
        return gradients

    return tree_map(lambda g: dist.all_sum(g, group=group) / size, gradients)


# ---------------------------------------------------------------------- weight files
# Used when mlx.core lacks savez / save_safetensors / load.

_ST_DTYPES = {
    "BOOL": "bool_",
    "U8": "uint8",
    "I8": "int8",
    "U16": "uint16",
    "I16": "int16",
    "U32": "uint32",
    "I32": "int32",
    "U64": "uint64",
    "I64": "int64",
    "F16": "float16",
    "BF16": "bfloat16",
    "F32": "float32",
    "F64": "float64",
    "C64": "complex64",
}
_ST_CODES = {v: k for k, v in _ST_DTYPES.items()}


def _dtype_name(dtype):
    for name in _ST_CODES:
        if getattr(mx, name, None) == dtype:
            return name
    raise ValueError(f"[save] Unsupported dtype {dtype}.")


def _to_numpy(a):
    import numpy as np

    name = _dtype_name(a.dtype)
    if name == "bfloat16":
        f = np.array(a.astype(mx.float32), dtype=np.float32)
        return (f.view(np.uint32) >> 16).astype(np.uint16), name
    return np.array(a), name


def _from_numpy(arr, name):
    import numpy as np

    if name == "bfloat16":
        bits = arr.astype(np.uint32) << 16
        return mx.array(bits.view(np.float32)).astype(mx.bfloat16)
    return mx.array(arr)


def _write_safetensors(path, arrays, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for k, a in arrays.items():
        data, name = _to_numpy(a)
        raw = data.tobytes(order="C")
        header[k] = {
            "dtype": _ST_CODES[name],
            "shape": list(a.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = dict(metadata)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def _read_safetensors(path):
    import numpy as np

    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"[load_safetensors] {path} is too short to be a safetensors file.")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise ValueError(f"[load_safetensors] {path} has a truncated header.")
    try:
        header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"[load_safetensors] {path} has an invalid header: {e}") from None
    if not isinstance(header, dict):
        raise ValueError(f"[load_safetensors] {path} has an invalid header.")
    data = blob[8 + n :]
    out = {}
    for k, info in header.items():
        if k == "__metadata__":
            continue
        try:
            code = info["dtype"]
            shape = [int(s) for s in info["shape"]]
            start, end = (int(v) for v in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"[load_safetensors] Invalid entry for {k!r} in {path}.") from None
        if code not in _ST_DTYPES:
            raise ValueError(f"[load_safetensors] Unsupported dtype {code!r} for {k!r}.")
        name = _ST_DTYPES[code]
        npdt = np.uint16 if name == "bfloat16" else np.dtype(name.rstrip("_"))
        count = 1
        for s in shape:
            if s < 0:
                raise ValueError(f"[load_safetensors] Negative dimension for {k!r}.")
            count *= s
        if not (0 <= start <= end <= len(data)) or end - start != count * np.dtype(npdt).itemsize:
            raise ValueError(f"[load_safetensors] Invalid data offsets for {k!r} in {path}.")
        arr = np.frombuffer(data[start:end], dtype=npdt).reshape(shape)
        out[k] = _from_numpy(arr, name)
    return out


def _write_npz(path, arrays):
    import numpy as np

    payload = {}
    for k, a in arrays.items():
        data, name = _to_numpy(a)
        if name == "bfloat16":
            data = data.view("V2")
        payload[k] = data
    with open(path, "wb") as f:
        np.savez(f, **payload)


def _read_npz(path):
    import numpy as np

    out = {}
    with np.load(path, allow_pickle=False) as z:
        for k in z.files:
            arr = z[k]
            if arr.dtype.kind == "V" and arr.dtype.itemsize == 2:
                out[k] = _from_numpy(arr.view(np.uint16), "bfloat16")
            else:
                out[k] = mx.array(arr)
    return out


def _save_weights_file(file, params):
    file = str(file)
    if file.endswith(".npz"):
        if hasattr(mx, "savez"):
            mx.savez(file, **params)
        else:
            _write_npz(file, params)
    elif file.endswith(".safetensors"):
        if hasattr(mx, "save_safetensors"):
            mx.save_safetensors(file, params)
        else:
            _write_safetensors(file, params)
    else:
        raise ValueError(
            f"Unsupported file extension for {file}. Use '.npz' or '.safetensors'."
        )


def _load_weights_file(file):
    file = str(file)
    if hasattr(mx, "load"):
        return mx.load(file)
    if not os.path.exists(file):
        raise ValueError(f"[load] Failed to open file {file}")
    if file.endswith(".npz"):
        return _read_npz(file)
    if file.endswith(".safetensors"):
        return _read_safetensors(file)
    ext = file.rsplit(".", 1)[-1] if "." in file else ""
    raise ValueError(f"[load] Unknown file format {ext}")
