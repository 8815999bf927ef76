"""Parameter initializers.

Each function returns an initializer: a callable that takes an array and returns a new
array of the same shape (and the initializer's ``dtype``) filled as described.
"""

import math
from typing import Callable, Literal

import mlx.core as mx


def constant(value: float, dtype: "mx.Dtype" = mx.float32) -> Callable[[mx.array], mx.array]:
    """Fill with ``value``."""

    def initializer(a: mx.array) -> mx.array:
        return mx.full(a.shape, value, dtype=dtype)

    return initializer


def normal(
    mean: float = 0.0, std: float = 1.0, dtype: "mx.Dtype" = mx.float32
) -> Callable[[mx.array], mx.array]:
    r"""Samples from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`."""

    def initializer(a: mx.array) -> mx.array:
        return mx.random.normal(shape=a.shape, scale=std, loc=mean, dtype=dtype)

    return initializer


def uniform(
    low: float = 0.0, high: float = 1.0, dtype: "mx.Dtype" = mx.float32
) -> Callable[[mx.array], mx.array]:
    r"""Samples from :math:`\mathcal{U}(\text{low}, \text{high})`."""

    def initializer(a: mx.array) -> mx.array:
        return mx.random.uniform(low, high, a.shape, dtype=dtype)

    return initializer


def identity(dtype: "mx.Dtype" = mx.float32) -> Callable[[mx.array], mx.array]:
    """The identity matrix (the input must be a square 2D array)."""

    def initializer(arr: mx.array) -> mx.array:
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise ValueError(
                f"The input array must be a square matrix but got shape {tuple(arr.shape)}."
            )
        return mx.eye(n=arr.shape[0], dtype=dtype)

    return initializer


def _calculate_fan_in_fan_out(x):
    if x.ndim < 2:
        raise ValueError(
            "Glorot / He initialization requires at least 2 dimensional input"
            f" but input with {x.ndim} dimensions."
        )
    fan_in = x.shape[-1]
    fan_out = x.shape[0]
    if x.ndim > 2:
        receptive = 1
        for d in x.shape[1:-1]:
            receptive *= d
        fan_in *= receptive
        fan_out *= receptive
    return fan_in, fan_out


def glorot_normal(dtype: "mx.Dtype" = mx.float32) -> Callable[[mx.array, float], mx.array]:
    r"""Glorot (Xavier) normal: :math:`\mathcal{N}(0, \sigma^2)` with
    :math:`\sigma = \text{gain} \sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`. The
    initializer takes ``(array, gain=1.0)``."""

    def initializer(a: mx.array, gain: float = 1.0) -> mx.array:
        fan_in, fan_out = _calculate_fan_in_fan_out(a)
        std = gain * math.sqrt(2.0 / (fan_in + fan_out))
        return mx.random.normal(shape=a.shape, dtype=dtype) * std

    return initializer


def glorot_uniform(dtype: "mx.Dtype" = mx.float32) -> Callable[[mx.array, float], mx.array]:
    r"""Glorot (Xavier) uniform: :math:`\mathcal{U}(-\sigma, \sigma)` with
    :math:`\sigma = \text{gain} \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`. The
    initializer takes ``(array, gain=1.0)``."""

    def initializer(a: mx.array, gain: float = 1.0) -> mx.array:
        fan_in, fan_out = _calculate_fan_in_fan_out(a)
        limit = gain * math.sqrt(6.0 / (fan_in + fan_out))
        return mx.random.uniform(-limit, limit, a.shape, dtype=dtype)

    return initializer


def _fan(a, mode):
    fan_in, fan_out = _calculate_fan_in_fan_out(a)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"Invalid mode: {mode}. Valid modes are: fan_in, fan_out")


def he_normal(
    dtype: "mx.Dtype" = mx.float32,
) -> Callable[[mx.array, Literal["fan_in", "fan_out"], float], mx.array]:
    r"""He (Kaiming) normal: :math:`\mathcal{N}(0, \sigma^2)` with
    :math:`\sigma = \text{gain} / \sqrt{\text{fan}}`. The initializer takes
    ``(array, mode='fan_in', gain=1.0)``."""

    def initializer(
        a: mx.array, mode: Literal["fan_in", "fan_out"] = "fan_in", gain: float = 1.0
    ) -> mx.array:
        fan = _fan(a, mode)
        std = gain / math.sqrt(fan)
        return mx.random.normal(shape=a.shape, dtype=dtype) * std

    return initializer


def he_uniform(
    dtype: "mx.Dtype" = mx.float32,
) -> Callable[[mx.array, Literal["fan_in", "fan_out"], float], mx.array]:
    r"""He (Kaiming) uniform: :math:`\mathcal{U}(-\sigma, \sigma)` with
    :math:`\sigma = \text{gain} \sqrt{3 / \text{fan}}`. The initializer takes
    ``(array, mode='fan_in', gain=1.0)``."""

    def initializer(
        a: mx.array, mode: Literal["fan_in", "fan_out"] = "fan_in", gain: float = 1.0
    ) -> mx.array:
        fan = _fan(a, mode)
        limit = gain * math.sqrt(3.0 / fan)
        return mx.random.uniform(-limit, limit, a.shape, dtype=dtype)

    return initializer


def sparse(
    sparsity: float,
    mean: float = 0.0,
    std: float = 1.0,
    dtype: "mx.Dtype" = mx.float32,
) -> Callable[[mx.array], mx.array]:
    r"""A 2D matrix from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` where, in every
    row, ``ceil(sparsity * columns)`` randomly chosen entries are zero."""

    def initializer(a: mx.array) -> mx.array:
        if a.ndim != 2:
            raise ValueError("Only tensors with 2 dimensions are supported")
        rows, cols = a.shape
        num_zeros = int(math.ceil(sparsity * cols))
        # The zeros are drawn first, then the values (MLX's order of random draws).
        u = mx.random.uniform(shape=a.shape)
        values = mx.random.normal(shape=a.shape, scale=std, loc=mean, dtype=dtype)
        if num_zeros <= 0:
            return values
        if num_zeros >= cols:
            return mx.zeros(a.shape, dtype=dtype)
        kth = mx.sort(u, axis=1)[:, num_zeros - 1 : num_zeros]
        return mx.where(u <= kth, mx.zeros((), dtype=dtype), values)

    return initializer


def orthogonal(
    gain: float = 1.0, dtype: "mx.Dtype" = mx.float32
) -> Callable[[mx.array], mx.array]:
    r"""A (semi-)orthogonal matrix times ``gain``: the rows (if there are fewer rows than
    columns) or the columns are orthonormal; made from the QR decomposition of a normal
    random matrix (with the signs fixed so it is uniformly distributed)."""

    def initializer(a: mx.array) -> mx.array:
        if a.ndim != 2:
            raise ValueError(
                f"Orthogonal initialization requires a 2D array but got a {a.ndim}D array."
            )
        rows, cols = a.shape
        # A square orthogonal matrix of the larger side, cut to shape: its first rows (or
        # columns) are orthonormal.
        n = max(rows, cols)
        q, r = mx.linalg.qr(mx.random.normal(shape=(n, n)), stream=mx.cpu)
        q = q * mx.where(mx.diag(r) < 0, -1.0, 1.0)
        return (gain * q[:rows, :cols]).astype(dtype)

    return initializer
