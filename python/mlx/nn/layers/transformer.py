"""Multi-head attention and Transformer layers."""

import math
from typing import Any, Callable, Optional

import mlx.core as mx
from mlx.nn.layers.activations import relu
from mlx.nn.layers.base import Module
from mlx.nn.layers.dropout import Dropout
from mlx.nn.layers.linear import Linear
from mlx.nn.layers.normalization import LayerNorm


class MultiHeadAttention(Module):
    r"""Multi-head scaled dot-product attention.

    The queries, keys and values are projected (``query_proj``, ``key_proj``,
    ``value_proj``), split into ``num_heads`` heads, attended with
    ``softmax(Q K^T / sqrt(d) + mask) V`` and projected back (``out_proj``).

    Args:
        dims: the projected query/key dimension (and the default for all other dims).
        num_heads: the number of heads (must divide ``dims``).
        query_input_dims: the queries' input dims. Default: ``dims``.
        key_input_dims: the keys' input dims. Default: ``dims``.
        value_input_dims: the values' input dims. Default: ``key_input_dims``.
        value_dims: the projected value dims. Default: ``dims``.
        value_output_dims: the output dims. Default: ``dims``.
        bias: whether the projections have biases. Default: ``False``.
    """

    def __init__(
        self,
        dims: int,
        num_heads: int,
        query_input_dims: Optional[int] = None,
        key_input_dims: Optional[int] = None,
        value_input_dims: Optional[int] = None,
        value_dims: Optional[int] = None,
        value_output_dims: Optional[int] = None,
        bias: bool = False,
    ):
        super().__init__()
        if dims % num_heads != 0:
            raise ValueError(
                "The input feature dimensions should be divisible by the "
                f"number of heads ({dims} % {num_heads}) != 0"
            )
        query_input_dims = query_input_dims or dims
        key_input_dims = key_input_dims or dims
        value_input_dims = value_input_dims or key_input_dims
        value_dims = value_dims or dims
        value_output_dims = value_output_dims or dims

        self.num_heads = num_heads
        self.query_proj = Linear(query_input_dims, dims, bias=bias)
        self.key_proj = Linear(key_input_dims, dims, bias=bias)
        self.value_proj = Linear(value_input_dims, value_dims, bias=bias)
        self.out_proj = Linear(value_dims, value_output_dims, bias=bias)

    def __call__(self, queries, keys, values, mask=None):
        queries = self.query_proj(queries)
        keys = self.key_proj(keys)
        values = self.value_proj(values)

        H = self.num_heads
        *lead, L, _ = queries.shape
        S = keys.shape[-2]
        queries = queries.reshape(*lead, L, H, -1).swapaxes(-3, -2)
        keys = keys.reshape(*keys.shape[:-2], S, H, -1).swapaxes(-3, -2)
        values = values.reshape(*values.shape[:-2], S, H, -1).swapaxes(-3, -2)

        scale = math.sqrt(1.0 / queries.shape[-1])
        out = mx.fast.scaled_dot_product_attention(queries, keys, values, scale=scale, mask=mask)
        out = out.swapaxes(-3, -2).reshape(*lead, L, -1)
        return self.out_proj(out)

    @staticmethod
    def create_additive_causal_mask(N: int, dtype: "mx.Dtype" = mx.float32):
        """An ``(N, N)`` additive mask: 0 on and below the diagonal, the dtype's most
        negative value above it."""
        idx = mx.arange(N)
        mask = idx[:, None] < idx[None]
        return mask.astype(dtype) * mx.finfo(dtype).min


def _maybe_checkpoint(layer, enabled):
    if not enabled:
        return layer
    from mlx.nn.utils import checkpoint

    return checkpoint(layer)


class TransformerEncoderLayer(Module):
    r"""A Transformer encoder layer: self-attention and an MLP, each with a residual
    connection and layer normalization (before the block with ``norm_first``, the
    default, otherwise after the residual).

    Args:
        dims: the model dimension.
        num_heads: the number of attention heads.
        mlp_dims: the hidden size of the MLP. Default: ``4 * dims``.
        dropout: dropout probability after the attention and inside the MLP.
        activation: the MLP's activation. Default: :func:`relu`.
        norm_first: pre-norm (``True``) or post-norm. Default: ``True``.
    """

    def __init__(
        self,
        dims: int,
        num_heads: int,
        mlp_dims: Optional[int] = None,
        dropout: float = 0.0,
        activation: Callable[[Any], Any] = relu,
        norm_first: bool = True,
    ):
        super().__init__()
        mlp_dims = mlp_dims or dims * 4
        self.attention = MultiHeadAttention(dims, num_heads)
        self.ln1 = LayerNorm(dims)
        self.ln2 = LayerNorm(dims)
        self.linear1 = Linear(dims, mlp_dims)
        self.linear2 = Linear(mlp_dims, dims)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation
        self.norm_first = norm_first

    def _mlp(self, x):
        return self.linear2(self.dropout2(self.activation(self.linear1(x))))

    def __call__(self, x, mask):
        if self.norm_first:
            y = self.ln1(x)
            y = self.attention(y, y, y, mask)
            x = x + self.dropout1(y)
            return x + self._mlp(self.ln2(x))
        y = self.attention(x, x, x, mask)
        x = self.ln1(x + self.dropout1(y))
        return self.ln2(x + self._mlp(x))


class TransformerEncoder(Module):
    r"""A stack of :class:`TransformerEncoderLayer` followed by a final ``LayerNorm``.

    Args:
        num_layers: the number of layers.
        dims, num_heads, mlp_dims, dropout, activation, norm_first: as for the layer.
        checkpoint: recompute each layer's activations in the backward pass instead of
            storing them (see :func:`mlx.nn.utils.checkpoint`). Default: ``False``.
    """

    def __init__(
        self,
        num_layers: int,
        dims: int,
        num_heads: int,
        mlp_dims: Optional[int] = None,
        dropout: float = 0.0,
        activation=relu,
        norm_first: bool = True,
        checkpoint: bool = False,
    ):
        super().__init__()
        self.layers = [
            TransformerEncoderLayer(
                dims, num_heads, mlp_dims, dropout, activation, norm_first
            )
            for _ in range(num_layers)
        ]
        self.ln = LayerNorm(dims)
        self.checkpoint = checkpoint

    def __call__(self, x, mask):
        for layer in self.layers:
            x = _maybe_checkpoint(layer, self.checkpoint)(x, mask)
        return self.ln(x)


class TransformerDecoderLayer(Module):
    r"""A Transformer decoder layer: self-attention, cross-attention over the encoder's
    output (``memory``) and an MLP, each with a residual connection and layer
    normalization.

    Args:
        dims, num_heads, mlp_dims, dropout, activation, norm_first: as for
            :class:`TransformerEncoderLayer`.
    """

    def __init__(
        self,
        dims: int,
        num_heads: int,
        mlp_dims: Optional[int] = None,
        dropout: float = 0.0,
        activation: Callable[[Any], Any] = relu,
        norm_first: bool = True,
    ):
        super().__init__()
        mlp_dims = mlp_dims or dims * 4
        self.self_attention = MultiHeadAttention(dims, num_heads)
        self.cross_attention = MultiHeadAttention(dims, num_heads)
        self.ln1 = LayerNorm(dims)
        self.ln2 = LayerNorm(dims)
        self.ln3 = LayerNorm(dims)
        self.linear1 = Linear(dims, mlp_dims)
        self.linear2 = Linear(mlp_dims, dims)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = activation
        self.norm_first = norm_first

    def _mlp(self, x):
        return self.linear2(self.dropout3(self.activation(self.linear1(x))))

    def __call__(self, x, memory, x_mask, memory_mask):
        if self.norm_first:
            y = self.ln1(x)
            y = self.self_attention(y, y, y, x_mask)
            x = x + self.dropout1(y)
            y = self.ln2(x)
            y = self.cross_attention(y, memory, memory, memory_mask)
            x = x + self.dropout2(y)
            return x + self._mlp(self.ln3(x))
        y = self.self_attention(x, x, x, x_mask)
        x = self.ln1(x + self.dropout1(y))
        y = self.cross_attention(x, memory, memory, memory_mask)
        x = self.ln2(x + self.dropout2(y))
        return self.ln3(x + self._mlp(x))


class TransformerDecoder(Module):
    r"""A stack of :class:`TransformerDecoderLayer` followed by a final ``LayerNorm``."""

    def __init__(
        self,
        num_layers: int,
        dims: int,
        num_heads: int,
        mlp_dims: Optional[int] = None,
        dropout: float = 0.0,
        activation=relu,
        norm_first: bool = True,
        checkpoint: bool = False,
    ):
        super().__init__()
        self.layers = [
            TransformerDecoderLayer(
                dims, num_heads, mlp_dims, dropout, activation, norm_first
            )
            for _ in range(num_layers)
        ]
        self.ln = LayerNorm(dims)
        self.checkpoint = checkpoint

    def __call__(self, x, memory, x_mask, memory_mask):
        for layer in self.layers:
            x = _maybe_checkpoint(layer, self.checkpoint)(x, memory, x_mask, memory_mask)
        return self.ln(x)


class Transformer(Module):
    r"""An encoder-decoder Transformer ("Attention Is All You Need").

    Args:
        dims: the model dimension. Default: ``512``.
        num_heads: the number of attention heads. Default: ``8``.
        num_encoder_layers: Default: ``6``.
        num_decoder_layers: Default: ``6``.
        mlp_dims: the MLP hidden size. Default: ``4 * dims``.
        dropout: Default: ``0.0``.
        activation: Default: :func:`relu`.
        custom_encoder: use this module as the encoder instead.
        custom_decoder: use this module as the decoder instead.
        norm_first: pre-norm layers. Default: ``True``.
        checkpoint: gradient checkpointing of the layers. Default: ``False``.
    """

    def __init__(
        self,
        dims: int = 512,
        num_heads: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        mlp_dims: Optional[int] = None,
        dropout: float = 0.0,
        activation: Callable[[Any], Any] = relu,
        custom_encoder: Optional[Any] = None,
        custom_decoder: Optional[Any] = None,
        norm_first: bool = True,
        checkpoint: bool = False,
    ):
        super().__init__()
        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            num_encoder_layers,
            dims,
            num_heads,
            mlp_dims,
            dropout,
            activation,
            norm_first,
            checkpoint,
        )
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            num_decoder_layers,
            dims,
            num_heads,
            mlp_dims,
            dropout,
            activation,
            norm_first,
            checkpoint,
        )

    def __call__(self, src, tgt, src_mask, tgt_mask, memory_mask):
        memory = self.encoder(src, src_mask)
        return self.decoder(tgt, memory, tgt_mask, memory_mask)
