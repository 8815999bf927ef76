"""Upsampling of spatial signals (channels last) by nearest, linear or cubic
interpolation."""

import math
from typing import Literal, Tuple, Union

import mlx.core as mx
from mlx.nn.layers.base import Module


def _source_coords(in_size, out_size, scale, align_corners):
    """The (fractional) input coordinate each output position samples."""
    i = mx.arange(out_size, dtype=mx.float32)
    if align_corners:
        if out_size <= 1:
            return mx.zeros((out_size,), dtype=mx.float32)
        return i * ((in_size - 1) / (out_size - 1))
    return (i + 0.5) * (1.0 / scale) - 0.5


def _take_axis(x, idx, axis):
    return mx.take(x, idx, axis=axis)


def _bshape(n, axis, ndim):
    shape = [1] * ndim
    shape[axis] = n
    return shape


def _nearest_1d(x, axis, scale):
    n = x.shape[axis]
    out = int(math.floor(n * scale))
    i = mx.arange(out, dtype=mx.float32)
    ratio = n / out
    if scale >= 1:
        # Enlarging: the nearest input centre (ties to even, as MLX).
        idx = mx.round((i + 0.5) * ratio - 0.5)
    else:
        idx = mx.floor(i * ratio)
    idx = mx.clip(idx, 0, n - 1).astype(mx.int32)
    return _take_axis(x, idx, axis)


def _linear_1d(x, axis, scale, align_corners):
    n = x.shape[axis]
    out = int(math.floor(n * scale))
    src = _source_coords(n, out, scale, align_corners)
    src = mx.clip(src, 0, n - 1)
    lo = mx.floor(src)
    w = (src - lo).reshape(_bshape(out, axis, x.ndim))
    lo = lo.astype(mx.int32)
    hi = mx.minimum(lo + 1, n - 1)
    a = _take_axis(x, lo, axis)
    b = _take_axis(x, hi, axis)
    return (a * (1 - w) + b * w).astype(x.dtype) if _inexact(x.dtype) else a * (1 - w) + b * w


def _cubic_weight(d, a=-0.75):
    d = mx.abs(d)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return mx.where(d <= 1, near, mx.where(d < 2, far, 0.0))


def _cubic_1d(x, axis, scale, align_corners):
    n = x.shape[axis]
    out = int(math.floor(n * scale))
    src = _source_coords(n, out, scale, align_corners)
    base = mx.floor(src)
    result = None
    for k in (-1, 0, 1, 2):
        pos = base + k
        w = _cubic_weight(src - pos).reshape(_bshape(out, axis, x.ndim))
        idx = mx.clip(pos, 0, n - 1).astype(mx.int32)
        term = _take_axis(x, idx, axis) * w
        result = term if result is None else result + term
    return result.astype(x.dtype) if _inexact(x.dtype) else result


def _inexact(dtype):
    return mx.issubdtype(dtype, mx.floating)


def upsample_nearest(x: mx.array, scale_factor: Tuple):
    """Nearest neighbour upsampling of ``x`` (``(N, *spatial, C)``) by ``scale_factor``
    (one factor per spatial axis)."""
    for d, s in enumerate(scale_factor):
        x = _nearest_1d(x, d + 1, s)
    return x


def upsample_linear(x: mx.array, scale_factor: Tuple, align_corners: bool = False):
    """(Multi-)linear upsampling of ``x`` (``(N, *spatial, C)``)."""
    for d, s in enumerate(scale_factor):
        x = _linear_1d(x, d + 1, s, align_corners)
    return x


def upsample_cubic(x: mx.array, scale_factor: Tuple, align_corners: bool = False):
    """Cubic (Keys, a = -0.75) upsampling of ``x`` (``(N, *spatial, C)``)."""
    for d, s in enumerate(scale_factor):
        x = _cubic_1d(x, d + 1, s, align_corners)
    return x


class Upsample(Module):
    r"""Upsample a signal of shape ``(N, *spatial, C)`` by ``scale_factor`` along each
    spatial axis (the output size is ``floor(size * scale)``).

    Args:
        scale_factor: one factor for all spatial axes or a tuple with one per axis.
        mode: ``'nearest'``, ``'linear'`` (bi-/tri-linear) or ``'cubic'``. Default:
            ``'nearest'``.
        align_corners: for ``'linear'`` and ``'cubic'``, map the corner samples of input
            and output onto each other instead of the pixel centers. Default: ``False``.
        antialias: accepted for compatibility (upsampling needs no anti-aliasing).
    """

    def __init__(
        self,
        scale_factor: Union[float, Tuple],
        mode: Literal["nearest", "linear", "cubic"] = "nearest",
        align_corners: bool = False,
        antialias: bool = False,
    ):
        super().__init__()
        if mode not in ("nearest", "linear", "cubic"):
            raise ValueError(f"[Upsample] Got unsupported upsampling algorithm: {mode}")
        if isinstance(scale_factor, (list, tuple)):
            self.scale_factor = tuple(map(float, scale_factor))
        else:
            self.scale_factor = float(scale_factor)
        self.mode = mode
        self.align_corners = align_corners
        self.antialias = antialias

    def _extra_repr(self) -> str:
        return (
            f"scale_factor={self.scale_factor}, mode={self.mode!r}, "
            f"align_corners={self.align_corners}"
        )

    def __call__(self, x: mx.array) -> mx.array:
        dims = x.ndim - 2
        if dims <= 0:
            raise ValueError(
                "[Upsample] The input should have at least 1 spatial dimension which "
                f"means it should be at least 3D but {x.ndim}D was given"
            )
        scale = self.scale_factor
        if isinstance(scale, tuple):
            if len(scale) != dims:
                raise ValueError(
                    "[Upsample] One scale per spatial dimension is required but "
                    f"scale_factor={scale} and the number of spatial dimensions were {dims}"
                )
        else:
            scale = (scale,) * dims
        if self.mode == "nearest":
            return upsample_nearest(x, scale)
        if self.mode == "linear":
            return upsample_linear(x, scale, self.align_corners)
        return upsample_cubic(x, scale, self.align_corners)
