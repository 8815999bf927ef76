"""mlx.nn: neural network layers, losses, initializers and training utilities."""

from mlx.nn import init, losses
from mlx.nn.layers import *
from mlx.nn.layers import activations, base, containers, convolution, convolution_transpose
from mlx.nn.layers import dropout
from mlx.nn.layers import embedding, linear, normalization, pooling
from mlx.nn.layers import positional_encoding, quantized, recurrent, transformer, upsample
from mlx.nn.utils import average_gradients, checkpoint, value_and_grad
from mlx.nn import utils
