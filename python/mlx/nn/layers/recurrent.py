"""Recurrent layers: RNN, GRU, LSTM.

Inputs have shape ``(N, L, D)`` or ``(L, D)`` (batch, sequence, features); the layers
return the hidden states of every step, shape ``(N, L, H)`` or ``(L, H)``.
"""

import math
from typing import Callable, Optional

import mlx.core as mx
from mlx.nn.layers.activations import tanh
from mlx.nn.layers.base import Module


def _uniform(scale, shape):
    return mx.random.uniform(low=-scale, high=scale, shape=shape)


def _project(x, w, b):
    if b is not None:
        return mx.addmm(b, x, w.T)
    return x @ w.T


class RNN(Module):
    r"""An Elman recurrent layer: :math:`h_t = \sigma(W_{xh} x_t + W_{hh} h_{t-1} + b)`.

    Parameters ``Wxh`` ``(H, D)``, ``Whh`` ``(H, H)`` and ``bias`` ``(H,)`` are initialized
    from :math:`\mathcal{U}(-k, k)`, :math:`k = 1/\sqrt{H}`.

    Args:
        input_size: the input features ``D``.
        hidden_size: the hidden state size ``H``.
        bias: whether to use a bias. Default: ``True``.
        nonlinearity: the activation :math:`\sigma`. Default: :func:`tanh`.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: Optional[Callable] = None,
    ):
        super().__init__()
        self.nonlinearity = nonlinearity or tanh
        if not callable(self.nonlinearity):
            raise ValueError(
                f"Nonlinearity must be callable. Current value: {nonlinearity}."
            )
        scale = 1.0 / math.sqrt(hidden_size)
        self.hidden_size = hidden_size
        self.Wxh = _uniform(scale, (hidden_size, input_size))
        self.Whh = _uniform(scale, (hidden_size, hidden_size))
        self.bias = _uniform(scale, (hidden_size,)) if bias else None

    def _extra_repr(self):
        return (
            f"input_dims={self.Wxh.shape[1]}, hidden_size={self.hidden_size}, "
            f"nonlinearity={self.nonlinearity}, bias={self.bias is not None}"
        )

    def __call__(self, x: mx.array, hidden: Optional[mx.array] = None):
        x = _project(x, self.Wxh, self.bias)
        states = []
        for t in range(x.shape[-2]):
            h = x[..., t, :]
            if hidden is not None:
                h = h + hidden @ self.Whh.T
            hidden = self.nonlinearity(h)
            states.append(hidden)
        return mx.stack(states, axis=-2)


class GRU(Module):
    r"""A gated recurrent unit layer.

    .. math::
        r_t = \sigma(W_{xr} x_t + b_r + W_{hr} h_{t-1}) \\
        z_t = \sigma(W_{xz} x_t + b_z + W_{hz} h_{t-1}) \\
        n_t = \tanh(W_{xn} x_t + b_n + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    Parameters: ``Wx`` ``(3H, D)`` and ``Wh`` ``(3H, H)`` (gates in the order r, z, n),
    ``b`` ``(3H,)`` and ``bhn`` ``(H,)``, all from :math:`\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})`.

    Args:
        input_size: the input features ``D``.
        hidden_size: the hidden state size ``H``.
        bias: whether to use the biases. Default: ``True``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        super().__init__()
        self.hidden_size = hidden_size
        scale = 1.0 / math.sqrt(hidden_size)
        self.Wx = _uniform(scale, (3 * hidden_size, input_size))
        self.Wh = _uniform(scale, (3 * hidden_size, hidden_size))
        self.b = _uniform(scale, (3 * hidden_size,)) if bias else None
        self.bhn = _uniform(scale, (hidden_size,)) if bias else None

    def _extra_repr(self):
        return (
            f"input_dims={self.Wx.shape[1]}, hidden_size={self.hidden_size}, "
            f"bias={self.b is not None}"
        )

    def __call__(self, x: mx.array, hidden: Optional[mx.array] = None):
        H = self.hidden_size
        x = _project(x, self.Wx, self.b)
        x_rz = x[..., : 2 * H]
        x_n = x[..., 2 * H :]
        states = []
        for t in range(x.shape[-2]):
            rz = x_rz[..., t, :]
            if hidden is not None:
                hp = hidden @ self.Wh.T
                hp_rz = hp[..., : 2 * H]
                hp_n = hp[..., 2 * H :]
                if self.bhn is not None:
                    hp_n = hp_n + self.bhn
                rz = rz + hp_rz
            rz = mx.sigmoid(rz)
            r, z = rz[..., :H], rz[..., H:]
            n = x_n[..., t, :]
            if hidden is not None:
                n = n + r * hp_n
            elif self.bhn is not None:
                n = n + r * self.bhn
            n = mx.tanh(n)
            if hidden is not None:
                hidden = (1 - z) * n + z * hidden
            else:
                hidden = (1 - z) * n
            states.append(hidden)
        return mx.stack(states, axis=-2)


class LSTM(Module):
    r"""A long short-term memory layer.

    .. math::
        i_t = \sigma(W_{xi} x_t + W_{hi} h_{t-1} + b_i) \quad
        f_t = \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f) \\
        g_t = \tanh(W_{xg} x_t + W_{hg} h_{t-1} + b_g) \quad
        o_t = \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o) \\
        c_t = f_t \odot c_{t-1} + i_t \odot g_t \quad h_t = o_t \odot \tanh(c_t)

    Parameters: ``Wx`` ``(4H, D)``, ``Wh`` ``(4H, H)`` (gates in the order i, f, g, o) and
    ``bias`` ``(4H,)``, from :math:`\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})`.

    Returns the hidden states and the cell states of every step.

    Args:
        input_size: the input features ``D``.
        hidden_size: the hidden state size ``H``.
        bias: whether to use a bias. Default: ``True``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        super().__init__()
        self.hidden_size = hidden_size
        scale = 1.0 / math.sqrt(hidden_size)
        self.Wx = _uniform(scale, (4 * hidden_size, input_size))
        self.Wh = _uniform(scale, (4 * hidden_size, hidden_size))
        self.bias = _uniform(scale, (4 * hidden_size,)) if bias else None

    def _extra_repr(self):
        return (
            f"input_dims={self.Wx.shape[1]}, hidden_size={self.hidden_size}, "
            f"bias={self.bias is not None}"
        )

    def __call__(self, x: mx.array, hidden: Optional[mx.array] = None, cell: Optional[mx.array] = None):
        H = self.hidden_size
        x = _project(x, self.Wx, self.bias)
        hs, cs = [], []
        for t in range(x.shape[-2]):
            g_all = x[..., t, :]
            if hidden is not None:
                g_all = g_all + hidden @ self.Wh.T
            i = mx.sigmoid(g_all[..., :H])
            f = mx.sigmoid(g_all[..., H : 2 * H])
            g = mx.tanh(g_all[..., 2 * H : 3 * H])
            o = mx.sigmoid(g_all[..., 3 * H :])
            cell = f * cell + i * g if cell is not None else i * g
            hidden = o * mx.tanh(cell)
            hs.append(hidden)
            cs.append(cell)
        return mx.stack(hs, axis=-2), mx.stack(cs, axis=-2)
