"""Max and average pooling over 1, 2 or 3 spatial dimensions (channels last)."""

from typing import Optional, Tuple, Union

import mlx.core as mx
from mlx.nn.layers.base import Module


def _sliding_windows(x: mx.array, window: Tuple[int, ...], strides: Tuple[int, ...]):
    """Return the windows of ``x`` (shape ``(N, *spatial, C)``) as an array of shape
    ``(N, *out, *window, C)``."""
    spatial = x.shape[1:-1]
    if x.ndim < 3:
        raise ValueError(
            "To extract sliding windows at least 1 spatial dimension (3 total) is needed "
            f"but the input only has {x.ndim} dimensions."
        )
    if not (len(spatial) == len(window) == len(strides)):
        raise ValueError(
            "To extract sliding windows the window shapes and strides must have the same "
            f"number of spatial dimensions as the signal but the signal has {len(spatial)} "
            f"dims and the window shape has {len(window)} and strides have {len(strides)}."
        )
    out = [max((n - w) // s + 1, 0) for n, w, s in zip(spatial, window, strides)]
    N, C = x.shape[0], x.shape[-1]
    # Row-contiguous element strides of x.
    full = list(x.shape)
    st = [1] * len(full)
    for i in range(len(full) - 2, -1, -1):
        st[i] = st[i + 1] * full[i + 1]
    sp = st[1:-1]
    shape = [N] + out + list(window) + [C]
    strides_ = [st[0]] + [a * s for a, s in zip(sp, strides)] + sp + [1]
    return mx.as_strided(x, shape, strides_)


def _tiles(x: mx.array, window: Tuple[int, ...]):
    """Non-overlapping windows (stride == window) by a reshape: ``x`` cut to whole windows
    as ``(N, out_1, window_1, ..., out_d, window_d, C)``, and the window axes. Same values
    as the strided view, with a much cheaper gradient."""
    spatial = x.shape[1:-1]
    if len(spatial) != len(window):
        return _sliding_windows(x, window, window), None  # raises the shape error
    out = [n // w for n, w in zip(spatial, window)]
    if any(o * w != n for o, w, n in zip(out, window, spatial)):
        x = x[(slice(None),) + tuple(slice(0, o * w) for o, w in zip(out, window))]
    shape = [x.shape[0]]
    for o, w in zip(out, window):
        shape += [o, w]
    shape.append(x.shape[-1])
    return x.reshape(shape), tuple(2 + 2 * i for i in range(len(window)))


class _Pool(Module):
    def __init__(self, reduce_fn, kernel_size, stride, padding, padding_value):
        super().__init__()
        self._kernel_size = kernel_size
        self._stride = stride
        self._padding = padding
        self._padding_value = padding_value
        self._reduce_fn = reduce_fn

    def _extra_repr(self):
        return (
            f"kernel_size={self._kernel_size}, stride={self._stride}, "
            f"padding={self._padding}"
        )

    def __call__(self, x):
        if any(p[0] > 0 for p in self._padding):
            pads = [(0, 0)] + list(self._padding) + [(0, 0)]
            pad_value = self._padding_value
            if pad_value == float("-inf") and not _is_inexact(x.dtype):
                pad_value = _int_min(x.dtype)
            x = mx.pad(x, pads, constant_values=pad_value)
        if tuple(self._kernel_size) == tuple(self._stride) and x.ndim >= 3:
            return self._reduce_fn(*_tiles(x, self._kernel_size))
        windows = _sliding_windows(x, self._kernel_size, self._stride)
        axes = tuple(range(-len(self._kernel_size) - 1, -1))
        return self._reduce_fn(windows, axes)

    # The pooling parameters are plain tuples (not parameters): keep them out of the
    # module's state dict.
    def __setattr__(self, key, value):
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            super().__setattr__(key, value)


def _is_inexact(dtype):
    return mx.issubdtype(dtype, mx.inexact)


def _int_min(dtype):
    table = {
        mx.bool_: False,
        mx.uint8: 0,
        mx.uint16: 0,
        mx.uint32: 0,
        mx.uint64: 0,
        mx.int8: -(2**7),
        mx.int16: -(2**15),
        mx.int32: -(2**31),
        mx.int64: -(2**63),
    }
    return table.get(dtype, 0)


def _value_or_list(x, n, msg):
    if isinstance(x, (list, tuple)):
        if len(x) != n or not all(isinstance(v, int) for v in x):
            raise ValueError(msg)
        return tuple(x)
    if not isinstance(x, int):
        raise ValueError(msg)
    return (x,) * n


def _pool_args(name, dims, kernel_size, stride, padding):
    kernel_size = _value_or_list(
        kernel_size,
        dims,
        f"[{name}] 'kernel_size' must be an integer or a tuple containing {dims} integers",
    )
    stride = (
        _value_or_list(
            stride,
            dims,
            f"[{name}] 'stride' must be an integer or a tuple containing {dims} integers",
        )
        if stride is not None
        else kernel_size
    )
    padding = _value_or_list(
        padding,
        dims,
        f"[{name}] 'padding' must be an integer or a tuple containing {dims} integers",
    )
    for k in kernel_size:
        if k <= 0:
            raise ValueError(f"[{name}] 'kernel_size' must be positive.")
    for s in stride:
        if s <= 0:
            raise ValueError(f"[{name}] 'stride' must be positive.")
    for p in padding:
        if p < 0:
            raise ValueError(f"[{name}] 'padding' must be non-negative.")
    return kernel_size, stride, [(p, p) for p in padding]


def _max_reduce(w, axes):
    return mx.max(w, axis=axes)


def _mean_reduce(w, axes):
    return mx.mean(w, axis=axes)


class _PoolNd(_Pool):
    _dims = 1
    _is_max = True

    def __init__(self, kernel_size, stride=None, padding=0):
        name = type(self).__name__
        k, s, p = _pool_args(name, self._dims, kernel_size, stride, padding)
        if self._is_max:
            super().__init__(_max_reduce, k, s, p, float("-inf"))
        else:
            super().__init__(_mean_reduce, k, s, p, 0)

    def _extra_repr(self):
        return (
            f"kernel_size={self._kernel_size}, stride={self._stride}, "
            f"padding={tuple(p[0] for p in self._padding)}"
        )


class MaxPool1d(_PoolNd):
    r"""1D max pooling over inputs of shape ``(N, L, C)``.

    Args:
        kernel_size: the window size.
        stride: the window stride. Default: ``kernel_size``.
        padding: implicit padding with negative infinity on both sides. Default: ``0``.
    """

    _dims, _is_max = 1, True

    def __init__(
        self,
        kernel_size: Union[int, Tuple[int]],
        stride: Optional[Union[int, Tuple[int]]] = None,
        padding: Union[int, Tuple[int]] = 0,
    ):
        super().__init__(kernel_size, stride, padding)


class MaxPool2d(_PoolNd):
    r"""2D max pooling over inputs of shape ``(N, H, W, C)``.

    Args:
        kernel_size: the window size (an int or a pair).
        stride: the window stride. Default: ``kernel_size``.
        padding: implicit padding with negative infinity. Default: ``0``.
    """

    _dims, _is_max = 2, True

    def __init__(
        self,
        kernel_size: Union[int, Tuple[int, int]],
        stride: Optional[Union[int, Tuple[int, int]]] = None,
        padding: Optional[Union[int, Tuple[int, int]]] = 0,
    ):
        super().__init__(kernel_size, stride, padding)


class MaxPool3d(_PoolNd):
    r"""3D max pooling over inputs of shape ``(N, D, H, W, C)``.

    Args:
        kernel_size: the window size (an int or a triple).
        stride: the window stride. Default: ``kernel_size``.
        padding: implicit padding with negative infinity. Default: ``0``.
    """

    _dims, _is_max = 3, True

    def __init__(
        self,
        kernel_size: Union[int, Tuple[int, int, int]],
        stride: Optional[Union[int, Tuple[int, int, int]]] = None,
        padding: Optional[Union[int, Tuple[int, int, int]]] = 0,
    ):
        super().__init__(kernel_size, stride, padding)


class AvgPool1d(_PoolNd):
    r"""1D average pooling over inputs of shape ``(N, L, C)`` (padding counts as zeros).

    Args:
        kernel_size: the window size.
        stride: the window stride. Default: ``kernel_size``.
        padding: implicit zero padding. Default: ``0``.
    """

    _dims, _is_max = 1, False

    def __init__(
        self,
        kernel_size: Union[int, Tuple[int]],
        stride: Optional[Union[int, Tuple[int]]] = None,
        padding: Union[int, Tuple[int]] = 0,
    ):
        super().__init__(kernel_size, stride, padding)


class AvgPool2d(_PoolNd):
    r"""2D average pooling over inputs of shape ``(N, H, W, C)`` (padding counts as
    zeros)."""

    _dims, _is_max = 2, False

    def __init__(
        self,
        kernel_size: Union[int, Tuple[int, int]],
        stride: Optional[Union[int, Tuple[int, int]]] = None,
        padding: Optional[Union[int, Tuple[int, int]]] = 0,
    ):
        super().__init__(kernel_size, stride, padding)


class AvgPool3d(_PoolNd):
    r"""3D average pooling over inputs of shape ``(N, D, H, W, C)`` (padding counts as
    zeros)."""

    _dims, _is_max = 3, False

    def __init__(
        self,
        kernel_size: Union[int, Tuple[int, int, int]],
        stride: Optional[Union[int, Tuple[int, int, int]]] = None,
        padding: Optional[Union[int, Tuple[int, int, int]]] = 0,
    ):
        super().__init__(kernel_size, stride, padding)
