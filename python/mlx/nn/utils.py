"""Training utilities: value_and_grad over a model's parameters, gradient checkpointing,
gradient averaging; weight file helpers used by Module.save_weights/load_weights."""

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

    def inner_fn(params, *args, **kwargs):
        module.update(params)
        return fn(*args, **kwargs)

    checkpointed_fn = mx.checkpoint(inner_fn)

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


def _save_weights_file(file, params):
    file = str(file)
    if file.endswith(".npz"):
        mx.savez(file, **params)
    elif file.endswith(".safetensors"):
        mx.save_safetensors(file, params)
    else:
        raise ValueError(
            f"Unsupported file extension for {file}. Use '.npz' or '.safetensors'."
        )


def _load_weights_file(file):
    return mx.load(str(file))
