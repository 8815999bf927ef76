"""mlx.nn: Module, layers, activations, losses, initializers, value_and_grad.

References are numpy (float64) implementations of MLX's documented formulas. Tests that
need an op or a gradient rule the library does not have yet are skipped with the reason.
"""
import json
import math
import struct

import numpy as np
import pytest

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_unflatten

rng = np.random.default_rng(42)


# ----------------------------------------------------------------------------- helpers
def npa(a):
    return np.array(a.astype(mx.float32) if a.dtype == mx.bfloat16 else a).astype(np.float64)


def randn(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def set_params(module, scale=0.5):
    """Give every float parameter reproducible random values (as float32)."""
    new = []
    for k, v in tree_flatten(module.parameters()):
        if v.dtype == mx.float32:
            new.append((k, mx.array(randn(*v.shape, scale=scale))))
    module.update(tree_unflatten(new))
    return module


def P(module):
    """The module's parameters as a flat dict of float64 numpy arrays."""
    return {k: npa(v) for k, v in tree_flatten(module.parameters())}


def close(a, b, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(npa(a) if isinstance(a, mx.array) else a, b, rtol=rtol, atol=atol)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_layer_norm(x, w=None, b=None, eps=1e-5, axis=-1):
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y


# ============================================================================ Module
class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = [nn.Linear(2, 3), 3, {"x": nn.Linear(3, 1), "y": mx.zeros(2)}]
        self.w = mx.ones(4)
        self._priv = mx.ones(1)
        self.n = 5
        self.d = {"a": mx.zeros(1), "b": "str"}
        self.seq = nn.Sequential(nn.ReLU(), nn.Linear(1, 1))


def test_module_is_dict_and_attributes():
    m = Nested()
    assert isinstance(m, dict)
    assert list(m.keys()) == ["l", "w", "_priv", "d", "seq"]
    assert "n" not in m and m.n == 5
    assert m.w is m["w"]
    m.n = mx.zeros(3)  # an array moves into the dict
    assert "n" in m and "n" not in m.__dict__
    m.n = 7  # and back out
    assert "n" not in m and m.n == 7
    m.extra = (1, 2)  # tuples are state too
    assert m["extra"] == (1, 2)
    del m.extra
    assert "extra" not in m
    with pytest.raises(AttributeError):
        m.nothing
    assert m.state is m
    assert nn.Module.is_module(m) and not nn.Module.is_module({})


def test_module_parameters_structure():
    m = Nested()
    p = m.parameters()
    assert list(p.keys()) == ["l", "w", "d", "seq"]
    assert [k for k, _ in tree_flatten(p)] == [
        "l.0.weight",
        "l.0.bias",
        "l.2.x.weight",
        "l.2.x.bias",
        "l.2.y",
        "w",
        "d.a",
        "seq.layers.1.weight",
        "seq.layers.1.bias",
    ]
    # non-parameter items inside lists/dicts become empty dicts (positions are kept)
    assert p["l"][1] == {} and p["d"]["b"] == {}
    assert p["w"] is m.w


def test_module_children_and_leaves():
    m = Nested()
    ch = m.children()
    assert isinstance(ch["l"][0], nn.Linear) and isinstance(ch["l"][2]["x"], nn.Linear)
    assert isinstance(ch["seq"], nn.Sequential)
    assert "w" not in ch
    leaves = m.leaf_modules()
    assert isinstance(leaves["seq"]["layers"][0], nn.ReLU)
    assert isinstance(leaves["seq"]["layers"][1], nn.Linear)
    names = [k for k, _ in m.named_modules()]
    assert names == ["", "seq", "seq.layers.1", "seq.layers.0", "l.2.x", "l.0"]
    assert [type(x).__name__ for x in m.modules()] == [
        "Nested",
        "Sequential",
        "Linear",
        "ReLU",
        "Linear",
        "Linear",
    ]
    seen = []
    m.apply_to_modules(lambda k, mod: seen.append(k))
    assert seen == names


def test_module_repr():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), {"q": nn.LayerNorm(3)})
    assert repr(m) == (
        "Sequential(\n"
        "  (layers.0): Linear(input_dims=2, output_dims=3, bias=True)\n"
        "  (layers.1): ReLU()\n"
        "  (layers.2.q): LayerNorm(3, eps=1e-05, affine=True)\n"
        ")"
    )
    assert repr(nn.Identity()) == "Identity()"
    assert str(nn.Embedding(10, 4)) == "Embedding(10, 4)"


def test_module_filter_and_map():
    m = nn.Linear(2, 3)
    shapes = m.filter_and_map(m.valid_parameter_filter, map_fn=lambda x: x.shape)
    assert shapes == {"weight": (3, 2), "bias": (3,)}
    only_w = m.filter_and_map(lambda mod, k, v: k == "weight")
    assert list(only_w.keys()) == ["weight"]


def test_module_update_and_errors():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    w = mx.zeros((3, 2))
    m.update({"layers": [{"weight": w}]})
    assert m.layers[0].weight is w
    m.update({"layers": [{}, {"bias": mx.ones(1)}]})
    close(m.layers[1].bias, [1.0])
    with pytest.raises(ValueError, match="foo"):
        m.update({"layers": [{"foo": mx.zeros(1)}]})
    m.update({"layers": [{"foo": mx.zeros(1)}]}, strict=False)
    assert "foo" not in m.layers[0]
    with pytest.raises(ValueError, match="out of bounds"):
        m.update({"layers": [{}, {}, {"weight": mx.zeros(1)}]})
    with pytest.raises(ValueError, match="invalid type"):
        m.update({"layers": [mx.zeros(1)]})
    with pytest.raises(ValueError, match="invalid type"):
        m.layers[0].update({"weight": 3})
    # a round trip through parameters() keeps everything
    m.update(m.parameters())
    n = Nested()
    n.update(n.parameters())


def test_module_update_modules():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 3))
    m.update_modules({"layers": [nn.ReLU()]})
    assert isinstance(m.layers[0], nn.ReLU) and isinstance(m.layers[1], nn.Linear)
    with pytest.raises(ValueError, match="sub-module"):
        m.update_modules({"foo": nn.ReLU()})
    m.update_modules({"foo": nn.ReLU()}, strict=False)
    with pytest.raises(ValueError, match="invalid type"):
        nn.Linear(1, 1).update_modules({"weight": nn.Linear(2, 2)})


def test_module_apply_and_set_dtype():
    m = nn.Sequential(nn.Linear(2, 3), nn.LayerNorm(3))
    m.apply(lambda x: mx.zeros_like(x))
    for _, v in tree_flatten(m.parameters()):
        assert np.all(npa(v) == 0)
    m.apply(lambda x: x + 1, filter_fn=lambda mod, k, v: not k.endswith("weight"))
    close(m.layers[0].bias, np.ones(3))
    close(m.layers[0].weight, np.zeros((3, 2)))
    m.set_dtype(mx.float16)
    assert all(v.dtype == mx.float16 for _, v in tree_flatten(m.parameters()))
    q = nn.Module()
    q.i = mx.array([1, 2])
    q.f = mx.array([1.0])
    q.set_dtype(mx.bfloat16)
    assert q.i.dtype == mx.int32 and q.f.dtype == mx.bfloat16
    q.set_dtype(mx.float32, predicate=lambda d: True)
    assert q.i.dtype == mx.float32


def test_freeze_unfreeze():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 3))
    m.freeze()
    assert tree_flatten(m.trainable_parameters()) == []
    assert len(tree_flatten(m.parameters())) == 4
    m.unfreeze()
    assert len(tree_flatten(m.trainable_parameters())) == 4
    m.freeze(recurse=False)  # Sequential has no local parameters
    assert len(tree_flatten(m.trainable_parameters())) == 4
    m.freeze(keys="bias")
    assert [k for k, _ in tree_flatten(m.trainable_parameters())] == [
        "layers.0.weight",
        "layers.1.weight",
    ]
    m.unfreeze(keys=["bias"])
    m.layers[1].freeze()
    assert [k for k, _ in tree_flatten(m.trainable_parameters())] == [
        "layers.0.weight",
        "layers.0.bias",
    ]
    # frozen sub-trees appear as empty dicts
    assert m.trainable_parameters()["layers"][1] == {}
    m.unfreeze()
    m.freeze(keys="foo")  # not strict: fine
    with pytest.raises(KeyError):
        m.layers[0].freeze(keys=["weight", "foo"], strict=True)
    m.unfreeze()
    m.layers[0].freeze(keys="weight", strict=True)
    assert [k for k, _ in tree_flatten(m.trainable_parameters())] == [
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
    ]


def test_train_eval():
    m = nn.Sequential(nn.Dropout(0.5), nn.Sequential(nn.BatchNorm(3)))
    assert m.training and m.layers[1].layers[0].training
    assert m.eval() is m
    assert not m.training and not m.layers[0].training and not m.layers[1].layers[0].training
    m.train()
    assert m.layers[1].layers[0].training
    m.train(False)
    assert not m.layers[0].training


# ----------------------------------------------------------------------------- files
def _model():
    return nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3), nn.Linear(3, 2, bias=False))


@pytest.mark.parametrize("ext", ["npz", "safetensors"])
def test_save_load_weights_roundtrip(tmp_path, ext):
    a = _model()
    f = str(tmp_path / f"w.{ext}")
    a.save_weights(f)
    b = _model()
    b.load_weights(f)
    pa, pb = P(a), P(b)
    assert pa.keys() == pb.keys()
    for k in pa:
        np.testing.assert_array_equal(pa[k], pb[k])


def test_save_weights_npz_readable_by_numpy(tmp_path):
    a = _model()
    f = str(tmp_path / "w.npz")
    a.save_weights(f)
    with np.load(f) as z:
        assert sorted(z.files) == sorted(k for k, _ in tree_flatten(a.parameters()))
        np.testing.assert_array_equal(z["layers.0.weight"], np.array(a.layers[0].weight))


def _write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    codes = {np.float32: "F32", np.float16: "F16", np.int32: "I32"}
    for k, v in tensors.items():
        raw = v.tobytes()
        header[k] = {"dtype": codes[v.dtype.type], "shape": list(v.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def test_load_weights_safetensors_written_by_spec(tmp_path):
    # A file written from the safetensors specification (as other tools, MLX included,
    # write them) loads into the model.
    m = nn.Linear(3, 2)
    w = randn(2, 3)
    b = randn(2)
    f = str(tmp_path / "spec.safetensors")
    _write_safetensors(f, {"weight": w, "bias": b})
    m.load_weights(f)
    np.testing.assert_array_equal(np.array(m.weight), w)
    np.testing.assert_array_equal(np.array(m.bias), b)


def test_save_weights_safetensors_follows_spec(tmp_path):
    m = nn.Linear(3, 2)
    f = str(tmp_path / "out.safetensors")
    m.save_weights(f)
    blob = open(f, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    info = header["weight"]
    assert info["dtype"] == "F32" and info["shape"] == [2, 3]
    s, e = info["data_offsets"]
    data = np.frombuffer(blob[8 + n + s : 8 + n + e], dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(data, np.array(m.weight))


def test_bfloat16_weights_roundtrip(tmp_path):
    for ext in ("npz", "safetensors"):
        a = nn.Linear(4, 3)
        a.set_dtype(mx.bfloat16)
        f = str(tmp_path / f"bf.{ext}")
        a.save_weights(f)
        b = nn.Linear(4, 3)
        b.load_weights(f)
        assert b.weight.dtype == mx.bfloat16
        np.testing.assert_array_equal(npa(a.weight), npa(b.weight))


def test_load_weights_strict_errors(tmp_path):
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 3))
    with pytest.raises(ValueError, match="Missing 4 parameters"):
        m.load_weights([])
    good = list(tree_flatten(m.parameters()))
    with pytest.raises(ValueError, match="not in model"):
        m.load_weights(good + [("extra", mx.zeros(1))])
    bad = [(k, mx.zeros((7,)) if k == "layers.0.bias" else v) for k, v in good]
    with pytest.raises(ValueError, match=r"Expected shape \(3,\) but received shape \(7,\)"):
        m.load_weights(bad)
    # non-strict loads what fits
    m.load_weights([("layers.0.bias", mx.ones(3)), ("zzz", mx.ones(1))], strict=False)
    close(m.layers[0].bias, np.ones(3))
    with pytest.raises(ValueError, match="Unsupported file extension"):
        m.save_weights(str(tmp_path / "w.txt"))
    with pytest.raises((ValueError, RuntimeError, OSError)):
        m.load_weights(str(tmp_path / "does_not_exist.npz"))
    # the model still works after the errors
    assert m(mx.ones((1, 2))).shape == (1, 3)


def test_load_weights_corrupt_safetensors(tmp_path):
    m = nn.Linear(3, 2)
    f = tmp_path / "c.safetensors"
    m.save_weights(str(f))
    blob = f.read_bytes()
    for cut in (0, 4, 12, len(blob) - 3):
        g = tmp_path / f"cut{cut}.safetensors"
        g.write_bytes(blob[:cut])
        with pytest.raises((ValueError, RuntimeError)):
            nn.Linear(3, 2).load_weights(str(g))
    g = tmp_path / "junk.safetensors"
    g.write_bytes(struct.pack("<Q", 5) + b"{nope")
    with pytest.raises((ValueError, RuntimeError)):
        nn.Linear(3, 2).load_weights(str(g))


# ============================================================================ layers
def test_linear_and_identity():
    m = set_params(nn.Linear(5, 4))
    x = randn(3, 5)
    p = P(m)
    close(m(mx.array(x)), x @ p["weight"].T + p["bias"])
    m2 = set_params(nn.Linear(5, 4, bias=False))
    assert "bias" not in m2
    assert m2(mx.array(randn(2, 7, 5))).shape == (2, 7, 4)
    y = m2(mx.array(x))
    close(y, x @ P(m2)["weight"].T)
    assert nn.Identity(3, foo=1)(mx.array(x)) is not None
    close(nn.Identity()(mx.array(x)), x)
    # default init: U(-1/sqrt(in), 1/sqrt(in))
    big = nn.Linear(16, 512)
    w = npa(big.weight)
    assert w.shape == (512, 16) and np.abs(w).max() <= 0.25 + 1e-6 and w.std() > 0.12


def test_linear_zero_size_and_dtypes():
    m = nn.Linear(3, 2)
    assert m(mx.zeros((0, 3))).shape == (0, 2)
    m.set_dtype(mx.float16)
    y = m(mx.ones((2, 3), dtype=mx.float16))
    assert y.dtype == mx.float16


def test_bilinear():
    m = set_params(nn.Bilinear(5, 3, 4))
    x1, x2 = randn(2, 6, 5), randn(2, 6, 3)
    p = P(m)
    ref = np.einsum("...i,oji,...j->...o", x1, p["weight"], x2) + p["bias"]
    close(m(mx.array(x1), mx.array(x2)), ref, rtol=1e-4, atol=1e-4)
    assert m.weight.shape == (4, 3, 5)


def test_embedding():
    m = set_params(nn.Embedding(10, 4))
    idx = np.array([[1, 2], [9, 0]])
    close(m(mx.array(idx)), P(m)["weight"][idx])
    x = randn(3, 4)
    close(m.as_linear(mx.array(x)), x @ P(m)["weight"].T)
    big = nn.Embedding(2000, 16)
    assert abs(npa(big.weight).std() - 0.25) < 0.02  # N(0, 1/dims)


def test_sequential():
    s = nn.Sequential(nn.Linear(3, 4), nn.relu, nn.Linear(4, 2))
    x = randn(5, 3)
    p = P(s)
    h = np.maximum(x @ p["layers.0.weight"].T + p["layers.0.bias"], 0)
    close(s(mx.array(x)), h @ p["layers.2.weight"].T + p["layers.2.bias"])
    assert nn.Sequential()(mx.array(x)).shape == (5, 3)


# ----------------------------------------------------------------------------- norms
X4 = randn(2, 3, 4, 6)


def test_layer_norm_rms_norm():
    ln = set_params(nn.LayerNorm(6))
    p = P(ln)
    close(ln(mx.array(X4)), np_layer_norm(X4, p["weight"], p["bias"]), atol=1e-4)
    close(nn.LayerNorm(6, affine=False)(mx.array(X4)), np_layer_norm(X4), atol=1e-4)
    nb = nn.LayerNorm(6, bias=False)
    assert "bias" not in nb and "weight" in nb
    rms = set_params(nn.RMSNorm(6, eps=1e-3))
    ref = X4 / np.sqrt((X4**2).mean(-1, keepdims=True) + 1e-3) * P(rms)["weight"]
    close(rms(mx.array(X4)), ref, atol=1e-4)
    ln16 = nn.LayerNorm(6)
    ln16.set_dtype(mx.float16)
    y = ln16(mx.array(X4).astype(mx.float16))
    assert y.dtype == mx.float16
    close(y, np_layer_norm(X4.astype(np.float16).astype(np.float64)), rtol=1e-2, atol=1e-2)
    # float16 inputs with float32 weights promote to float32
    assert nn.LayerNorm(6)(mx.array(X4).astype(mx.float16)).dtype == mx.float32
    assert nn.RMSNorm(6)(mx.array(X4).astype(mx.float16)).dtype == mx.float32


def test_group_norm():
    g = set_params(nn.GroupNorm(3, 6))
    p = P(g)
    xr = X4.reshape(2, -1, 3)  # MLX grouping: channel c in group c % groups
    ref = np_layer_norm(xr, axis=1).reshape(X4.shape) * p["weight"] + p["bias"]
    close(g(mx.array(X4)), ref, atol=1e-4)
    gp = nn.GroupNorm(3, 6, affine=False, pytorch_compatible=True)
    xr = X4.reshape(2, -1, 3, 2)  # PyTorch grouping: contiguous channel blocks
    mu = xr.mean(axis=(1, 3), keepdims=True)
    var = xr.var(axis=(1, 3), keepdims=True)
    close(gp(mx.array(X4)), ((xr - mu) / np.sqrt(var + 1e-5)).reshape(X4.shape), atol=1e-4)
    with pytest.raises(ValueError):
        nn.GroupNorm(4, 6)


def test_instance_norm():
    m = set_params(nn.InstanceNorm(6, affine=True))
    p = P(m)
    ref = np_layer_norm(X4, axis=(1, 2)) * p["weight"] + p["bias"]
    close(m(mx.array(X4)), ref, atol=1e-4)
    assert "weight" not in nn.InstanceNorm(6)
    with pytest.raises(ValueError):
        nn.InstanceNorm(6)(mx.zeros((5, 6)))


def test_batch_norm_train_eval_running_stats():
    bn = set_params(nn.BatchNorm(6, momentum=0.2))
    bn.running_var = mx.abs(bn.running_var) + 0.5
    p0 = P(bn)
    # running stats are parameters (saved) but not trainable
    assert set(bn.trainable_parameters()) == {"weight", "bias"}
    assert set(bn.parameters()) == {"weight", "bias", "running_mean", "running_var"}
    x1, x2 = randn(4, 5, 6), randn(7, 6)
    y1 = bn(mx.array(x1))
    m1, v1 = x1.mean((0, 1)), x1.var((0, 1))
    close(y1, (x1 - m1) / np.sqrt(v1 + 1e-5) * p0["weight"] + p0["bias"], atol=1e-4)
    rm = 0.8 * p0["running_mean"] + 0.2 * m1
    rv = 0.8 * p0["running_var"] + 0.2 * x1.reshape(-1, 6).var(0, ddof=1)
    close(bn.running_mean, rm, atol=1e-5)
    close(bn.running_var, rv, atol=1e-5)
    bn(mx.array(x2))
    rm = 0.8 * rm + 0.2 * x2.mean(0)
    rv = 0.8 * rv + 0.2 * x2.var(0, ddof=1)
    close(bn.running_mean, rm, atol=1e-5)
    close(bn.running_var, rv, atol=1e-5)
    bn.eval()
    y = bn(mx.array(x1))
    close(y, (x1 - rm) / np.sqrt(rv + 1e-5) * p0["weight"] + p0["bias"], atol=1e-4)
    close(bn.running_mean, rm, atol=1e-5)  # unchanged in eval
    bn.unfreeze()
    assert set(bn.trainable_parameters()) == {"weight", "bias"}
    # without running stats: batch statistics also in eval mode
    b2 = nn.BatchNorm(6, affine=False, track_running_stats=False).eval()
    assert len(b2.parameters()) == 0
    close(b2(mx.array(x2)), (x2 - x2.mean(0)) / np.sqrt(x2.var(0) + 1e-5), atol=1e-4)
    with pytest.raises(ValueError):
        bn(mx.zeros((6,)))
    with pytest.raises(ValueError):
        bn(mx.zeros((1, 2, 3, 4, 6)))


# ----------------------------------------------------------------------------- dropout
def test_dropout():
    with pytest.raises(ValueError):
        nn.Dropout(1.0)
    with pytest.raises(ValueError):
        nn.Dropout(-0.1)
    d = nn.Dropout(0.25)
    x = mx.ones((100, 100))
    y = npa(d(x))
    kept = y != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    d.eval()
    assert d(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert repr(nn.Dropout(0.5)) == "Dropout(p=0.5)"


def test_dropout2d_3d():
    d2 = nn.Dropout2d(0.5)
    y = npa(d2(mx.ones((8, 5, 5, 16))))
    # whole channels: constant over H, W
    assert np.all(y == y[:, :1, :1, :])
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert d2(mx.ones((5, 5, 3))).shape == (5, 5, 3)
    with pytest.raises(ValueError):
        d2(mx.ones((4,)))
    d3 = nn.Dropout3d(0.5)
    y = npa(d3(mx.ones((4, 3, 3, 3, 16))))
    assert np.all(y == y[:, :1, :1, :1, :])
    with pytest.raises(ValueError):
        d3(mx.ones((4, 3)))
    d3.eval()
    x = mx.ones((2, 2, 2, 2, 2))
    assert d3(x) is x


# ----------------------------------------------------------------------------- attention
def np_mha(m, q, k, v, mask=None):
    return _np_mha_params(P(m), m.num_heads, q, k, v, mask)


def test_multi_head_attention():
    m = set_params(nn.MultiHeadAttention(8, 2, bias=True))
    q, k, v = randn(2, 5, 8), randn(2, 6, 8), randn(2, 6, 8)
    close(m(mx.array(q), mx.array(k), mx.array(v)), np_mha(m, q, k, v), atol=1e-4)
    m2 = set_params(
        nn.MultiHeadAttention(8, 4, query_input_dims=3, key_input_dims=5, value_input_dims=7, value_dims=12, value_output_dims=6)
    )
    assert m2.value_proj.weight.shape == (12, 7) and m2.out_proj.weight.shape == (6, 12)
    assert "bias" not in m2.query_proj
    q, k, v = randn(2, 5, 3), randn(2, 5, 5), randn(2, 5, 7)
    mask = nn.MultiHeadAttention.create_additive_causal_mask(5)
    y = m2(mx.array(q), mx.array(k), mx.array(v), mask)
    close(y, np_mha(m2, q, k, v, np.maximum(npa(mask), -1e30)), atol=1e-4)
    with pytest.raises(ValueError):
        nn.MultiHeadAttention(7, 2)


def test_causal_mask():
    m = npa(nn.MultiHeadAttention.create_additive_causal_mask(4))
    assert m.shape == (4, 4)
    assert np.all(m[np.tril_indices(4)] == 0)
    assert np.all(m[np.triu_indices(4, 1)] < -1e30)
    m16 = nn.MultiHeadAttention.create_additive_causal_mask(3, mx.float16)
    assert m16.dtype == mx.float16 and npa(m16)[0, 1] == -65504


def _np_encoder_layer(p, pre, x, mask, H, norm_first=True):
    def lin(name, y):
        return y @ p[f"{pre}{name}.weight"].T + p[f"{pre}{name}.bias"]

    def ln(name, y):
        return np_layer_norm(y, p[f"{pre}{name}.weight"], p[f"{pre}{name}.bias"])

    def att(y):
        sub = {k[len(pre) + len("attention.") :]: v for k, v in p.items() if k.startswith(pre + "attention.")}
        return _np_mha_params(sub, H, y, y, y, mask)

    if norm_first:
        y = ln("ln1", x)
        x = x + att(y)
        y = ln("ln2", x)
        return x + lin("linear2", np.maximum(lin("linear1", y), 0))
    x = ln("ln1", x + att(x))
    return ln("ln2", x + lin("linear2", np.maximum(lin("linear1", x), 0)))


def _np_mha_params(p, H, q, k, v, mask):
    def proj(name, x):
        y = x @ p[f"{name}.weight"].T
        return y + p[f"{name}.bias"] if f"{name}.bias" in p else y

    Q, K, V = proj("query_proj", q), proj("key_proj", k), proj("value_proj", v)
    B, L, _ = Q.shape
    S = K.shape[1]
    Q = Q.reshape(B, L, H, -1).transpose(0, 2, 1, 3)
    K = K.reshape(B, S, H, -1).transpose(0, 2, 1, 3)
    V = V.reshape(B, S, H, -1).transpose(0, 2, 1, 3)
    s = Q @ K.transpose(0, 1, 3, 2) / math.sqrt(Q.shape[-1])
    if mask is not None:
        s = s + mask
    out = (np_softmax(s) @ V).transpose(0, 2, 1, 3).reshape(B, L, -1)
    return proj("out_proj", out)


@pytest.mark.parametrize("norm_first", [True, False])
def test_transformer_encoder(norm_first):
    enc = set_params(nn.TransformerEncoder(2, 8, 2, 16, norm_first=norm_first))
    x = randn(2, 5, 8)
    mask = nn.MultiHeadAttention.create_additive_causal_mask(5)
    p = P(enc)
    npmask = np.maximum(npa(mask), -1e30)
    ref = x
    for i in range(2):
        ref = _np_encoder_layer(p, f"layers.{i}.", ref, npmask, 2, norm_first)
    ref = np_layer_norm(ref, p["ln.weight"], p["ln.bias"])
    close(enc(mx.array(x), mask), ref, atol=2e-4, rtol=2e-4)


def test_transformer_shapes_and_names():
    t = nn.Transformer(8, 2, 1, 2, 16)
    names = [k for k, _ in tree_flatten(t.parameters())]
    assert "encoder.layers.0.attention.query_proj.weight" in names
    assert "decoder.layers.1.cross_attention.out_proj.weight" in names
    assert "decoder.layers.0.ln3.bias" in names and "decoder.ln.weight" in names
    src, tgt = mx.array(randn(2, 5, 8)), mx.array(randn(2, 4, 8))
    mask = nn.MultiHeadAttention.create_additive_causal_mask(4)
    assert t(src, tgt, None, mask, None).shape == (2, 4, 8)
    t2 = nn.Transformer(8, 2, 1, 1, norm_first=False, dropout=0.1)
    t2.eval()
    y1 = t2(src, tgt, None, mask, None)
    y2 = t2(src, tgt, None, mask, None)
    close(y1, npa(y2))  # dropout off in eval
    dec_layer = nn.TransformerDecoderLayer(8, 2)
    assert dec_layer.linear1.weight.shape == (32, 8)  # mlp_dims defaults to 4 * dims


# ----------------------------------------------------------------------------- positions
def np_rope(x, dims, traditional, base, scale, offset):
    L = x.shape[-2]
    half = dims // 2
    inv = base ** (-np.arange(half) * 2.0 / dims)
    theta = ((np.arange(L) + offset) * scale)[:, None] * inv[None]
    c, s = np.cos(theta), np.sin(theta)
    out = x.copy()
    if traditional:
        x1, x2 = x[..., 0:dims:2], x[..., 1:dims:2]
        out[..., 0:dims:2] = x1 * c - x2 * s
        out[..., 1:dims:2] = x1 * s + x2 * c
    else:
        x1, x2 = x[..., :half], x[..., half:dims]
        out[..., :half] = x1 * c - x2 * s
        out[..., half:dims] = x1 * s + x2 * c
    return out


def test_rope():
    x = randn(2, 5, 8)
    close(nn.RoPE(8)(mx.array(x)), np_rope(x.astype(np.float64), 8, False, 10000, 1.0, 0), atol=1e-4)
    y = nn.RoPE(6, traditional=True, base=100, scale=0.5)(mx.array(x), offset=3)
    close(y, np_rope(x.astype(np.float64), 6, True, 100, 0.5, 3), atol=1e-4)
    assert repr(nn.RoPE(8)) == "RoPE(8, traditional=False)"


def test_sinusoidal_positional_encoding():
    pe = nn.SinusoidalPositionalEncoding(8)
    x = np.array([0.0, 1.0, 5.0])
    freqs = np.exp(np.linspace(np.log(1.0), np.log(1e-4), 4))
    ang = x[:, None] * freqs
    ref = np.concatenate([np.sin(ang), np.cos(ang)], -1) * math.sqrt(2 / 8)
    close(pe(mx.array(x)), ref, atol=1e-5)
    pe2 = nn.SinusoidalPositionalEncoding(6, min_freq=0.01, max_freq=0.5, scale=2.0, cos_first=True, full_turns=True)
    freqs = np.exp(np.linspace(np.log(0.5), np.log(0.01), 3)) * 2 * np.pi
    ang = x[:, None] * freqs
    close(pe2(mx.array(x)), np.concatenate([np.cos(ang), np.sin(ang)], -1) * 2.0, atol=1e-4)
    assert pe(mx.zeros((2, 3))).shape == (2, 3, 8)


def np_alibi_slopes(h):
    def geo(n):
        return [2 ** (-8 * (i + 1) / n) for i in range(n)]

    n = 2 ** int(math.floor(math.log2(h)))
    s = geo(n)
    if n < h:
        s += geo(2 * n)[0::2][: h - n]
    return np.array(s)


@pytest.mark.parametrize("heads", [4, 3])
def test_alibi(heads):
    scores = randn(2, heads, 3, 6)
    mask = randn(3, 6)
    y = nn.ALiBi()(mx.array(scores), offset=2, mask=mx.array(mask))
    q = np.arange(2, 5)[:, None]
    k = np.arange(6)[None]
    bias = -np.abs(q - k)[None] * np_alibi_slopes(heads)[:, None, None]
    close(y, scores + bias[None] + mask, atol=1e-5)
    close(nn.ALiBi.create_alibi_slope(heads).reshape(-1), np_alibi_slopes(heads))
    assert nn.ALiBi.create_alibi_slope(heads).shape == (heads, 1, 1)
    assert nn.ALiBi.create_alibi_matrix(5, 6, heads).shape == (1, heads, 5, 6)


# ----------------------------------------------------------------------------- recurrent
def np_rnn(p, x, h=None):
    out = []
    for t in range(x.shape[-2]):
        z = x[..., t, :] @ p["Wxh"].T + p.get("bias", 0)
        if h is not None:
            z = z + h @ p["Whh"].T
        h = np.tanh(z)
        out.append(h)
    return np.stack(out, -2)


def np_gru(p, x, h=None):
    H = p["Wh"].shape[1]
    if h is None:
        h = np.zeros(x.shape[:-2] + (H,))
    b = p.get("b", np.zeros(3 * H))
    bhn = p.get("bhn", np.zeros(H))
    out = []
    for t in range(x.shape[-2]):
        xp = x[..., t, :] @ p["Wx"].T + b
        hp = h @ p["Wh"].T
        r = np_sigmoid(xp[..., :H] + hp[..., :H])
        z = np_sigmoid(xp[..., H : 2 * H] + hp[..., H : 2 * H])
        n = np.tanh(xp[..., 2 * H :] + r * (hp[..., 2 * H :] + bhn))
        h = (1 - z) * n + z * h
        out.append(h)
    return np.stack(out, -2)


def np_lstm(p, x, h=None, c=None):
    H = p["Wh"].shape[1]
    h = np.zeros(x.shape[:-2] + (H,)) if h is None else h
    c = np.zeros(x.shape[:-2] + (H,)) if c is None else c
    hs, cs = [], []
    for t in range(x.shape[-2]):
        g = x[..., t, :] @ p["Wx"].T + p.get("bias", 0) + h @ p["Wh"].T
        i, f, gg, o = np.split(g, 4, axis=-1)
        c = np_sigmoid(f) * c + np_sigmoid(i) * np.tanh(gg)
        h = np_sigmoid(o) * np.tanh(c)
        hs.append(h)
        cs.append(c)
    return np.stack(hs, -2), np.stack(cs, -2)


def test_rnn():
    m = set_params(nn.RNN(3, 4))
    x, h0 = randn(2, 5, 3), randn(2, 4)
    close(m(mx.array(x)), np_rnn(P(m), x), atol=1e-5)
    close(m(mx.array(x), mx.array(h0)), np_rnn(P(m), x, h0), atol=1e-5)
    close(m(mx.array(x[0])), np_rnn(P(m), x[0]), atol=1e-5)  # unbatched
    r = nn.RNN(3, 4, nonlinearity=nn.relu)
    assert r(mx.array(x)).min().item() >= 0
    assert "bias" not in nn.RNN(3, 4, bias=False).parameters()
    with pytest.raises(ValueError):
        nn.RNN(3, 4, nonlinearity=3)


def test_gru():
    m = set_params(nn.GRU(3, 4))
    assert m.Wx.shape == (12, 3) and m.Wh.shape == (12, 4) and m.bhn.shape == (4,)
    x, h0 = randn(2, 5, 3), randn(2, 4)
    close(m(mx.array(x)), np_gru(P(m), x), atol=1e-5)
    close(m(mx.array(x), mx.array(h0)), np_gru(P(m), x, h0), atol=1e-5)
    m2 = set_params(nn.GRU(3, 4, bias=False))
    assert set(m2.parameters()) == {"Wx", "Wh"}
    close(m2(mx.array(x[0])), np_gru(P(m2), x[0]), atol=1e-5)


def test_lstm():
    m = set_params(nn.LSTM(3, 4))
    x, h0, c0 = randn(2, 5, 3), randn(2, 4), randn(2, 4)
    hs, cs = m(mx.array(x))
    rh, rc = np_lstm(P(m), x)
    close(hs, rh, atol=1e-5)
    close(cs, rc, atol=1e-5)
    hs, cs = m(mx.array(x), mx.array(h0), mx.array(c0))
    rh, rc = np_lstm(P(m), x, h0, c0)
    close(hs, rh, atol=1e-5)
    close(cs, rc, atol=1e-5)
    big = nn.LSTM(4, 16)
    assert np.abs(npa(big.Wx)).max() <= 0.25 + 1e-6


# ----------------------------------------------------------------------------- pooling
def np_pool(x, k, s, pad, op):
    d = len(k)
    fill = -np.inf if op == "max" else 0.0
    x = np.pad(x, [(0, 0)] + [(p, p) for p in pad] + [(0, 0)], constant_values=fill)
    sp = x.shape[1:-1]
    out_shape = [(n - kk) // ss + 1 for n, kk, ss in zip(sp, k, s)]
    out = np.zeros((x.shape[0], *out_shape, x.shape[-1]))
    for idx in np.ndindex(*out_shape):
        sl = tuple(slice(i * ss, i * ss + kk) for i, ss, kk in zip(idx, s, k))
        win = x[(slice(None),) + sl + (slice(None),)]
        axes = tuple(range(1, d + 1))
        out[(slice(None),) + idx + (slice(None),)] = win.max(axes) if op == "max" else win.mean(axes)
    return out


@pytest.mark.parametrize(
    "cls, k, s, pad, shape",
    [
        (nn.MaxPool1d, 2, None, 0, (2, 9, 3)),
        (nn.AvgPool1d, 3, 1, 1, (2, 9, 3)),
        (nn.MaxPool2d, 3, 2, 1, (2, 9, 7, 3)),
        (nn.AvgPool2d, (2, 3), (1, 2), 0, (2, 9, 7, 3)),
        (nn.MaxPool3d, 2, None, 0, (1, 4, 5, 4, 2)),
        (nn.AvgPool3d, 2, 1, 1, (1, 3, 3, 3, 2)),
    ],
)
def test_pooling(cls, k, s, pad, shape):
    d = len(shape) - 2
    x = randn(*shape)
    tup = lambda v: tuple(v) if isinstance(v, tuple) else (v,) * d
    kk = tup(k)
    ss = tup(s) if s is not None else kk
    op = "max" if "Max" in cls.__name__ else "avg"
    close(cls(k, s, pad)(mx.array(x)), np_pool(x.astype(np.float64), kk, ss, tup(pad), op), atol=1e-5)


def test_pooling_misc():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    with pytest.raises(ValueError):
        nn.MaxPool2d((2, 3, 4))
    with pytest.raises(ValueError):
        nn.MaxPool1d(3)(mx.ones((10, 1)))
    y = nn.MaxPool1d(2, padding=1)(mx.array(np.arange(6, dtype=np.int32).reshape(1, 6, 1)))
    assert y.dtype == mx.int32
    np.testing.assert_array_equal(np.array(y).ravel(), [0, 2, 4, 5])
    assert nn.MaxPool1d(3)(mx.ones((1, 2, 1))).shape == (1, 0, 1)


# ----------------------------------------------------------------------------- upsample
def np_cubic_w(d, a=-0.75):
    d = np.abs(d)
    return np.where(d <= 1, ((a + 2) * d - (a + 3)) * d * d + 1, np.where(d < 2, ((a * d - 5 * a) * d + 8 * a) * d - 4 * a, 0))


def np_upsample_axis(x, axis, scale, mode, align):
    n = x.shape[axis]
    out = int(np.floor(n * scale))
    i = np.arange(out)
    if mode == "nearest":
        idx = np.minimum(np.floor(i / scale).astype(int), n - 1)
        return np.take(x, idx, axis=axis)
    if align:
        src = i * (n - 1) / (out - 1) if out > 1 else np.zeros(out)
    else:
        src = (i + 0.5) / scale - 0.5
    shape = [1] * x.ndim
    shape[axis] = out
    if mode == "linear":
        src = np.clip(src, 0, n - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        w = (src - lo).reshape(shape)
        return np.take(x, lo, axis=axis) * (1 - w) + np.take(x, hi, axis=axis) * w
    base = np.floor(src)
    acc = 0
    for k in (-1, 0, 1, 2):
        pos = base + k
        w = np_cubic_w(src - pos).reshape(shape)
        acc = acc + np.take(x, np.clip(pos, 0, n - 1).astype(int), axis=axis) * w
    return acc


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
@pytest.mark.parametrize("align", [False, True])
def test_upsample(mode, align):
    x = randn(2, 3, 4, 2).astype(np.float64)
    y = nn.Upsample((2, 1.5), mode=mode, align_corners=align)(mx.array(x.astype(np.float32)))
    ref = np_upsample_axis(np_upsample_axis(x, 1, 2, mode, align), 2, 1.5, mode, align)
    close(y, ref, atol=1e-4)


def test_upsample_values_and_errors():
    x = mx.arange(4, dtype=mx.float32).reshape(1, 4, 1)
    close(nn.Upsample(2)(x).reshape(-1), [0, 0, 1, 1, 2, 2, 3, 3])
    close(nn.Upsample(2, mode="linear")(x).reshape(-1), [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])
    with pytest.raises(ValueError):
        nn.Upsample(2, mode="bad")
    with pytest.raises(ValueError):
        nn.Upsample((2, 3))(mx.ones((1, 2, 3)))
    assert nn.Upsample(2)(mx.ones((1, 2, 2, 2, 1))).shape == (1, 4, 4, 4, 1)


@pytest.mark.parametrize("scale, want", [
    # Enlarging takes the nearest input centre (ties to even), shrinking floor(i * n / out):
    # the indices MLX gives.
    (1.5, [0, 1, 1, 2, 3, 3, 4, 5, 5, 6]),
    (2.5, [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 6, 6]),
    (1.3, [0, 1, 1, 2, 3, 4, 5, 5, 6]),
    (0.7, [0, 1, 3, 5]),
    (0.5, [0, 2, 4]),
])
def test_upsample_nearest_fractional(scale, want):
    x = mx.arange(7, dtype=mx.float32).reshape(1, 7, 1, 1)
    close(nn.Upsample((scale, 1))(x).reshape(-1), want)


# ----------------------------------------------------------------------------- conv
def np_conv(x, w, stride, pad, dil, groups):
    d = x.ndim - 2
    x = np.pad(x, [(0, 0)] + [(p, p) for p in pad] + [(0, 0)])
    N, C = x.shape[0], x.shape[-1]
    O = w.shape[0]
    K = w.shape[1:-1]
    cg, og = C // groups, O // groups
    out_sp = [(x.shape[1 + i] - dil[i] * (K[i] - 1) - 1) // stride[i] + 1 for i in range(d)]
    out = np.zeros((N, *out_sp, O))
    for idx in np.ndindex(*out_sp):
        for kidx in np.ndindex(*K):
            pos = tuple(idx[i] * stride[i] + kidx[i] * dil[i] for i in range(d))
            xv = x[(slice(None),) + pos + (slice(None),)]  # N, C
            for g in range(groups):
                wk = w[(slice(g * og, (g + 1) * og),) + kidx + (slice(None),)]  # og, cg
                out[(slice(None),) + idx + (slice(g * og, (g + 1) * og),)] += xv[:, g * cg : (g + 1) * cg] @ wk.T
    return out


def test_conv1d_conv2d():
    c1 = set_params(nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2))
    assert c1.weight.shape == (6, 3, 2)
    x = randn(2, 9, 4)
    p = P(c1)
    close(c1(mx.array(x)), np_conv(x, p["weight"], (2,), (1,), (1,), 2) + p["bias"], atol=1e-4)
    c2 = set_params(nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2)))
    x = randn(2, 7, 8, 4)
    p = P(c2)
    close(c2(mx.array(x)), np_conv(x, p["weight"], (2, 1), (1, 1), (1, 2), 1) + p["bias"], atol=1e-4)


def test_conv3d():
    c = set_params(nn.Conv3d(2, 3, 2, padding=1))
    x = randn(1, 3, 3, 3, 2)
    p = P(c)
    close(c(mx.array(x)), np_conv(x, p["weight"], (1,) * 3, (1,) * 3, (1,) * 3, 1) + p["bias"], atol=1e-4)


def np_conv_transpose1d(x, w, stride, pad, dil, out_pad):
    N, L, C = x.shape
    O, K, _ = w.shape
    full = (L - 1) * stride + dil * (K - 1) + 1
    y = np.zeros((N, full + out_pad, O))
    for t in range(L):
        for k in range(K):
            y[:, t * stride + k * dil] += x[:, t] @ w[:, k].T
    return y[:, pad : full + out_pad - pad]


def test_conv_transpose1d():
    c = set_params(nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1))
    x = randn(2, 5, 4)
    p = P(c)
    y = c(mx.array(x))
    assert y.shape == (2, 10, 6)
    close(y, np_conv_transpose1d(x, p["weight"], 2, 1, 1, 1) + p["bias"], atol=1e-4)


def test_conv_construction():
    c = nn.Conv2d(4, 6, 3, groups=2, bias=False)
    assert c.weight.shape == (6, 3, 3, 2) and "bias" not in c
    assert repr(c) == "Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0), dilation=1, groups=2, bias=False)"
    w = npa(nn.Conv1d(4, 300, 3).weight)
    assert np.abs(w).max() <= 1 / math.sqrt(12) + 1e-6
    assert np.all(npa(nn.Conv1d(4, 3, 3).bias) == 0)
    with pytest.raises(ValueError):
        nn.Conv1d(3, 4, 3, groups=2)
    assert nn.ConvTranspose2d(4, 6, (3, 2)).weight.shape == (6, 3, 2, 4)
    assert nn.ConvTranspose3d(2, 3, 2).weight.shape == (3, 2, 2, 2, 2)


# ----------------------------------------------------------------------------- quantized
def test_quantized_linear_and_quantize():
    lin = nn.Linear(128, 16)
    ql = nn.QuantizedLinear.from_linear(lin, group_size=64, bits=4)
    assert ql.weight.dtype == mx.uint32 and ql.weight.shape == (16, 16)
    assert ql.scales.shape == (16, 2) and ql.biases.shape == (16, 2)
    # the quantized weights are frozen, the copied float bias is not
    assert [k for k, _ in tree_flatten(ql.trainable_parameters())] == ["bias"]
    assert tree_flatten(nn.QuantizedLinear(128, 16).trainable_parameters()) == []
    w = mx.dequantize(ql.weight, ql.scales, ql.biases, group_size=64, bits=4)
    x = mx.array(randn(3, 128))
    close(ql(x), npa(x) @ npa(w).T + npa(lin.bias), atol=1e-3, rtol=1e-3)
    assert abs(npa(w) - npa(lin.weight)).max() < 0.05
    m = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 64), nn.Embedding(5, 64), nn.LayerNorm(4))
    nn.quantize(m)
    assert isinstance(m.layers[0], nn.QuantizedLinear) and isinstance(m.layers[2], nn.QuantizedLinear)
    assert isinstance(m.layers[3], nn.QuantizedEmbedding) and isinstance(m.layers[4], nn.LayerNorm)
    assert m.layers[0].group_size == 64 and m.layers[0].bits == 4
    m2 = nn.Sequential(nn.Linear(128, 64), nn.Linear(128, 64))
    nn.quantize(m2, 32, 8, class_predicate=lambda p, mod: p.endswith("0") and {"group_size": 128, "bits": 2})
    assert m2.layers[0].bits == 2 and isinstance(m2.layers[1], nn.Linear)
    with pytest.raises(ValueError):
        nn.quantize(nn.Sequential(nn.LayerNorm(4)), class_predicate=lambda p, mod: True)
    e = nn.Embedding(10, 64)
    qe = nn.QuantizedEmbedding.from_embedding(e)
    idx = mx.array([1, 7])
    close(qe(idx), npa(e.weight)[[1, 7]], atol=0.05)


# ============================================================================ activations
def np_act():
    erf = np.vectorize(math.erf)
    sp = lambda x: np.logaddexp(x, 0)
    return {
        "relu": lambda x: np.maximum(x, 0),
        "relu2": lambda x: np.maximum(x, 0) ** 2,
        "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
        "leaky_relu": lambda x: np.maximum(0.01 * x, x),
        "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
        "celu": lambda x: np.maximum(x, 0) + np.minimum(0, np.exp(x) - 1),
        "selu": lambda x: 1.0507 * np.where(x > 0, x, 1.67326 * (np.exp(x) - 1)),
        "sigmoid": np_sigmoid,
        "silu": lambda x: x * np_sigmoid(x),
        "log_sigmoid": lambda x: -sp(-x),
        "softplus": sp,
        "softsign": lambda x: x / (1 + np.abs(x)),
        "softshrink": lambda x: np.where(np.abs(x) > 0.5, x - np.sign(x) * 0.5, 0),
        "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
        "hard_tanh": lambda x: np.clip(x, -1, 1),
        "hardswish": lambda x: x * np.minimum(np.maximum(x + 3, 0), 6) / 6,
        "mish": lambda x: x * np.tanh(sp(x)),
        "tanh": np.tanh,
        "gelu": lambda x: x * (1 + erf(x / math.sqrt(2))) / 2,
        "gelu_approx": lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        "gelu_fast_approx": lambda x: x * np_sigmoid(1.702 * x),
        "softmax": lambda x: np_softmax(x),
        "softmin": lambda x: np_softmax(-x),
        "log_softmax": lambda x: np.log(np_softmax(x)),
        "glu": lambda x: x[..., :3] * np_sigmoid(x[..., 3:]),
        "step": lambda x: (x >= 0).astype(np.float64),
    }


ACT_NAMES = sorted(np_act().keys())
XA = randn(4, 6, scale=3.0)
XA[0, :3] = [0.0, 0.5, -0.5]


@pytest.mark.parametrize("name", ACT_NAMES)
def test_activation_functions(name):
    ref = np_act()[name](XA.astype(np.float64))
    y = getattr(nn, name)(mx.array(XA))
    close(y, ref, rtol=1e-4, atol=1e-5)
    if name != "step":
        assert y.dtype == mx.float32
        y16 = getattr(nn, name)(mx.array(XA).astype(mx.float16))
        assert y16.dtype == mx.float16
        close(y16, ref, rtol=2e-2, atol=2e-2)
        yb = getattr(nn, name)(mx.array(XA).astype(mx.bfloat16))
        assert yb.dtype == mx.bfloat16


@pytest.mark.parametrize("name", ACT_NAMES)
def test_activation_functions_over_shapes_and_gradients(name):
    # the multi-op activations are compiled shapeless (one trace per rank and dtype): calls on
    # other shapes of the same rank, evaluated one after another, and gradients through them,
    # follow each call's shape; with compile disabled the values are the same
    f, ref = getattr(nn, name), np_act()[name]
    for shape in [(4, 6), (2, 6), (3, 6), (1, 6), (4, 6)]:
        xs = randn(*shape, scale=3.0)
        close(f(mx.array(xs)), ref(xs.astype(np.float64)), rtol=1e-4, atol=1e-5)
    if name in ("step", "glu"):
        return
    xs = randn(3, 6, scale=2.0).astype(np.float64)
    g = mx.grad(lambda x: f(x).sum())(mx.array(xs.astype(np.float32)))
    h = 1e-4
    fd = (ref(xs + h) - ref(xs - h)) / (2 * h)
    if name in ("softmax", "softmin", "log_softmax"):  # the row sums' derivative
        fd = np.stack([(ref(xs + h * e).sum() - ref(xs - h * e).sum()) / (2 * h)
                       for e in np.eye(xs.size).reshape(-1, *xs.shape)]).reshape(xs.shape)
    close(g, fd, rtol=2e-3, atol=2e-3)
    compiled = npa(f(mx.array(XA)))
    mx.disable_compile()
    try:
        close(f(mx.array(XA)), compiled)
    finally:
        mx.enable_compile()


def test_compiled_activations_random_calls():
    # random shapes (size-1 axes, ranks 1-3), dtypes and transposed inputs in one sequence,
    # results evaluated or left lazy: compiled (shapeless) activations equal the plain functions
    rng = np.random.default_rng(5)
    names = ["silu", "gelu", "relu6", "hardswish", "log_softmax", "elu"]
    for _ in range(60):
        f = getattr(nn, names[rng.integers(len(names))])
        shape = tuple(int(v) for v in rng.integers(1, 5, rng.integers(1, 4)))
        dt = [mx.float32, mx.float16][rng.integers(2)]
        x = mx.array(rng.standard_normal(shape).astype(np.float32) * 3).astype(dt)
        if len(shape) > 1 and rng.random() < 0.3:
            x = x.T
        got = f(x)
        if rng.random() < 0.5:
            mx.eval(got)
        mx.disable_compile()
        try:
            want = f(x)
        finally:
            mx.enable_compile()
        assert got.shape == want.shape and got.dtype == want.dtype
        close(got.astype(mx.float32), npa(want.astype(mx.float32)), rtol=1e-3, atol=1e-3)


CLASS_OF = {
    "relu": "ReLU", "relu2": "ReLU2", "relu6": "ReLU6", "leaky_relu": "LeakyReLU", "elu": "ELU",
    "celu": "CELU", "selu": "SELU", "sigmoid": "Sigmoid", "silu": "SiLU", "log_sigmoid": "LogSigmoid",
    "softplus": "Softplus", "softsign": "Softsign", "softshrink": "Softshrink", "hard_shrink": "HardShrink",
    "hard_tanh": "HardTanh", "hardswish": "Hardswish", "mish": "Mish", "tanh": "Tanh", "gelu": "GELU",
    "softmax": "Softmax", "softmin": "Softmin", "log_softmax": "LogSoftmax", "glu": "GLU", "step": "Step",
}


@pytest.mark.parametrize("name", sorted(CLASS_OF))
def test_activation_classes(name):
    m = getattr(nn, CLASS_OF[name])()
    assert isinstance(m, nn.Module) and len(m.parameters()) == 0
    close(m(mx.array(XA)), npa(getattr(nn, name)(mx.array(XA))))


def test_activation_parameters():
    x = mx.array(XA)
    close(nn.leaky_relu(x, 0.2), np.maximum(0.2 * XA, XA))
    close(nn.LeakyReLU(0.3)(x), np.maximum(0.3 * XA, XA))
    close(nn.elu(x, 2.0), np.where(XA > 0, XA, 2 * (np.exp(XA) - 1)), rtol=1e-5)
    close(nn.ELU(2.0)(x), npa(nn.elu(x, 2.0)))
    close(nn.celu(x, 2.0), np.maximum(XA, 0) + np.minimum(0, 2 * (np.exp(XA / 2) - 1)), rtol=1e-5)
    close(nn.softshrink(x, 1.0), np.where(np.abs(XA) > 1, XA - np.sign(XA), 0))
    close(nn.hard_shrink(x, 1.0), np.where(np.abs(XA) > 1, XA, 0))
    close(nn.hard_tanh(x, -2, 3), np.clip(XA, -2, 3))
    close(nn.step(x, 1.0), (XA >= 1).astype(float))
    close(nn.glu(x, axis=0), XA[:2] * np_sigmoid(XA[2:]))
    close(nn.GLU(0)(x), XA[:2] * np_sigmoid(XA[2:]))
    close(nn.log_softmax(x, axis=0), np.log(np_softmax(XA.astype(np.float64), 0)), atol=1e-5)
    close(nn.GELU(approx="tanh")(x), npa(nn.gelu_approx(x)))
    close(nn.GELU(approx="precise")(x), npa(nn.gelu_approx(x)))
    close(nn.GELU(approx="fast")(x), npa(nn.gelu_fast_approx(x)))
    with pytest.raises(ValueError):
        nn.GELU(approx="bad")
    pr = nn.PReLU(6, init=0.1)
    close(pr.weight, np.full(6, 0.1))
    close(pr(x), np.maximum(XA, 0) + 0.1 * np.minimum(XA, 0))
    close(nn.prelu(x, mx.array([0.5])), np.maximum(XA, 0) + 0.5 * np.minimum(XA, 0))
    assert nn.relu(mx.array([-1, 2])).dtype == mx.int32
    assert nn.step(mx.array([1, 2, 3]), 2).tolist() == [0, 1, 1]
    assert nn.relu(mx.zeros((0, 3))).shape == (0, 3)
    assert nn.sigmoid(mx.array(0.0)).item() == 0.5


# ============================================================================ losses
L = nn.losses
LG = randn(4, 5)
TG = np.array([0, 3, 4, 1])
PR = np_softmax(randn(4, 5).astype(np.float64))


def np_lse(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def np_reduce(x, red):
    return {"none": x, "mean": np.mean(x), "sum": np.sum(x)}[red]


@pytest.mark.parametrize("red", ["none", "mean", "sum"])
def test_cross_entropy(red):
    lg = LG.astype(np.float64)
    ref = np_lse(lg) - lg[np.arange(4), TG]
    close(L.cross_entropy(mx.array(LG), mx.array(TG), reduction=red), np_reduce(ref, red), atol=1e-5)
    # probabilities
    ref = np_lse(lg) - (lg * PR).sum(-1)
    close(L.cross_entropy(mx.array(LG), mx.array(PR.astype(np.float32)), reduction=red), np_reduce(ref, red), atol=1e-5)


def test_cross_entropy_options():
    lg = LG.astype(np.float64)
    ls = 0.2
    ref = np_lse(lg) - ((1 - ls) * lg[np.arange(4), TG] + ls * lg.mean(-1))
    close(L.cross_entropy(mx.array(LG), mx.array(TG), label_smoothing=ls), ref, atol=1e-5)
    t = PR * (1 - 0.3) + 0.3 / 5
    ref = np_lse(lg) - (lg * t).sum(-1)
    close(L.cross_entropy(mx.array(LG), mx.array(PR.astype(np.float32)), label_smoothing=0.3), ref, atol=1e-5)
    w = np.array([1.0, 2.0, 3.0, 4.0])
    ref = (np_lse(lg.T, 0) - lg.T[TG, np.arange(4)]) * w
    close(L.cross_entropy(mx.array(LG.T), mx.array(TG), weights=mx.array(w.astype(np.float32)), axis=0), ref, atol=1e-5)
    with pytest.raises(ValueError, match="reduction"):
        L.cross_entropy(mx.array(LG), mx.array(TG), reduction="bad")
    with pytest.raises(ValueError, match="Label smoothing"):
        L.cross_entropy(mx.array(LG), mx.array(TG), label_smoothing=1.0)
    with pytest.raises(ValueError, match="Targets shape"):
        L.cross_entropy(mx.array(LG), mx.array([0, 1, 2]))
    with pytest.raises(ValueError, match="Weights"):
        L.cross_entropy(mx.array(LG), mx.array(TG), weights=mx.ones(3))
    y16 = L.cross_entropy(mx.array(LG).astype(mx.float16), mx.array(TG))
    assert y16.dtype == mx.float16


def test_cross_entropy_probability_targets_gradients():
    logits, t = randn(4, 5), rng.uniform(0.1, 1, (4, 5)).astype(np.float32)
    t /= t.sum(1, keepdims=True)
    gl, gt = mx.grad(
        lambda a, b: nn.losses.cross_entropy(a, b, reduction="sum"), argnums=(0, 1)
    )(mx.array(logits), mx.array(t))
    e = np.exp(logits - logits.max(1, keepdims=True))
    close(gl, e / e.sum(1, keepdims=True) - t, atol=1e-5)
    # With respect to the targets: minus the logits relative to their maximum (as MLX).
    close(gt, logits.max(1, keepdims=True) - logits, atol=1e-5)


def test_binary_cross_entropy():
    x = randn(6).astype(np.float64)
    y = (randn(6) > 0).astype(np.float64)
    ref = np.logaddexp(0, x) - x * y
    close(L.binary_cross_entropy(mx.array(x.astype(np.float32)), mx.array(y.astype(np.float32)), reduction="none"), ref, atol=1e-5)
    close(L.binary_cross_entropy(mx.array(x.astype(np.float32)), mx.array(y.astype(np.float32))), ref.mean(), atol=1e-5)
    p = np_sigmoid(x)
    ref = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    out = L.binary_cross_entropy(mx.array(p.astype(np.float32)), mx.array(y.astype(np.float32)), with_logits=False, reduction="sum")
    close(out, ref.sum(), atol=1e-4, rtol=1e-4)
    # logs are clipped at -100
    close(L.binary_cross_entropy(mx.array([0.0, 1.0]), mx.array([1.0, 0.0]), with_logits=False, reduction="none"), [100.0, 100.0])
    w = np.arange(1, 7, dtype=np.float32)
    ref = (np.logaddexp(0, x) - x * y) * w
    close(L.binary_cross_entropy(mx.array(x.astype(np.float32)), mx.array(y.astype(np.float32)), weights=mx.array(w), reduction="none"), ref, atol=1e-5)
    with pytest.raises(ValueError):
        L.binary_cross_entropy(mx.ones(3), mx.ones(2))


A, B = randn(3, 4), randn(3, 4)
A64, B64 = A.astype(np.float64), B.astype(np.float64)


def test_regression_losses():
    a, b = mx.array(A), mx.array(B)
    close(L.l1_loss(a, b), np.abs(A64 - B64).mean())
    close(L.mse_loss(a, b, "sum"), ((A64 - B64) ** 2).sum(), rtol=1e-5)
    close(L.mse_loss(a, b, "none"), (A64 - B64) ** 2, rtol=1e-5)
    d = np.abs(A64 - B64)
    close(L.smooth_l1_loss(a, b, beta=0.5, reduction="none"), np.where(d < 0.5, 0.5 * d**2 / 0.5, d - 0.25), atol=1e-5)
    close(L.huber_loss(a, b, delta=0.7), np.where(d <= 0.7, 0.5 * d**2, 0.7 * (d - 0.35)), atol=1e-5)
    close(L.log_cosh_loss(a * 10, b), np.log(np.cosh(10 * A64 - B64)), rtol=1e-5, atol=1e-5)
    close(L.log_cosh_loss(mx.array([0.0]), mx.array([-30.0])), [30 - math.log(2)], rtol=1e-6)
    for fn in (L.l1_loss, L.mse_loss, L.smooth_l1_loss):
        with pytest.raises(ValueError):
            fn(mx.ones(3), mx.ones(2))
    assert L.mse_loss(mx.array([1, 2]), mx.array([1, 4])).item() == 2.0


def test_probabilistic_losses():
    lp = np.log(PR)
    close(L.nll_loss(mx.array(lp.astype(np.float32)), mx.array(TG), reduction="mean"), -lp[np.arange(4), TG].mean(), rtol=1e-5)
    close(L.nll_loss(mx.array(lp.T.astype(np.float32)), mx.array(TG), axis=0), -lp[np.arange(4), TG], rtol=1e-5)
    v = np.abs(randn(3, 4)).astype(np.float64) + 0.1
    ref = 0.5 * (np.log(v) + (A64 - B64) ** 2 / v) + 0.5 * math.log(2 * math.pi)
    close(L.gaussian_nll_loss(mx.array(A), mx.array(B), mx.array(v.astype(np.float32)), full=True), ref.mean(), rtol=1e-5)
    with pytest.raises(ValueError):
        L.gaussian_nll_loss(mx.ones(3), mx.ones(3), mx.ones(2))
    lq = np.log(np_softmax(LG.astype(np.float64)))
    ref = (np.exp(lq) * (lq - lp)).sum(-1)
    close(L.kl_div_loss(mx.array(lp.astype(np.float32)), mx.array(lq.astype(np.float32))), ref, atol=1e-5)


def test_margin_and_similarity_losses():
    a, b = mx.array(A), mx.array(B)
    close(L.hinge_loss(a, mx.sign(b)), np.maximum(1 - A64 * np.sign(B64), 0), atol=1e-6)
    t = np.sign(randn(3, 4)).astype(np.float64)
    close(L.margin_ranking_loss(a, b, mx.array(t.astype(np.float32)), margin=0.3), np.maximum(-t * (A64 - B64) + 0.3, 0), atol=1e-6)
    with pytest.raises(ValueError):
        L.margin_ranking_loss(mx.ones(3), mx.ones(2), mx.ones(3))
    cos = (A64 * B64).sum(1) / (np.linalg.norm(A64, axis=1) * np.linalg.norm(B64, axis=1))
    close(L.cosine_similarity_loss(a, b), cos, atol=1e-5)
    close(L.cosine_similarity_loss(a.T, b.T, axis=0, reduction="mean"), cos.mean(), atol=1e-5)
    close(L.cosine_similarity_loss(mx.array([[1.0, 1.0]]), mx.array([[0.0, 0.0]])), [0.0])
    an, po, ne = randn(3, 4), randn(3, 4), randn(3, 4)
    for p, margin in ((2, 0.5), (1, 2.0)):
        dist = lambda u, v: (np.sum(np.abs(u - v) ** p, -1) + 1e-6) ** (1 / p)
        ref = np.maximum(dist(an, po) - dist(an, ne) + margin, 0)
        close(L.triplet_loss(mx.array(an), mx.array(po), mx.array(ne), p=p, margin=margin), ref, atol=1e-5)


# ============================================================================ init
def test_init_constant_uniform_normal_identity():
    a = mx.zeros((200, 300))
    c = nn.init.constant(0.5, mx.float16)(a)
    assert c.dtype == mx.float16 and np.all(npa(c) == 0.5)
    u = npa(nn.init.uniform(-1.0, 3.0)(a))
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.05
    n = npa(nn.init.normal(1.0, 2.0)(a))
    assert abs(n.mean() - 1) < 0.05 and abs(n.std() - 2) < 0.05
    assert nn.init.normal(dtype=mx.float16)(mx.zeros((2, 2), mx.int32)).dtype == mx.float16
    np.testing.assert_array_equal(npa(nn.init.identity()(mx.zeros((3, 3)))), np.eye(3))
    with pytest.raises(ValueError):
        nn.init.identity()(mx.zeros((3, 4)))


def test_init_glorot_he():
    a = mx.zeros((400, 300))  # fan_in 300, fan_out 400
    assert abs(npa(nn.init.glorot_normal()(a)).std() - math.sqrt(2 / 700)) < 0.003
    assert abs(npa(nn.init.glorot_normal()(a, gain=2.0)).std() - 2 * math.sqrt(2 / 700)) < 0.006
    g = npa(nn.init.glorot_uniform()(a))
    lim = math.sqrt(6 / 700)
    assert g.max() <= lim and g.min() >= -lim and g.max() > 0.95 * lim
    assert abs(npa(nn.init.he_normal()(a)).std() - 1 / math.sqrt(300)) < 0.003
    assert abs(npa(nn.init.he_normal()(a, mode="fan_out")).std() - 1 / math.sqrt(400)) < 0.003
    h = npa(nn.init.he_uniform()(a, gain=2.0))
    assert h.max() <= 2 * math.sqrt(3 / 300) + 1e-6 and h.max() > 0.19
    g3 = npa(nn.init.glorot_uniform()(mx.zeros((20, 30, 40))))  # fans 1200 / 600
    assert g3.max() <= math.sqrt(6 / 1800) + 1e-6 and g3.max() > 0.055
    with pytest.raises(ValueError):
        nn.init.he_normal()(a, mode="bad")
    with pytest.raises(ValueError):
        nn.init.glorot_uniform()(mx.zeros((5,)))
    assert nn.init.he_uniform(mx.float16)(a).dtype == mx.float16


def test_init_sparse_orthogonal():
    s = npa(nn.init.sparse(0.3)(mx.zeros((10, 4))))
    assert np.all((s == 0).sum(1) == 2)  # ceil(0.3 * 4) zeros per row
    big = npa(nn.init.sparse(0.5, std=2.0)(mx.zeros((100, 50))))
    assert np.all((big == 0).sum(1) == 25) and abs(big[big != 0].std() - 2) < 0.15
    with pytest.raises(ValueError):
        nn.init.sparse(0.5)(mx.zeros((2, 3, 4)))
    q = npa(nn.init.orthogonal(gain=2.0)(mx.zeros((4, 6))))
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(4), atol=1e-4)
    q = npa(nn.init.orthogonal()(mx.zeros((6, 4))))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-4)
    with pytest.raises(ValueError):
        nn.init.orthogonal()(mx.zeros((2, 3, 4)))
    # Both shapes are cut from the same square orthogonal matrix.
    mx.random.seed(4)
    wide = npa(nn.init.orthogonal()(mx.zeros((4, 7))))
    mx.random.seed(4)
    tall = npa(nn.init.orthogonal()(mx.zeros((7, 4))))
    np.testing.assert_allclose(wide[:, :4], tall[:4, :], atol=1e-6)


# ============================================================================ gradients
def test_value_and_grad_linear_regression():
    m = nn.Linear(3, 1)
    x = randn(16, 3)
    y = randn(16, 1)

    def loss_fn(model, xx, yy):
        return nn.losses.mse_loss(model(xx), yy)

    vg = nn.value_and_grad(m, loss_fn)
    loss, grads = vg(m, mx.array(x), mx.array(y))
    p = P(m)
    r = x @ p["weight"].T + p["bias"] - y
    close(loss, (r**2).mean(), rtol=1e-5)
    close(grads["weight"], 2 * (r * x).mean(0, keepdims=True).T.T, rtol=1e-4, atol=1e-6)
    close(grads["bias"], 2 * r.mean(0), rtol=1e-4, atol=1e-6)
    # the model keeps its (original) parameters
    assert isinstance(m.weight, mx.array)
    close(m.weight, p["weight"])
    # frozen parameters get no gradient
    m.freeze(keys="bias")
    _, grads = vg(m, mx.array(x), mx.array(y))
    assert set(grads) == {"weight"}


LAYER_CASES = [
    ("linear", lambda: nn.Linear(4, 3), lambda: [randn(2, 4)]),
    ("bilinear", lambda: nn.Bilinear(4, 3, 2), lambda: [randn(2, 4), randn(2, 3)]),
    ("embedding", lambda: nn.Embedding(6, 3), lambda: [np.array([1, 4, 1])]),
    ("layer_norm", lambda: nn.LayerNorm(4), lambda: [randn(2, 4)]),
    ("rms_norm", lambda: nn.RMSNorm(4), lambda: [randn(2, 4)]),
    ("group_norm", lambda: nn.GroupNorm(2, 4), lambda: [randn(2, 3, 4)]),
    ("batch_norm", lambda: nn.BatchNorm(4), lambda: [randn(5, 4)]),
    ("mha", lambda: nn.MultiHeadAttention(4, 2), lambda: [randn(1, 3, 4), randn(1, 3, 4), randn(1, 3, 4)]),
    ("rnn", lambda: nn.RNN(3, 2), lambda: [randn(1, 3, 3)]),
    ("gru", lambda: nn.GRU(3, 2), lambda: [randn(1, 3, 3)]),
    ("lstm", lambda: nn.LSTM(3, 2), lambda: [randn(1, 3, 3)]),
    ("prelu", lambda: nn.PReLU(4), lambda: [randn(2, 4)]),
    ("encoder", lambda: nn.TransformerEncoderLayer(4, 2, 8), lambda: [randn(1, 3, 4), None]),
]


@pytest.mark.parametrize("name, make, inputs", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_layer_gradients_finite_differences(name, make, inputs):
    layer = set_params(make())
    args = [mx.array(a) if a is not None else None for a in inputs()]
    out0 = layer(*args)
    out0 = out0[0] if isinstance(out0, tuple) else out0
    r = mx.array(randn(*out0.shape))

    def loss_fn(model, *xs):
        y = model(*xs)
        y = y[0] if isinstance(y, tuple) else y
        return mx.sum(y * r)

    vg = nn.value_and_grad(layer, loss_fn)
    value, grads = vg(layer, *args)
    flat = tree_flatten(grads)
    assert [k for k, _ in flat] == [k for k, _ in tree_flatten(layer.trainable_parameters())]
    eps = 1e-2
    pick = np.random.default_rng(0)
    for k, g in flat:
        base = dict(tree_flatten(layer.parameters()))[k]
        gnp = npa(g)
        for _ in range(2):
            i = tuple(pick.integers(0, s) for s in base.shape)
            b = npa(base)
            vals = []
            for d in (eps, -eps):
                bb = b.copy()
                bb[i] += d
                layer.update(tree_unflatten([(k, mx.array(bb.astype(np.float32)))]))
                vals.append(loss_fn(layer, *args).item())
            layer.update(tree_unflatten([(k, base)]))
            fd = (vals[0] - vals[1]) / (2 * eps)
            assert abs(fd - gnp[i]) <= 2e-2 * max(1.0, abs(fd)), (k, i, fd, gnp[i])


def test_training_loop_decreases_loss():
    import mlx.optimizers as optim

    mx.random.seed(3)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    x = randn(64, 4)
    y = np.argmax(x @ randn(4, 3), axis=1)
    X, Y = mx.array(x), mx.array(y)

    def loss_fn(m, a, b):
        return nn.losses.cross_entropy(m(a), b, reduction="mean")

    vg = nn.value_and_grad(model, loss_fn)
    opt = optim.Adam(0.05)
    first, _ = vg(model, X, Y)
    for _ in range(30):
        loss, g = vg(model, X, Y)
        opt.update(model, g)
        mx.eval(model.parameters(), opt.state)
    assert loss.item() < 0.5 * first.item()


def test_nn_checkpoint_alias():
    # mlxc addition (MLX only has nn.utils.checkpoint): programs written for nn.checkpoint run.
    assert nn.checkpoint is nn.utils.checkpoint


def test_checkpoint_and_average_gradients():
    m = set_params(nn.Linear(3, 2))
    x = mx.array(randn(4, 3))
    f = nn.utils.checkpoint(m)
    close(f(x), npa(m(x)))
    g = {"a": mx.ones(2)}
    assert nn.average_gradients(g)["a"] is g["a"]

    def loss_fn(model, xx):
        return nn.utils.checkpoint(model)(xx).sum()

    _, grads = nn.value_and_grad(m, loss_fn)(m, x)
    close(grads["bias"], np.full(2, 4.0))
