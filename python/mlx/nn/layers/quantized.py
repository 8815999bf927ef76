"""Quantized layers and nn.quantize."""

import math
from typing import Callable, Optional, Union

import mlx.core as mx
from mlx.nn.layers.base import Module
from mlx.utils import tree_map_with_path

_MODE_DEFAULTS = {
    "affine": (64, 4),
    "mxfp4": (32, 4),
    "nvfp4": (16, 4),
    "mxfp8": (32, 8),
}


def _defaults(mode, group_size, bits):
    if mode not in _MODE_DEFAULTS:
        raise ValueError(
            f"[quantize] Unsupported quantization mode {mode!r}; expected one of "
            f"{list(_MODE_DEFAULTS)}."
        )
    g, b = _MODE_DEFAULTS[mode]
    return (g if group_size is None else group_size), (b if bits is None else bits)


def _quantize(w, group_size, bits, mode):
    out = mx.quantize(w, group_size=group_size, bits=bits, mode=mode)
    wq, scales = out[0], out[1]
    biases = out[2] if len(out) > 2 else None
    return wq, scales, biases


class QuantizedLinear(Module):
    r"""A :class:`Linear` layer with a quantized weight matrix.

    ``weight`` holds the packed quantized values (``uint32``), ``scales`` (and, in
    ``'affine'`` mode, ``biases``) the per-group quantization parameters; ``bias`` is a
    regular float bias. All parameters are frozen on creation.

    Args:
        input_dims, output_dims, bias: as for :class:`Linear`.
        group_size: the quantization group size (default per mode: affine 64).
        bits: bits per weight (default per mode: affine 4).
        mode: ``'affine'``, ``'mxfp4'``, ``'nvfp4'`` or ``'mxfp8'``. Default: ``'affine'``.
    """

    def __init__(
        self,
        input_dims: int,
        output_dims: int,
        bias: bool = True,
        group_size: int = None,
        bits: int = None,
        mode: str = "affine",
    ):
        super().__init__()
        self.group_size, self.bits = _defaults(mode, group_size, bits)
        self.mode = mode
        scale = math.sqrt(1 / input_dims)
        weight = mx.random.uniform(low=-scale, high=scale, shape=(output_dims, input_dims))
        self.weight, self.scales, biases = _quantize(weight, self.group_size, self.bits, mode)
        if biases is not None:
            self.biases = biases
        if bias:
            self.bias = mx.zeros((output_dims,))
        self.freeze()

    def _extra_repr(self):
        out_dims, in_dims = self.weight.shape
        in_dims = in_dims * 32 // self.bits
        return (
            f"input_dims={in_dims}, output_dims={out_dims}, bias={'bias' in self}, "
            f"group_size={self.group_size}, bits={self.bits}, mode={self.mode}"
        )

    def __call__(self, x):
        y = mx.quantized_matmul(
            x,
            self["weight"],
            scales=self["scales"],
            biases=self.get("biases"),
            transpose=True,
            group_size=self.group_size,
            bits=self.bits,
            mode=self.mode,
        )
        if "bias" in self:
            y = y + self["bias"]
        return y

    @classmethod
    def from_linear(
        cls,
        linear_layer: Module,
        group_size: int = None,
        bits: int = None,
        mode: str = "affine",
    ):
        """Quantize a :class:`Linear` layer's weights into a new ``QuantizedLinear``."""
        out_dims, in_dims = linear_layer.weight.shape
        ql = cls.__new__(cls)
        Module.__init__(ql)
        ql.group_size, ql.bits = _defaults(mode, group_size, bits)
        ql.mode = mode
        ql.weight, ql.scales, biases = _quantize(
            linear_layer.weight, ql.group_size, ql.bits, mode
        )
        if biases is not None:
            ql.biases = biases
        ql.freeze()
        # The float bias is copied after freezing: it stays trainable.
        if "bias" in linear_layer:
            ql.bias = linear_layer.bias
        return ql


class QuantizedEmbedding(Module):
    r"""An :class:`Embedding` with a quantized table (frozen on creation).

    Args:
        num_embeddings, dims: as for :class:`Embedding`.
        group_size, bits, mode: as for :class:`QuantizedLinear`.
    """

    def __init__(
        self,
        num_embeddings: int,
        dims: int,
        group_size: int = None,
        bits: int = None,
        mode: str = "affine",
    ):
        super().__init__()
        self.group_size, self.bits = _defaults(mode, group_size, bits)
        self.mode = mode
        scale = math.sqrt(1 / dims)
        weight = mx.random.normal(shape=(num_embeddings, dims), scale=scale)
        self.weight, self.scales, biases = _quantize(weight, self.group_size, self.bits, mode)
        if biases is not None:
            self.biases = biases
        self.num_embeddings = num_embeddings
        self.dims = dims
        self.freeze()

    def _extra_repr(self):
        return (
            f"{self.num_embeddings}, {self.dims}, group_size={self.group_size}, "
            f"bits={self.bits}, mode={self.mode}"
        )

    def __call__(self, x):
        biases = self.get("biases")
        return mx.dequantize(
            self["weight"][x],
            scales=self["scales"][x],
            biases=biases[x] if biases is not None else None,
            group_size=self.group_size,
            bits=self.bits,
            mode=self.mode,
        )

    def as_linear(self, x):
        """Use the quantized table as a linear layer (``x @ weight.T``)."""
        return mx.quantized_matmul(
            x,
            self["weight"],
            scales=self["scales"],
            biases=self.get("biases"),
            transpose=True,
            group_size=self.group_size,
            bits=self.bits,
            mode=self.mode,
        )

    @classmethod
    def from_embedding(
        cls,
        embedding_layer: Module,
        group_size: int = None,
        bits: int = None,
        mode: str = "affine",
    ):
        """Quantize an :class:`Embedding` layer into a new ``QuantizedEmbedding``."""
        num_embeddings, dims = embedding_layer.weight.shape
        qe = cls.__new__(cls)
        Module.__init__(qe)
        qe.group_size, qe.bits = _defaults(mode, group_size, bits)
        qe.mode = mode
        qe.weight, qe.scales, biases = _quantize(
            embedding_layer.weight, qe.group_size, qe.bits, mode
        )
        if biases is not None:
            qe.biases = biases
        qe.num_embeddings = num_embeddings
        qe.dims = dims
        qe.freeze()
        return qe


def quantize(
    model: Module,
    group_size: int = None,
    bits: int = None,
    *,
    mode: str = "affine",
    quantize_input: bool = False,
    class_predicate: Optional[Callable[[str, Module], Union[bool, dict]]] = None,
):
    """Quantize the sub-modules of ``model`` in place.

    Every leaf module for which ``class_predicate(path, module)`` is true (by default:
    every module with a ``to_quantized`` method, i.e. ``Linear`` and ``Embedding``) is
    replaced by ``module.to_quantized(group_size=..., bits=..., mode=...)``. The predicate
    may also return a dict of arguments for ``to_quantized`` for that module.

    Args:
        model: the model.
        group_size: the quantization group size (default per mode).
        bits: bits per weight (default per mode).
        mode: the quantization mode. Default: ``'affine'``.
        quantize_input: also quantize the inputs of the layers (not supported here).
        class_predicate: selects the modules to quantize.
    """
    if quantize_input:
        raise ValueError("[quantize] quantize_input is not supported.")
    if class_predicate is None:
        class_predicate = lambda _, m: hasattr(m, "to_quantized")

    def maybe_quantize(path, m):
        choice = class_predicate(path, m)
        if not choice:
            return m
        if not hasattr(m, "to_quantized"):
            raise ValueError(f"Unable to quantize model of type {type(m)}")
        if isinstance(choice, dict):
            kwargs = dict(choice)
            kwargs.setdefault("mode", mode)
        else:
            kwargs = {"group_size": group_size, "bits": bits, "mode": mode}
        return m.to_quantized(**kwargs)

    leaves = model.leaf_modules()
    leaves = tree_map_with_path(maybe_quantize, leaves, is_leaf=Module.is_module)
    model.update_modules(leaves)
