"""Identity, Linear and Bilinear layers."""

import math
from typing import Any

import mlx.core as mx
from mlx.nn.layers.base import Module


class Identity(Module):
    r"""A placeholder that returns its input unchanged (any constructor arguments are
    ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def __call__(self, x: mx.array) -> mx.array:
        return x


class Linear(Module):
    r"""An affine map :math:`y = x W^\top + b`.

    ``weight`` has shape ``(output_dims, input_dims)`` and ``bias`` ``(output_dims,)``;
    both are initialized from :math:`\mathcal{U}(-k, k)` with :math:`k = 1/\sqrt{D_i}`.

    Args:
        input_dims: the size of the input features.
        output_dims: the size of the output features.
        bias: whether to add a bias. Default: ``True``.
    """

    def __init__(self, input_dims: int, output_dims: int, bias: bool = True) -> None:
        super().__init__()
        scale = math.sqrt(1.0 / input_dims)
        self.weight = mx.random.uniform(
            low=-scale, high=scale, shape=(output_dims, input_dims)
        )
        if bias:
            self.bias = mx.random.uniform(low=-scale, high=scale, shape=(output_dims,))

    def _extra_repr(self) -> str:
        return (
            f"input_dims={self.weight.shape[1]}, output_dims={self.weight.shape[0]}, "
            f"bias={'bias' in self}"
        )

    def __call__(self, x: mx.array) -> mx.array:
        if "bias" in self:
            return mx.addmm(self["bias"], x, self["weight"].T)
        return x @ self["weight"].T

    def to_quantized(
        self,
        group_size: int = None,
        bits: int = None,
        mode: str = "affine",
        quantize_input: bool = False,
    ):
        """Return a :class:`QuantizedLinear` made from this layer."""
        from mlx.nn.layers.quantized import QuantizedLinear

        if quantize_input:
            raise ValueError("[quantize] quantize_input is not supported.")
        return QuantizedLinear.from_linear(self, group_size, bits, mode)


class Bilinear(Module):
    r"""A bilinear map :math:`y_i = x_1^\top W_i x_2 + b_i`.

    ``weight`` has shape ``(output_dims, input2_dims, input1_dims)`` and ``bias``
    ``(output_dims,)``; both are initialized from :math:`\mathcal{U}(-k, k)` with
    :math:`k = 1/\sqrt{D_1}`.

    Args:
        input1_dims: the size of the first input's features.
        input2_dims: the size of the second input's features.
        output_dims: the size of the output features.
        bias: whether to add a bias. Default: ``True``.
    """

    def __init__(
        self, input1_dims: int, input2_dims: int, output_dims: int, bias: bool = True
    ) -> None:
        super().__init__()
        scale = math.sqrt(1.0 / input1_dims)
        self.weight = mx.random.uniform(
            low=-scale, high=scale, shape=(output_dims, input2_dims, input1_dims)
        )
        if bias:
            self.bias = mx.random.uniform(low=-scale, high=scale, shape=(output_dims,))

    def _extra_repr(self) -> str:
        out, in2, in1 = self.weight.shape
        return (
            f"input1_dims={in1}, input2_dims={in2}, output_dims={out}, "
            f"bias={'bias' in self}"
        )

    def __call__(self, x1: mx.array, x2: mx.array) -> mx.array:
        out, in2, in1 = self.weight.shape
        lead = x1.shape[:-1]
        a = x1.reshape(-1, in1)
        b = x2.reshape(-1, in2)
        # (n, in1) @ (in1, out * in2) -> (n, out, in2), then contract with x2.
        w = self.weight.reshape(out * in2, in1).T
        t = (a @ w).reshape(-1, out, in2)
        y = (t @ b[:, :, None]).squeeze(-1)
        if "bias" in self:
            y = y + self.bias
        return y.reshape(*lead, out)
