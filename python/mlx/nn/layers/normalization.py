"""Normalization layers: LayerNorm, RMSNorm, GroupNorm, InstanceNorm, BatchNorm."""

from typing import Tuple

import mlx.core as mx
from mlx.nn.layers.base import Module


def _normalize(x, axes, eps):
    """``(x - mean) / sqrt(var + eps)`` over ``axes`` (biased variance), computed in at
    least float32 precision and returned in ``x``'s dtype."""
    dt = x.dtype
    xf = x.astype(mx.float32) if dt in (mx.float16, mx.bfloat16) else x
    mean = mx.mean(xf, axis=axes, keepdims=True)
    var = mx.var(xf, axis=axes, keepdims=True)
    return ((xf - mean) * mx.rsqrt(var + eps)).astype(dt)




class LayerNorm(Module):
    r"""Layer normalization over the last axis:
    :math:`y = \frac{x - E[x]}{\sqrt{Var[x] + \epsilon}} \gamma + \beta`.

    Args:
        dims: the size of the last axis.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        affine: learn ``weight`` (:math:`\gamma`, ones) and ``bias`` (:math:`\beta`,
            zeros). Default: ``True``.
        bias: with ``affine``, whether to learn the bias. Default: ``True``.
    """

    def __init__(self, dims: int, eps: float = 1e-5, affine: bool = True, bias: bool = True):
        super().__init__()
        if affine:
            self.weight = mx.ones((dims,))
            if bias:
                self.bias = mx.zeros((dims,))
        self.eps = eps
        self.dims = dims

    def _extra_repr(self):
        return f"{self.dims}, eps={self.eps}, affine={'weight' in self}"

    def __call__(self, x):
        weight = self["weight"] if "weight" in self else None
        bias = self["bias"] if "bias" in self else None
        return mx.fast.layer_norm(x, weight, bias, self.eps)


class RMSNorm(Module):
    r"""Root-mean-square normalization over the last axis:
    :math:`y = \frac{x}{\sqrt{E[x^2] + \epsilon}} \gamma` with a learned ``weight``
    :math:`\gamma` (ones).

    Args:
        dims: the size of the last axis.
        eps: added for numerical stability. Default: ``1e-5``.
    """

    def __init__(self, dims: int, eps: float = 1e-5):
        super().__init__()
        self.weight = mx.ones((dims,))
        self.eps = eps

    def _extra_repr(self):
        return f"{self.weight.shape[0]}, eps={self.eps}"

    def __call__(self, x):
        return mx.fast.rms_norm(x, self["weight"], self.eps)


class GroupNorm(Module):
    r"""Group normalization: the features (last axis) are split into ``num_groups``
    groups and each group is normalized over the group's features and all the spatial
    positions of one sample.

    By default (MLX's convention) feature ``c`` belongs to group ``c % num_groups``; with
    ``pytorch_compatible=True`` the groups are contiguous blocks of features, as in
    PyTorch.

    Args:
        num_groups: the number of groups.
        dims: the number of features.
        eps: Default: ``1e-5``.
        affine: learn a per-feature ``weight`` (ones) and ``bias`` (zeros). Default:
            ``True``.
        pytorch_compatible: use PyTorch's grouping. Default: ``False``.
    """

    def __init__(
        self,
        num_groups: int,
        dims: int,
        eps: float = 1e-5,
        affine: bool = True,
        pytorch_compatible: bool = False,
    ):
        super().__init__()
        if num_groups <= 0 or dims % num_groups != 0:
            raise ValueError(
                f"The number of features ({dims}) must be evenly divisible by the number "
                f"of groups ({num_groups})."
            )
        if affine:
            self.bias = mx.zeros((dims,))
            self.weight = mx.ones((dims,))
        self.num_groups = num_groups
        self.dims = dims
        self.eps = eps
        self.pytorch_compatible = pytorch_compatible

    def _extra_repr(self):
        return (
            f"{self.num_groups}, {self.dims}, eps={self.eps}, "
            f"affine={'weight' in self}, pytorch_compatible={self.pytorch_compatible}"
        )

    def __call__(self, x):
        if x.ndim < 2 or x.shape[-1] != self.dims:
            raise ValueError(
                f"[GroupNorm] Expected an input of shape (N, ..., {self.dims}) but got "
                f"{tuple(x.shape)}."
            )
        shape = x.shape
        batch, g = shape[0], self.num_groups
        if self.pytorch_compatible:
            xg = x.reshape(batch, -1, g, self.dims // g)
            y = _normalize(xg, (1, 3), self.eps)
        else:
            xg = x.reshape(batch, -1, g)
            y = _normalize(xg, 1, self.eps)
        y = y.reshape(shape)
        if "weight" in self:
            y = self.weight * y + self.bias
        return y


class InstanceNorm(Module):
    r"""Instance normalization: each sample's channels (last axis) are normalized over the
    spatial axes (all but the first and the last).

    Args:
        dims: the number of channels.
        eps: Default: ``1e-5``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default:
            ``False``.
    """

    def __init__(self, dims: int, eps: float = 1e-5, affine: bool = False):
        super().__init__()
        if affine:
            self.weight = mx.ones((dims,))
            self.bias = mx.zeros((dims,))
        self.dims = dims
        self.eps = eps

    def _extra_repr(self):
        return f"{self.dims}, eps={self.eps}, affine={'weight' in self}"

    def __call__(self, x: mx.array) -> mx.array:
        if x.ndim < 3:
            raise ValueError(
                "[InstanceNorm] Expected an input with at least 3 dimensions (N, ..., C) "
                f"but got {x.ndim}."
            )
        axes = tuple(range(1, x.ndim - 1))
        y = _normalize(x, axes, self.eps)
        if "weight" in self:
            y = self.weight * y + self.bias
        return y


class BatchNorm(Module):
    r"""Batch normalization over inputs of shape ``(N, C)``, ``(N, L, C)`` or
    ``(N, H, W, C)``: each channel (last axis) is normalized over all other axes.

    In training mode the batch statistics are used and, with ``track_running_stats``, the
    running estimates are updated:
    ``running = (1 - momentum) * running + momentum * batch_stat`` (the variance estimate
    uses the unbiased batch variance). In evaluation mode the running statistics are used.
    The running statistics are part of the parameters (saved with the weights) but are
    frozen (not trainable).

    Args:
        num_features: the number of channels.
        eps: Default: ``1e-5``.
        momentum: Default: ``0.1``.
        affine: learn ``weight`` (ones) and ``bias`` (zeros). Default: ``True``.
        track_running_stats: keep running statistics. Default: ``True``.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = mx.ones((num_features,))
            self.bias = mx.zeros((num_features,))
        if track_running_stats:
            self.running_mean = mx.zeros((num_features,))
            self.running_var = mx.ones((num_features,))
            self.freeze(keys=["running_mean", "running_var"], recurse=False)

    def unfreeze(self, *args, **kwargs):
        """Unfreeze like :meth:`Module.unfreeze`; the running statistics stay frozen."""
        super().unfreeze(*args, **kwargs)
        if self.track_running_stats:
            self.freeze(keys=["running_mean", "running_var"], recurse=False)
        return self

    def _extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={'weight' in self}, track_running_stats={self.track_running_stats}"
        )

    def _calc_stats(self, x: mx.array) -> Tuple[mx.array, mx.array]:
        axes = tuple(range(0, x.ndim - 1))
        mean = mx.mean(x, axis=axes)
        var = mx.var(x, axis=axes)
        return mean, var

    def __call__(self, x: mx.array) -> mx.array:
        if x.ndim < 2 or x.ndim > 4:
            raise ValueError(
                f"Expected input tensor to have 2, 3 or 4 dimensions, but got {x.ndim}"
            )
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            mean, var = self._calc_stats(x)
            if self.training and self.track_running_stats:
                n = x.size // x.shape[-1]
                unbiased = var * (n / max(n - 1, 1))
                mu = self.momentum
                self.running_mean = (1 - mu) * self.running_mean + mu * mean
                self.running_var = (1 - mu) * self.running_var + mu * unbiased
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean) * mx.rsqrt(var + self.eps)
        if "weight" in self:
            y = self.weight * y + self.bias
        return y
