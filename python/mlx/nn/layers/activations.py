"""Activation functions and their Module wrappers."""

import math
from functools import partial
from typing import Any

import mlx.core as mx
from mlx.nn.layers.base import Module

# The activations made of several ops are compiled (shapeless), as in MLX: eagerly called, one
# fused kernel runs instead of an op per step (gelu over 10^6 floats 698 -> 231 us, over 32768
# 43 -> 11 us). Single-op ones (relu, sigmoid, softmax, softplus, tanh) stay plain calls: the
# compiled call's lookup would cost more than it fuses.
_fused = partial(mx.compile, shapeless=True)


def sigmoid(x):
    r"""Element-wise logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`."""
    return mx.sigmoid(x)


def relu(x):
    r"""Rectified linear unit: ``max(x, 0)``."""
    return mx.maximum(x, 0)


@_fused
def relu2(x):
    r"""Squared ReLU: ``max(x, 0) ** 2``."""
    return mx.square(mx.maximum(x, 0))


@_fused
def relu6(x):
    r"""ReLU clipped at 6: ``min(max(x, 0), 6)``."""
    return mx.minimum(mx.maximum(x, 0.0), 6.0)


@_fused
def leaky_relu(x, negative_slope=0.01):
    r"""Leaky ReLU: ``max(negative_slope * x, x)``."""
    return mx.maximum(negative_slope * x, x)


@_fused
def log_softmax(x, axis=-1):
    r"""Log of the softmax: ``x - logsumexp(x, axis)``."""
    return x - mx.logsumexp(x, axis=axis, keepdims=True)


@_fused
def elu(x, alpha=1.0):
    r"""Exponential linear unit: ``x`` for ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return mx.where(x > 0, x, alpha * (mx.exp(x) - 1))


def softmax(x, axis=-1):
    r"""Softmax along ``axis``: ``exp(x) / sum(exp(x))``."""
    return mx.softmax(x, axis=axis)


@_fused
def softmin(x, axis=-1):
    r"""Softmin along ``axis``: the softmax of ``-x``."""
    return mx.softmax(-x, axis=axis)


def softplus(x):
    r"""Softplus: ``log(1 + exp(x))``."""
    return mx.logaddexp(x, 0)


@_fused
def softsign(x):
    r"""Softsign: ``x / (1 + |x|)``."""
    return mx.divide(x, 1 + mx.abs(x))


@_fused
def softshrink(x, lambd: float = 0.5):
    r"""Soft shrinkage: ``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``,
    else 0."""
    return mx.where(mx.abs(x) > lambd, x - mx.sign(x) * lambd, 0)


@_fused
def celu(x, alpha=1.0):
    r"""Continuously differentiable ELU:
    ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return mx.maximum(x, 0.0) + alpha * (mx.exp(mx.minimum(x, 0.0) / alpha) - 1)


@_fused
def silu(x):
    r"""Sigmoid linear unit (swish): ``x * sigmoid(x)``."""
    return x * mx.sigmoid(x)


@_fused
def log_sigmoid(x):
    r"""Log of the sigmoid: ``-softplus(-x)``."""
    return -softplus(-x)


@_fused
def gelu(x) -> mx.array:
    r"""Gaussian error linear unit: ``x * Phi(x)`` with the standard normal CDF
    ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``."""
    return x * (1 + mx.erf(x / math.sqrt(2))) / 2


@_fused
def gelu_approx(x):
    r"""GELU with the tanh approximation:
    ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``."""
    return 0.5 * x * (1 + mx.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


@_fused
def gelu_fast_approx(x):
    r"""Fast GELU approximation: ``x * sigmoid(1.702 * x)``."""
    return x * mx.sigmoid(1.702 * x)


def glu(x: mx.array, axis: int = -1) -> mx.array:
    r"""Gated linear unit: split ``x`` in two halves ``a, b`` along ``axis`` and return
    ``a * sigmoid(b)``."""
    a, b = mx.split(x, indices_or_sections=2, axis=axis)
    return a * mx.sigmoid(b)


@_fused
def step(x: mx.array, threshold: float = 0.0):
    r"""Binary step: 1 where ``x >= threshold``, else 0."""
    return mx.where(x >= threshold, 1, 0)


@_fused
def selu(x):
    r"""Scaled ELU: ``1.0507 * elu(x, 1.67326)``."""
    return elu(x, 1.67326) * 1.0507


@_fused
def prelu(x: mx.array, alpha: mx.array) -> mx.array:
    r"""Parametric ReLU: ``max(0, x) + alpha * min(0, x)``."""
    return mx.maximum(0, x) + alpha * mx.minimum(0, x)


@_fused
def mish(x: mx.array) -> mx.array:
    r"""Mish: ``x * tanh(softplus(x))``."""
    return x * mx.tanh(softplus(x))


@_fused
def hardswish(x):
    r"""Hard swish: ``x * min(max(x + 3, 0), 6) / 6``."""
    return x * mx.minimum(mx.maximum(x + 3, 0), 6) / 6


@_fused
def hard_tanh(x, min_val=-1.0, max_val=1.0):
    r"""Hard tanh: ``x`` clipped to ``[min_val, max_val]``."""
    return mx.minimum(mx.maximum(x, min_val), max_val)


@_fused
def hard_shrink(x, lambd=0.5):
    r"""Hard shrinkage: ``x`` where ``|x| > lambd``, else 0."""
    return mx.where(mx.abs(x) > lambd, x, 0)


def tanh(x):
    r"""Hyperbolic tangent."""
    return mx.tanh(x)


# ---------------------------------------------------------------------- classes
class _Elementwise(Module):
    """A module applying a fixed activation function."""

    _fn = None

    def __call__(self, x):
        return type(self)._fn(x)


class Sigmoid(_Elementwise):
    r"""Applies :func:`sigmoid`."""
    _fn = staticmethod(sigmoid)


class ReLU(_Elementwise):
    r"""Applies :func:`relu`."""
    _fn = staticmethod(relu)


class ReLU2(_Elementwise):
    r"""Applies :func:`relu2`."""
    _fn = staticmethod(relu2)


class ReLU6(_Elementwise):
    r"""Applies :func:`relu6`."""
    _fn = staticmethod(relu6)


class SiLU(_Elementwise):
    r"""Applies :func:`silu`."""
    _fn = staticmethod(silu)


class LogSigmoid(_Elementwise):
    r"""Applies :func:`log_sigmoid`."""
    _fn = staticmethod(log_sigmoid)


class Mish(_Elementwise):
    r"""Applies :func:`mish`."""
    _fn = staticmethod(mish)


class SELU(_Elementwise):
    r"""Applies :func:`selu`."""
    _fn = staticmethod(selu)


class Tanh(_Elementwise):
    r"""Applies :func:`tanh`."""
    _fn = staticmethod(tanh)


class Hardswish(_Elementwise):
    r"""Applies :func:`hardswish`."""
    _fn = staticmethod(hardswish)


class Softplus(_Elementwise):
    r"""Applies :func:`softplus`."""
    _fn = staticmethod(softplus)


class Softsign(_Elementwise):
    r"""Applies :func:`softsign`."""
    _fn = staticmethod(softsign)


class HardTanh(_Elementwise):
    r"""Applies :func:`hard_tanh` with the default bounds ``[-1, 1]``."""
    _fn = staticmethod(hard_tanh)


class Softmax(_Elementwise):
    r"""Applies :func:`softmax` over the last axis."""
    _fn = staticmethod(softmax)


class LogSoftmax(_Elementwise):
    r"""Applies :func:`log_softmax` over the last axis."""
    _fn = staticmethod(log_softmax)


class Softmin(_Elementwise):
    r"""Applies :func:`softmin` over the last axis."""
    _fn = staticmethod(softmin)


class LeakyReLU(Module):
    r"""Applies :func:`leaky_relu`.

    Args:
        negative_slope: the slope for negative inputs. Default: ``1e-2``.
    """

    def __init__(self, negative_slope=1e-2):
        super().__init__()
        self._negative_slope = negative_slope

    def __call__(self, x):
        return leaky_relu(x, self._negative_slope)


class ELU(Module):
    r"""Applies :func:`elu`.

    Args:
        alpha: the scale of the negative part. Default: ``1.0``.
    """

    def __init__(self, alpha=1.0):
        super().__init__()
        self._alpha = alpha

    def __call__(self, x):
        return elu(x, self._alpha)


class CELU(Module):
    r"""Applies :func:`celu`.

    Args:
        alpha: Default: ``1.0``.
    """

    def __init__(self, alpha=1.0):
        super().__init__()
        self._alpha = alpha

    def __call__(self, x):
        return celu(x, self._alpha)


class PReLU(Module):
    r"""Parametric ReLU with a learned slope ``weight`` for negative inputs.

    Args:
        num_parameters: the number of slopes (1, or the number of channels, the last axis
            of the input). Default: ``1``.
        init: the initial slope. Default: ``0.25``.
    """

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        self.weight = mx.full([num_parameters], init)

    def __call__(self, x: mx.array):
        return prelu(x, self.weight)


class GELU(Module):
    r"""Applies :func:`gelu` or one of its approximations.

    Args:
        approx: ``'none'`` (exact), ``'precise'`` or ``'tanh'`` (:func:`gelu_approx`),
            ``'fast'`` (:func:`gelu_fast_approx`). Default: ``'none'``.
    """

    def __init__(self, approx="none"):
        super().__init__()
        if approx not in ("none", "precise", "tanh", "fast"):
            raise ValueError(
                "The approximation should be in ['none', 'precise', 'tanh', 'fast'] "
                f"but '{approx}' was given"
            )
        self._approx = approx

    def __call__(self, x):
        if self._approx == "none":
            return gelu(x)
        if self._approx == "fast":
            return gelu_fast_approx(x)
        return gelu_approx(x)


class GLU(Module):
    r"""Applies :func:`glu` along ``axis`` (default: the last)."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def __call__(self, x) -> Any:
        return glu(x=x, axis=self.axis)


class Step(Module):
    r"""Applies :func:`step` with the given ``threshold`` (default ``0.0``)."""

    def __init__(self, threshold: float = 0.0):
        super().__init__()
        self.threshold = threshold

    def __call__(self, x: mx.array):
        return step(x, self.threshold)


class Softshrink(Module):
    r"""Applies :func:`softshrink` with ``lambd`` (default ``0.5``)."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def __call__(self, x):
        return softshrink(x, self.lambd)


class HardShrink(Module):
    r"""Applies :func:`hard_shrink` with ``lambd`` (default ``0.5``)."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def __call__(self, x):
        return hard_shrink(x, self.lambd)
