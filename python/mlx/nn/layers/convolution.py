"""Convolution and transposed convolution layers (channels last).

Inputs have shape ``(N, *spatial, C_in)``; weights ``(C_out, *kernel, C_in / groups)``
(transposed: ``(C_out, *kernel, C_in)``), as in MLX.
"""

import math
from typing import Union

import mlx.core as mx
from mlx.nn.layers.base import Module


def _tuple(x, n):
    if isinstance(x, int):
        return (x,) * n
    x = tuple(x)
    if len(x) != n:
        raise ValueError(f"Expected an int or a tuple of {n} ints but got {x}.")
    return x


def _check_groups(in_channels, out_channels, groups):
    if groups <= 0:
        raise ValueError(f"The number of groups must be positive but got {groups}.")
    if in_channels % groups != 0:
        raise ValueError(
            f"The number of input channels ({in_channels}) must be divisible by "
            f"the number of groups ({groups})"
        )


def _init_weight(in_channels, out_channels, kernel, groups=1):
    fan = (in_channels // groups) * math.prod(kernel)
    scale = math.sqrt(1.0 / fan)
    return mx.random.uniform(
        low=-scale, high=scale, shape=(out_channels, *kernel, in_channels // groups)
    )


class Conv1d(Module):
    r"""1D convolution over inputs of shape ``(N, L, C_in)``.

    ``weight`` ``(C_out, K, C_in / groups)`` from :math:`\mathcal{U}(-k, k)` with
    :math:`k = 1/\sqrt{C_{in}/g \cdot K}`; ``bias`` ``(C_out,)`` zeros.

    Args:
        in_channels, out_channels: the channel counts.
        kernel_size: the kernel size.
        stride: Default: ``1``.
        padding: zero padding on both sides. Default: ``0``.
        dilation: Default: ``1``.
        groups: Default: ``1``.
        bias: Default: ``True``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
        groups: int = 1,
        bias: bool = True,
    ):
        super().__init__()
        _check_groups(in_channels, out_channels, groups)
        self.weight = _init_weight(in_channels, out_channels, (kernel_size,), groups)
        if bias:
            self.bias = mx.zeros((out_channels,))
        self.padding = padding
        self.dilation = dilation
        self.stride = stride
        self.groups = groups

    def _extra_repr(self):
        return (
            f"{self.weight.shape[-1] * self.groups}, {self.weight.shape[0]}, "
            f"kernel_size={self.weight.shape[1]}, stride={self.stride}, "
            f"padding={self.padding}, dilation={self.dilation}, "
            f"groups={self.groups}, bias={'bias' in self}"
        )

    def __call__(self, x):
        y = mx.conv1d(
            x, self.weight, self.stride, self.padding, self.dilation, self.groups
        )
        if "bias" in self:
            y = y + self.bias
        return y


class Conv2d(Module):
    r"""2D convolution over inputs of shape ``(N, H, W, C_in)``.

    ``weight`` ``(C_out, KH, KW, C_in / groups)`` from :math:`\mathcal{U}(-k, k)` with
    :math:`k = 1/\sqrt{C_{in}/g \cdot KH \cdot KW}`; ``bias`` zeros.
    ``kernel_size``, ``stride``, ``padding`` and ``dilation`` are ints or pairs.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Union[int, tuple],
        stride: Union[int, tuple] = 1,
        padding: Union[int, tuple] = 0,
        dilation: Union[int, tuple] = 1,
        groups: int = 1,
        bias: bool = True,
    ):
        super().__init__()
        _check_groups(in_channels, out_channels, groups)
        kernel_size, stride, padding = (_tuple(v, 2) for v in (kernel_size, stride, padding))
        self.weight = _init_weight(in_channels, out_channels, kernel_size, groups)
        if bias:
            self.bias = mx.zeros((out_channels,))
        self.padding = padding
        self.stride = stride
        self.dilation = dilation
        self.groups = groups

    def _extra_repr(self):
        return (
            f"{self.weight.shape[-1] * self.groups}, {self.weight.shape[0]}, "
            f"kernel_size={tuple(self.weight.shape[1:3])}, stride={self.stride}, "
            f"padding={self.padding}, dilation={self.dilation}, "
            f"groups={self.groups}, bias={'bias' in self}"
        )

    def __call__(self, x):
        y = mx.conv2d(
            x, self.weight, self.stride, self.padding, self.dilation, self.groups
        )
        if "bias" in self:
            y = y + self.bias
        return y


class Conv3d(Module):
    r"""3D convolution over inputs of shape ``(N, D, H, W, C_in)``.

    ``weight`` ``(C_out, KD, KH, KW, C_in)``; ``bias`` zeros. ``kernel_size``, ``stride``,
    ``padding`` and ``dilation`` are ints or triples.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Union[int, tuple],
        stride: Union[int, tuple] = 1,
        padding: Union[int, tuple] = 0,
        dilation: Union[int, tuple] = 1,
        bias: bool = True,
    ):
        super().__init__()
        kernel_size, stride, padding = (_tuple(v, 3) for v in (kernel_size, stride, padding))
        self.weight = _init_weight(in_channels, out_channels, kernel_size)
        if bias:
            self.bias = mx.zeros((out_channels,))
        self.padding = padding
        self.stride = stride
        self.dilation = dilation

    def _extra_repr(self):
        return (
            f"{self.weight.shape[-1]}, {self.weight.shape[0]}, "
            f"kernel_size={tuple(self.weight.shape[1:4])}, stride={self.stride}, "
            f"padding={self.padding}, dilation={self.dilation}, "
            f"bias={'bias' in self}"
        )

    def __call__(self, x):
        y = mx.conv3d(x, self.weight, self.stride, self.padding, self.dilation)
        if "bias" in self:
            y = y + self.bias
        return y


class ConvTranspose1d(Module):
    r"""1D transposed convolution over inputs of shape ``(N, L, C_in)``.

    ``weight`` ``(C_out, K, C_in)`` from :math:`\mathcal{U}(-k, k)` with
    :math:`k = 1/\sqrt{C_{in} K}`; ``bias`` zeros. The output length is
    ``(L - 1) * stride - 2 * padding + dilation * (K - 1) + output_padding + 1``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
        output_padding: int = 0,
        bias: bool = True,
    ):
        super().__init__()
        self.weight = _init_weight(in_channels, out_channels, (kernel_size,))
        if bias:
            self.bias = mx.zeros((out_channels,))
        self.padding = padding
        self.dilation = dilation
        self.stride = stride
        self.output_padding = output_padding

    def _extra_repr(self):
        return (
            f"{self.weight.shape[-1]}, {self.weight.shape[0]}, "
            f"kernel_size={self.weight.shape[1]}, stride={self.stride}, "
            f"padding={self.padding}, dilation={self.dilation}, "
            f"output_padding={self.output_padding}, bias={'bias' in self}"
        )

    def __call__(self, x):
        y = mx.conv_transpose1d(
            x,
            self.weight,
            self.stride,
            self.padding,
            self.dilation,
            self.output_padding,
        )
        if "bias" in self:
            y = y + self.bias
        return y


class ConvTranspose2d(Module):
    r"""2D transposed convolution over inputs of shape ``(N, H, W, C_in)``;
    ``weight`` ``(C_out, KH, KW, C_in)``, ``bias`` zeros."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Union[int, tuple],
        stride: Union[int, tuple] = 1,
        padding: Union[int, tuple] = 0,
        dilation: Union[int, tuple] = 1,
        output_padding: Union[int, tuple] = 0,
        bias: bool = True,
    ):
        super().__init__()
        kernel_size, stride, padding, output_padding = (
            _tuple(v, 2) for v in (kernel_size, stride, padding, output_padding)
        )
        self.weight = _init_weight(in_channels, out_channels, kernel_size)
        if bias:
            self.bias = mx.zeros((out_channels,))
        self.padding = padding
        self.stride = stride
        self.dilation = dilation
        self.output_padding = output_padding

    def _extra_repr(self):
        return (
            f"{self.weight.shape[-1]}, {self.weight.shape[0]}, "
            f"kernel_size={tuple(self.weight.shape[1:3])}, stride={self.stride}, "
            f"padding={self.padding}, dilation={self.dilation}, "
            f"output_padding={self.output_padding}, bias={'bias' in self}"
        )

    def __call__(self, x):
        y = mx.conv_transpose2d(
            x,
            self.weight,
            self.stride,
            self.padding,
            self.dilation,
            self.output_padding,
        )
        if "bias" in self:
            y = y + self.bias
        return y


class ConvTranspose3d(Module):
    r"""3D transposed convolution over inputs of shape ``(N, D, H, W, C_in)``;
    ``weight`` ``(C_out, KD, KH, KW, C_in)``, ``bias`` zeros."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Union[int, tuple],
        stride: Union[int, tuple] = 1,
        padding: Union[int, tuple] = 0,
        dilation: Union[int, tuple] = 1,
        output_padding: Union[int, tuple] = 0,
        bias: bool = True,
    ):
        super().__init__()
        kernel_size, stride, padding, output_padding = (
            _tuple(v, 3) for v in (kernel_size, stride, padding, output_padding)
        )
        self.weight = _init_weight(in_channels, out_channels, kernel_size)
        if bias:
            self.bias = mx.zeros((out_channels,))
        self.padding = padding
        self.stride = stride
        self.dilation = dilation
        self.output_padding = output_padding

    def _extra_repr(self):
        return (
            f"{self.weight.shape[-1]}, {self.weight.shape[0]}, "
            f"kernel_size={tuple(self.weight.shape[1:4])}, stride={self.stride}, "
            f"padding={self.padding}, dilation={self.dilation}, "
            f"output_padding={self.output_padding}, bias={'bias' in self}"
        )

    def __call__(self, x):
        y = mx.conv_transpose3d(
            x,
            self.weight,
            self.stride,
            self.padding,
            self.dilation,
            self.output_padding,
        )
        if "bias" in self:
            y = y + self.bias
        return y
