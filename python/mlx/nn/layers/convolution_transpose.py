"""Transposed convolutions (the module MLX keeps them in; defined in convolution.py)."""

from mlx.nn.layers.convolution import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]
