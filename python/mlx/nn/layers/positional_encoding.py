"""Positional encodings: RoPE, SinusoidalPositionalEncoding, ALiBi."""

import math
from typing import Optional

import mlx.core as mx
from mlx.nn.layers.base import Module


class RoPE(Module):
    r"""Rotary positional encoding (RoPE).

    Rotates pairs of features of the inputs (shape ``(..., L, D)``) by angles that grow
    with the position along the second to last axis.

    Args:
        dims: the number of features to rotate (the rest is left unchanged).
        traditional: rotate adjacent pairs ``(2i, 2i+1)`` instead of ``(i, i + dims/2)``.
            Default: ``False``.
        base: the base of the geometric progression of frequencies. Default: ``10000``.
        scale: a multiplier for the positions. Default: ``1.0``.
    """

    def __init__(
        self,
        dims: int,
        traditional: bool = False,
        base: float = 10000,
        scale: float = 1.0,
    ):
        super().__init__()
        self.dims = dims
        self.traditional = traditional
        self.base = base
        self.scale = scale

    def _extra_repr(self):
        return f"{self.dims}, traditional={self.traditional}"

    def __call__(self, x, offset: int = 0):
        return mx.fast.rope(
            x,
            self.dims,
            traditional=self.traditional,
            base=self.base,
            scale=self.scale,
            offset=offset,
        )


class SinusoidalPositionalEncoding(Module):
    r"""Sinusoidal positional encoding.

    Maps each (scalar) position ``x`` to ``dims`` features: the sines and cosines of
    ``x * f`` for ``dims // 2`` frequencies ``f`` spaced geometrically from ``max_freq``
    down to ``min_freq``, times ``scale``.

    Args:
        dims: the number of features.
        min_freq: the lowest frequency. Default: ``0.0001``.
        max_freq: the highest frequency. Default: ``1``.
        scale: a multiplier for the output. Default: ``sqrt(2 / dims)``.
        cos_first: put the cosines first. Default: ``False``.
        full_turns: multiply the frequencies by :math:`2\pi`. Default: ``False``.
    """

    def __init__(
        self,
        dims: int,
        min_freq: float = 0.0001,
        max_freq: float = 1,
        scale: Optional[float] = None,
        cos_first: bool = False,
        full_turns: bool = False,
    ):
        super().__init__()
        if dims <= 0 or dims % 2 != 0:
            raise ValueError(
                f"[SinusoidalPositionalEncoding] dims must be positive and even but got {dims}."
            )
        half = dims // 2
        one_zero = 1 - mx.arange(0, half, dtype=mx.float32) / max(half - 1, 1)
        if half == 1:
            one_zero = mx.ones((1,), dtype=mx.float32)
        lo, hi = math.log(min_freq), math.log(max_freq)
        self._sigmas = mx.exp(one_zero * (hi - lo) + lo)
        if full_turns:
            self._sigmas = self._sigmas * (2 * math.pi)
        self.scale = scale or (2 / dims) ** 0.5
        self.cos_first = cos_first

    def __call__(self, x):
        y = x[..., None] * self._sigmas
        cosy, siny = mx.cos(y), mx.sin(y)
        parts = [cosy, siny] if self.cos_first else [siny, cosy]
        y = mx.concatenate(parts, axis=-1)
        if self.scale != 1:
            y = y * self.scale
        return y


def _geometric_slopes(n):
    x = (2**8) ** (1.0 / n)
    return [1.0 / (x ** (h + 1)) for h in range(n)]


def _alibi_slopes(num_heads):
    # For a power of two, the slopes are 2**(-8 (h + 1) / H). Otherwise take the slopes
    # of the closest smaller power of two and fill up with every other slope of the next
    # power of two (the recipe of the ALiBi paper).
    n = 2 ** int(math.floor(math.log2(num_heads)))
    slopes = _geometric_slopes(n)
    if n < num_heads:
        slopes += _geometric_slopes(2 * n)[0::2][: num_heads - n]
    return slopes


class ALiBi(Module):
    r"""Attention with linear biases (ALiBi).

    Adds ``-|i - j| * m_h`` to attention scores of shape ``(..., H, L, S)``, where ``i``
    is the query position (``offset + l``), ``j`` the key position and
    ``m_h = 2**(-8 (h + 1) / H)`` the slope of head ``h``.
    """

    def __init__(self):
        super().__init__()

    @staticmethod
    def create_alibi_slope(num_heads: int, dtype=mx.float32):
        """The per-head slopes, shape ``(num_heads, 1, 1)``."""
        return mx.array(_alibi_slopes(num_heads), dtype=dtype)[:, None, None]

    @staticmethod
    def create_alibi_matrix(
        q_sequence_length: int,
        k_sequence_length: int,
        num_heads: int,
        offset: int = 0,
        dtype=mx.float32,
    ):
        """The biases ``(1, num_heads, q_sequence_length - offset, k_sequence_length)``."""
        q = mx.arange(offset, q_sequence_length, dtype=mx.float32)
        k = mx.arange(0, k_sequence_length, dtype=mx.float32)
        dist = -mx.abs(q[:, None] - k[None, :])
        bias = ALiBi.create_alibi_slope(num_heads) * dist[None]
        return bias[None].astype(dtype)

    def __call__(self, attention_scores, offset=0, mask=None):
        bias = self.create_alibi_matrix(
            q_sequence_length=attention_scores.shape[-2] + offset,
            k_sequence_length=attention_scores.shape[-1],
            num_heads=attention_scores.shape[-3],
            offset=offset,
            dtype=attention_scores.dtype,
        )
        if mask is not None:
            bias = bias + mask
        return attention_scores + bias
