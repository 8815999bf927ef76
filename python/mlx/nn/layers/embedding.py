"""Embedding layer."""

import math

import mlx.core as mx
from mlx.nn.layers.base import Module


class Embedding(Module):
    r"""A lookup table from integer indices to vectors of size ``dims``.

    ``weight`` has shape ``(num_embeddings, dims)``, initialized from
    :math:`\mathcal{N}(0, 1/\text{dims})`.

    Args:
        num_embeddings: the number of possible indices (the vocabulary size).
        dims: the size of each vector.
    """

    def __init__(self, num_embeddings: int, dims: int):
        super().__init__()
        scale = math.sqrt(1.0 / dims)
        self.weight = mx.random.normal(shape=(num_embeddings, dims), scale=scale)

    def _extra_repr(self):
        return f"{self.weight.shape[0]}, {self.weight.shape[1]}"

    def __call__(self, x):
        return self.weight[x]

    def as_linear(self, x):
        r"""Use the embedding matrix as a linear layer (``x @ weight.T``), e.g. for tied
        input/output embeddings."""
        return x @ self.weight.T

    def to_quantized(
        self,
        group_size: int = None,
        bits: int = None,
        mode: str = "affine",
        quantize_input: bool = False,
    ):
        """Return a :class:`QuantizedEmbedding` made from this layer."""
        from mlx.nn.layers.quantized import QuantizedEmbedding

        if quantize_input:
            raise ValueError("[quantize] quantize_input is not supported.")
        return QuantizedEmbedding.from_embedding(self, group_size, bits, mode=mode)
