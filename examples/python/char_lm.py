"""Train a small character-level transformer language model on the King James Bible.

The text comes from the Debian package ``bible-kjv`` (its ``bible`` command prints any range
of verses; ``apt-get install bible-kjv``), or from any text file given with ``--text``.
The model is a causal transformer (``nn.TransformerEncoder`` with an additive causal mask,
token and learned position embeddings), trained with AdamW on a linear-warmup + cosine
learning-rate schedule. Prints the training loss every ``--print-every`` steps, the
validation loss, tokens/s and a generated sample. Runs unchanged under the real MLX and
under mlxc.

    python examples/python/char_lm.py [--steps 2000] [--books "Genesis 1:1-Revelation 22:21"]
"""
import argparse
import math
import subprocess
import sys
import time

import numpy as np

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
from mlx.utils import tree_flatten

WHOLE_BIBLE = "Genesis 1:1-Revelation 22:21"


def load_text(args):
    if args.text:
        with open(args.text, encoding="utf-8") as f:
            return f.read()
    try:
        out = subprocess.run(["bible", args.books], capture_output=True, text=True, check=True)
    except FileNotFoundError:
        sys.exit("The `bible` command is missing: apt-get install bible-kjv (or pass --text)")
    return out.stdout


class CharTransformer(nn.Module):
    def __init__(self, vocab_size, context, dims, num_heads, num_layers, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dims)
        self.positions = nn.Embedding(context, dims)
        self.transformer = nn.TransformerEncoder(
            num_layers, dims, num_heads, mlp_dims=4 * dims, dropout=dropout, norm_first=True
        )
        self.out_proj = nn.Linear(dims, vocab_size)

    def __call__(self, x):
        T = x.shape[1]
        h = self.embedding(x) + self.positions(mx.arange(T))
        mask = nn.MultiHeadAttention.create_additive_causal_mask(T).astype(h.dtype)
        return self.out_proj(self.transformer(h, mask))


def loss_fn(model, x, y):
    return nn.losses.cross_entropy(model(x), y, reduction="mean")


def get_batch(data, starts, context):
    idx = starts[:, None] + np.arange(context + 1)[None, :]
    chunk = data[idx]
    return mx.array(chunk[:, :-1]), mx.array(chunk[:, 1:])


def evaluate(model, data, context, batch_size, batches, rng):
    model.eval()
    total = 0.0
    for _ in range(batches):
        x, y = get_batch(data, rng.integers(0, len(data) - context - 1, batch_size), context)
        total += loss_fn(model, x, y).item()
    model.train()
    return total / batches


def generate(model, prompt_ids, n, context, temperature):
    model.eval()
    ids = list(prompt_ids)
    for _ in range(n):
        x = mx.array(np.array(ids[-context:], dtype=np.int32))[None]
        logits = model(x)[:, -1, :]
        if temperature == 0:
            nxt = mx.argmax(logits, axis=-1)
        else:
            nxt = mx.random.categorical(logits * (1.0 / temperature))
        ids.append(int(nxt.item()))
    model.train()
    return ids


def save_init(model, path):
    """Save the initial weights with numpy (readable by any implementation)."""
    np.savez(path, **{k: np.array(v) for k, v in tree_flatten(model.parameters())})


def load_init(model, path):
    with np.load(path) as f:
        model.load_weights([(k, mx.array(f[k])) for k in f.files])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--books", default=WHOLE_BIBLE, help="verse range passed to `bible`")
    ap.add_argument("--text", default=None, help="train on this text file instead")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--context", type=int, default=128)
    ap.add_argument("--dims", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--print-every", type=int, default=100)
    ap.add_argument("--eval-batches", type=int, default=20)
    ap.add_argument("--sample", type=int, default=200, help="characters to generate")
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-init", default=None, help="write the initial weights (.npz)")
    ap.add_argument("--load-init", default=None, help="start from these weights (.npz)")
    args = ap.parse_args()

    text = load_text(args)
    vocab = sorted(set(text))
    lookup = {c: i for i, c in enumerate(vocab)}
    data = np.array([lookup[c] for c in text], dtype=np.int32)
    split = int(0.9 * len(data))
    train, val = data[:split], data[split:]

    mx.random.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = CharTransformer(
        len(vocab), args.context, args.dims, args.heads, args.layers, args.dropout
    )
    if args.load_init:
        load_init(model, args.load_init)
    mx.eval(model.parameters())
    if args.save_init:
        save_init(model, args.save_init)

    warmup = min(args.warmup, max(args.steps // 10, 1))
    schedule = optim.join_schedules(
        [
            optim.linear_schedule(args.lr * 0.01, args.lr, warmup),
            optim.cosine_decay(args.lr, max(args.steps - warmup, 1), args.lr * 0.1),
        ],
        [warmup],
    )
    optimizer = optim.AdamW(learning_rate=schedule, weight_decay=args.weight_decay)
    loss_and_grad = nn.value_and_grad(model, loss_fn)

    n_params = sum(v.size for _, v in tree_flatten(model.parameters()))
    print(f"text: {len(data)} characters, vocabulary {len(vocab)}; model: {n_params} parameters")
    tokens_per_step = args.batch_size * args.context
    tic, window_loss, window_steps = time.perf_counter(), 0.0, 0
    for step in range(1, args.steps + 1):
        starts = rng.integers(0, len(train) - args.context - 1, args.batch_size)
        x, y = get_batch(train, starts, args.context)
        loss, grads = loss_and_grad(model, x, y)
        optimizer.update(model, grads)
        mx.eval(model.parameters(), optimizer.state, loss)
        window_loss += loss.item()
        window_steps += 1
        if step % args.print_every == 0 or step == args.steps:
            secs = time.perf_counter() - tic
            print(
                f"step {step:5d}  loss {window_loss / window_steps:.6f}  "
                f"lr {optimizer.learning_rate.item():.2e}  "
                f"{window_steps * tokens_per_step / secs:.0f} tokens/s"
            )
            tic, window_loss, window_steps = time.perf_counter(), 0.0, 0

    val_loss = evaluate(model, val, args.context, args.batch_size, args.eval_batches, rng)
    print(f"validation loss {val_loss:.6f}  (perplexity {math.exp(val_loss):.3f})")
    if args.sample > 0:
        prompt = [lookup[c] for c in "And God said"]
        ids = generate(model, prompt, args.sample, args.context, args.temperature)
        print("sample:")
        print("".join(vocab[i] for i in ids))


if __name__ == "__main__":
    main()
