"""Loss functions.

Every loss takes a ``reduction``: ``'none'`` (the per-element losses), ``'mean'`` or
``'sum'``.
"""

import math
from typing import Literal, Optional

import mlx.core as mx

Reduction = Literal["none", "mean", "sum"]
_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss: mx.array, reduction: Reduction = "none"):
    if reduction == "mean":
        return mx.mean(loss)
    if reduction == "sum":
        return mx.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"Invalid reduction. Must be one of {_REDUCTIONS}.")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid reduction. Must be one of {_REDUCTIONS}.")


def _shape(a):
    return tuple(a.shape)


def cross_entropy(
    logits: mx.array,
    targets: mx.array,
    weights: Optional[mx.array] = None,
    axis: int = -1,
    label_smoothing: float = 0.0,
    reduction: Reduction = "none",
) -> mx.array:
    r"""Cross entropy between ``logits`` (unnormalized) and ``targets``.

    ``targets`` are class indices (one axis fewer than ``logits``) or class
    probabilities (the shape of ``logits``). With ``label_smoothing`` :math:`\epsilon` the
    target distribution becomes :math:`(1-\epsilon) t + \epsilon / C`.

    Args:
        logits: unnormalized scores.
        targets: class indices or probabilities.
        weights: optional per-loss weights (the shape of the unreduced loss).
        axis: the class axis. Default: ``-1``.
        label_smoothing: in ``[0, 1)``. Default: ``0``.
        reduction: Default: ``'none'``.
    """
    _check_reduction(reduction)
    if label_smoothing < 0 or label_smoothing >= 1:
        raise ValueError(f"Label smoothing must be in [0, 1), got {label_smoothing}.")

    probs = _shape(targets) == _shape(logits)
    if not probs and targets.ndim != logits.ndim - 1:
        raise ValueError(
            f"Targets shape {_shape(targets)} does not match logits shape {_shape(logits)}."
        )
    if not probs:
        ax = axis if axis >= 0 else axis + logits.ndim
        expected = _shape(logits)[:ax] + _shape(logits)[ax + 1 :]
        if _shape(targets) != expected:
            raise ValueError(
                f"Targets shape {_shape(targets)} does not match logits shape "
                f"{_shape(logits)}."
            )

    if probs:
        if label_smoothing > 0:
            C = logits.shape[axis]
            targets = targets * (1 - label_smoothing) + label_smoothing / C
        # Scores relative to the largest logit (the loss is the same for targets that sum
        # to one; this is also the gradient with respect to the targets MLX gives).
        logits = logits - mx.stop_gradient(mx.max(logits, axis=axis, keepdims=True))
        score = mx.sum(logits * targets, axis=axis)
    else:
        score = mx.take_along_axis(
            logits, mx.expand_dims(targets, axis), axis=axis
        ).squeeze(axis)
        if label_smoothing > 0:
            score = (1 - label_smoothing) * score + label_smoothing * mx.mean(
                logits, axis=axis
            )

    loss = mx.logsumexp(logits, axis=axis) - score

    if weights is not None:
        if _shape(weights) != _shape(loss):
            raise ValueError(
                f"Weights with shape {_shape(weights)} is not the same as "
                f"output loss with shape {_shape(loss)}."
            )
        loss = loss * weights
    return _reduce(loss, reduction)


def binary_cross_entropy(
    inputs: mx.array,
    targets: mx.array,
    weights: Optional[mx.array] = None,
    with_logits: bool = True,
    reduction: Reduction = "mean",
) -> mx.array:
    r"""Binary cross entropy.

    With ``with_logits`` (default) ``inputs`` are logits and the loss is
    :math:`\log(1 + e^x) - x y`, computed stably; otherwise ``inputs`` are probabilities
    and the loss is :math:`-(y \log p + (1 - y) \log(1 - p))` with the logs clipped at
    -100.

    Args:
        inputs: logits or probabilities.
        targets: binary targets (0 or 1), the shape of ``inputs``.
        weights: optional weights, the shape of the loss.
        with_logits: Default: ``True``.
        reduction: Default: ``'mean'``.
    """
    _check_reduction(reduction)
    if _shape(inputs) != _shape(targets):
        raise ValueError(
            f"Inputs shape {_shape(inputs)} does not match targets shape {_shape(targets)}."
        )
    if with_logits:
        loss = mx.logaddexp(0.0, inputs) - inputs * targets
    else:
        log_p = mx.maximum(mx.log(inputs), -100)
        log_1p = mx.maximum(mx.log(1 - inputs), -100)
        loss = -(targets * log_p + (1 - targets) * log_1p)
    if weights is not None:
        if _shape(weights) != _shape(loss):
            raise ValueError(
                f"Weights with shape {_shape(weights)} is not the same as "
                f"output loss with shape {_shape(loss)}."
            )
        loss = loss * weights
    return _reduce(loss, reduction)


def l1_loss(
    predictions: mx.array, targets: mx.array, reduction: Reduction = "mean"
) -> mx.array:
    r"""Mean absolute error :math:`|p - t|`. Default reduction: ``'mean'``."""
    _check_reduction(reduction)
    if _shape(predictions) != _shape(targets):
        raise ValueError(
            f"Predictions shape {_shape(predictions)} does not match targets shape "
            f"{_shape(targets)}."
        )
    return _reduce(mx.abs(predictions - targets), reduction)


def mse_loss(
    predictions: mx.array, targets: mx.array, reduction: Reduction = "mean"
) -> mx.array:
    r"""Mean squared error :math:`(p - t)^2`. Default reduction: ``'mean'``."""
    _check_reduction(reduction)
    if _shape(predictions) != _shape(targets):
        raise ValueError(
            f"Predictions shape {_shape(predictions)} does not match targets shape "
            f"{_shape(targets)}."
        )
    return _reduce(mx.square(predictions - targets), reduction)


def nll_loss(
    inputs: mx.array, targets: mx.array, axis: int = -1, reduction: Reduction = "none"
) -> mx.array:
    r"""Negative log likelihood: ``-inputs[target]`` along ``axis``, where ``inputs`` are
    log probabilities and ``targets`` class indices. Default reduction: ``'none'``."""
    _check_reduction(reduction)
    loss = -mx.take_along_axis(inputs, mx.expand_dims(targets, axis), axis=axis).squeeze(
        axis
    )
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    inputs: mx.array,
    targets: mx.array,
    vars: mx.array,
    full: bool = False,
    eps: float = 1e-6,
    reduction: Reduction = "mean",
) -> mx.array:
    r"""Gaussian negative log likelihood of ``targets`` under
    :math:`\mathcal{N}(\text{inputs}, \text{vars})`:
    :math:`\frac12 (\log \max(v, \epsilon) + (x - y)^2 / \max(v, \epsilon))`, plus
    :math:`\frac12 \log 2\pi` with ``full``. Default reduction: ``'mean'``."""
    _check_reduction(reduction)
    if _shape(inputs) != _shape(targets):
        raise ValueError(
            f"Inputs shape {_shape(inputs)} does not match targets shape {_shape(targets)}."
        )
    if _shape(inputs) != _shape(vars):
        raise ValueError(
            f"Inputs shape {_shape(inputs)} does not match vars shape {_shape(vars)}."
        )
    vars = mx.maximum(vars, eps)
    loss = 0.5 * (mx.log(vars) + mx.square(targets - inputs) / vars)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def kl_div_loss(
    inputs: mx.array, targets: mx.array, axis: int = -1, reduction: Reduction = "none"
) -> mx.array:
    r"""Kullback-Leibler divergence :math:`\sum e^{t} (t - x)` along ``axis``, where both
    ``inputs`` and ``targets`` are log probabilities. Default reduction: ``'none'``."""
    _check_reduction(reduction)
    loss = mx.sum(mx.exp(targets) * (targets - inputs), axis=axis)
    return _reduce(loss, reduction)


def smooth_l1_loss(
    predictions: mx.array,
    targets: mx.array,
    beta: float = 1.0,
    reduction: Reduction = "mean",
) -> mx.array:
    r"""Smooth L1: :math:`0.5 d^2 / \beta` where :math:`d = |p - t| < \beta`, else
    :math:`d - 0.5 \beta`. Default reduction: ``'mean'``."""
    _check_reduction(reduction)
    if _shape(predictions) != _shape(targets):
        raise ValueError(
            f"Predictions shape {_shape(predictions)} does not match targets shape "
            f"{_shape(targets)}."
        )
    diff = mx.abs(predictions - targets)
    if beta > 0:
        loss = mx.where(diff < beta, 0.5 * mx.square(diff) / beta, diff - 0.5 * beta)
    else:
        loss = diff
    return _reduce(loss, reduction)


def triplet_loss(
    anchors: mx.array,
    positives: mx.array,
    negatives: mx.array,
    axis: int = -1,
    p: int = 2,
    margin: float = 1.0,
    eps: float = 1e-6,
    reduction: Reduction = "none",
) -> mx.array:
    r"""Triplet margin loss
    :math:`\max(\|a - p\|_p - \|a - n\|_p + \text{margin}, 0)`, the norms taken along
    ``axis`` (with ``eps`` added under the root for stability). Default reduction:
    ``'none'``."""
    _check_reduction(reduction)

    def dist(a, b):
        return mx.power(mx.sum(mx.power(mx.abs(a - b), p), axis=axis) + eps, 1.0 / p)

    loss = mx.maximum(dist(anchors, positives) - dist(anchors, negatives) + margin, 0)
    return _reduce(loss, reduction)


def hinge_loss(
    inputs: mx.array, targets: mx.array, reduction: Reduction = "none"
) -> mx.array:
    r"""Hinge loss :math:`\max(1 - x y, 0)` for targets in ``{-1, 1}``. Default
    reduction: ``'none'``."""
    _check_reduction(reduction)
    return _reduce(mx.maximum(1 - inputs * targets, 0), reduction)


def huber_loss(
    inputs: mx.array,
    targets: mx.array,
    delta: float = 1.0,
    reduction: Reduction = "none",
) -> mx.array:
    r"""Huber loss: :math:`0.5 d^2` where :math:`d = |x - y| \le \delta`, else
    :math:`\delta (d - 0.5 \delta)`. Default reduction: ``'none'``."""
    _check_reduction(reduction)
    diff = mx.abs(inputs - targets)
    loss = mx.where(diff <= delta, 0.5 * mx.square(diff), delta * (diff - 0.5 * delta))
    return _reduce(loss, reduction)


def log_cosh_loss(
    inputs: mx.array, targets: mx.array, reduction: Reduction = "none"
) -> mx.array:
    r"""Log-cosh loss :math:`\log \cosh(x - y)`, computed stably as
    ``logaddexp(e, -e) - log 2``. Default reduction: ``'none'``."""
    _check_reduction(reduction)
    errors = inputs - targets
    loss = mx.logaddexp(errors, -errors) - math.log(2)
    return _reduce(loss, reduction)


def cosine_similarity_loss(
    x1: mx.array,
    x2: mx.array,
    axis: int = 1,
    eps: float = 1e-8,
    reduction: Reduction = "none",
) -> mx.array:
    r"""Cosine similarity :math:`\frac{x_1 \cdot x_2}{\max(\|x_1\| \|x_2\|, \epsilon)}`
    along ``axis`` (default ``1``). Default reduction: ``'none'``."""
    _check_reduction(reduction)
    n1 = mx.sqrt(mx.sum(mx.square(x1), axis=axis))
    n2 = mx.sqrt(mx.sum(mx.square(x2), axis=axis))
    loss = mx.sum(x1 * x2, axis=axis) / mx.maximum(n1 * n2, eps)
    return _reduce(loss, reduction)


def margin_ranking_loss(
    inputs1: mx.array,
    inputs2: mx.array,
    targets: mx.array,
    margin: float = 0.0,
    reduction: Reduction = "none",
) -> mx.array:
    r"""Margin ranking loss :math:`\max(0, -y (x_1 - x_2) + \text{margin})` for targets
    in ``{-1, 1}``. Default reduction: ``'none'``."""
    _check_reduction(reduction)
    if not (_shape(inputs1) == _shape(inputs2) == _shape(targets)):
        raise ValueError(
            "The shapes of the arguments do not match. The provided shapes are "
            f"inputs1.shape={_shape(inputs1)}, inputs2.shape={_shape(inputs2)}, and "
            f"targets.shape={_shape(targets)}."
        )
    loss = mx.maximum(-targets * (inputs1 - inputs2) + margin, 0)
    return _reduce(loss, reduction)
