"""Dropout layers."""

import mlx.core as mx
from mlx.nn.layers.base import Module


def _check_p(p):
    if p < 0 or p >= 1:
        raise ValueError(f"The dropout probability {p} is not in [0, 1)")


class Dropout(Module):
    r"""Randomly zero elements with probability ``p`` during training and scale the rest
    by :math:`1/(1-p)`; the identity in evaluation mode.

    Args:
        p: the probability of zeroing an element. Default: ``0.5``.
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        _check_p(p)
        self._p_1 = 1 - p

    def _extra_repr(self):
        return f"p={1 - self._p_1}"

    def __call__(self, x):
        if self._p_1 == 1 or not self.training:
            return x
        mask = mx.random.bernoulli(self._p_1, x.shape)
        return (1 / self._p_1) * mask * x


class Dropout2d(Module):
    r"""Channel-wise dropout for inputs of shape ``(N, H, W, C)`` or ``(H, W, C)``:
    during training whole channels (feature maps) are zeroed with probability ``p`` and
    the rest scaled by :math:`1/(1-p)`.

    Args:
        p: the probability of zeroing a channel. Default: ``0.5``.
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        _check_p(p)
        self._p_1 = 1 - p

    def _extra_repr(self):
        return f"p={1 - self._p_1}"

    def __call__(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(
                f"Received input with {x.ndim} dimensions. Expected 3 or 4 dimensions."
            )
        if self._p_1 == 1 or not self.training:
            return x
        # One draw per (sample, channel): the spatial axes H, W are broadcast.
        mask_shape = list(x.shape)
        mask_shape[-2] = mask_shape[-3] = 1
        mask = mx.random.bernoulli(p=self._p_1, shape=mask_shape)
        return (1 / self._p_1) * mask * x


class Dropout3d(Module):
    r"""Channel-wise dropout for inputs of shape ``(N, D, H, W, C)`` or ``(D, H, W, C)``:
    during training whole channels are zeroed with probability ``p`` and the rest scaled
    by :math:`1/(1-p)`.

    Args:
        p: the probability of zeroing a channel. Default: ``0.5``.
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        _check_p(p)
        self._p_1 = 1 - p

    def _extra_repr(self):
        return f"p={1 - self._p_1}"

    def __call__(self, x):
        if x.ndim not in (4, 5):
            raise ValueError(
                f"Received input with {x.ndim} dimensions. Expected 4 or 5 dimensions."
            )
        if self._p_1 == 1 or not self.training:
            return x
        mask_shape = list(x.shape)
        mask_shape[-2] = mask_shape[-3] = mask_shape[-4] = 1
        mask = mx.random.bernoulli(p=self._p_1, shape=mask_shape)
        return (1 / self._p_1) * mask * x
