"""Containers of modules."""

from typing import Callable

from mlx.nn.layers.base import Module


class Sequential(Module):
    r"""Applies its layers in order: the output of each is the input of the next.

    The layers (modules or plain callables) are stored in the list ``layers``, so their
    parameters are named ``layers.0.weight`` and so on.

    Args:
        *modules: the layers.
    """

    def __init__(self, *modules: Callable):
        super().__init__()
        self.layers = list(modules)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
