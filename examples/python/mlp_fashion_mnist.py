"""Train a multi-layer perceptron on Fashion-MNIST with mlx.nn and mlx.optimizers.

The data is the real Fashion-MNIST (IDX files from the Debian package
``dataset-fashion-mnist``: ``apt-get install dataset-fashion-mnist``; another folder with
the four ``*-ubyte.gz`` files can be given with ``--data``). Runs unchanged under the real
MLX and under mlxc.

    python examples/python/mlp_fashion_mnist.py [--epochs 3] [--batch-size 128]
    python examples/python/mlp_fashion_mnist.py --steps 50 --print-every 10  # a short run
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
from mlx.utils import tree_flatten

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Read an IDX file (optionally gzipped) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f"{path}: not an IDX file")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: unsupported IDX header")
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: truncated data")
    return body.reshape(shape)


def load_fashion_mnist(folder):
    def get(name):
        return read_idx(os.path.join(folder, name))

    x_train = get("train-images-idx3-ubyte.gz").reshape(-1, 28 * 28).astype(np.float32) / 255.0
    y_train = get("train-labels-idx1-ubyte.gz").astype(np.int32)
    x_test = get("t10k-images-idx3-ubyte.gz").reshape(-1, 28 * 28).astype(np.float32) / 255.0
    y_test = get("t10k-labels-idx1-ubyte.gz").astype(np.int32)
    return x_train, y_train, x_test, y_test


class MLP(nn.Module):
    def __init__(self, in_dims, hidden, out_dims, num_layers=2, dropout=0.1):
        super().__init__()
        dims = [in_dims] + [hidden] * num_layers
        self.layers = [nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])]
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, out_dims)

    def __call__(self, x):
        for layer in self.layers:
            x = self.dropout(nn.relu(layer(x)))
        return self.head(x)


def loss_fn(model, x, y):
    return nn.losses.cross_entropy(model(x), y, reduction="mean")


def progress(epoch, done, total, loss, width=30):
    filled = int(width * done / total)
    bar = "#" * filled + "-" * (width - filled)
    sys.stdout.write(f"\repoch {epoch} [{bar}] {done}/{total} loss {loss:.4f}")
    sys.stdout.flush()


def evaluate(model, x, y, batch_size=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch_size):
        logits = model(mx.array(x[i : i + batch_size]))
        pred = mx.argmax(logits, axis=1)
        correct += int(mx.sum(pred == mx.array(y[i : i + batch_size])).item())
    model.train()
    return correct / len(x)


def save_init(model, path):
    """Save the initial weights with numpy (readable by any implementation)."""
    np.savez(path, **{k: np.array(v) for k, v in tree_flatten(model.parameters())})


def load_init(model, path):
    with np.load(path) as f:
        model.load_weights([(k, mx.array(f[k])) for k in f.files])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DATA_DIR)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--limit", type=int, default=0, help="use only this many training images")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps in all")
    ap.add_argument("--print-every", type=int, default=0,
                    help="print the loss every N steps (instead of a progress bar)")
    ap.add_argument("--save-init", default=None, help="write the initial weights (.npz)")
    ap.add_argument("--load-init", default=None, help="start from these weights (.npz)")
    args = ap.parse_args()

    try:
        x_train, y_train, x_test, y_test = load_fashion_mnist(args.data)
    except FileNotFoundError as e:
        sys.exit(f"{e}\nInstall the data: apt-get install dataset-fashion-mnist (or pass --data)")
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]

    mx.random.seed(args.seed)
    np_rng = np.random.default_rng(args.seed)
    model = MLP(28 * 28, args.hidden, 10, dropout=args.dropout)
    if args.load_init:
        load_init(model, args.load_init)
    mx.eval(model.parameters())
    if args.save_init:
        save_init(model, args.save_init)
    steps_per_epoch = (len(x_train) + args.batch_size - 1) // args.batch_size
    total_steps = args.epochs * steps_per_epoch
    if args.steps:
        total_steps = min(total_steps, args.steps)
        args.epochs = (total_steps + steps_per_epoch - 1) // steps_per_epoch
    schedule = optim.cosine_decay(args.lr, total_steps, end=args.lr * 0.1)
    optimizer = optim.AdamW(learning_rate=schedule, weight_decay=1e-4)
    train_step = nn.value_and_grad(model, loss_fn)

    n_params = sum(v.size for _, v in tree_flatten(model.parameters()))
    print(f"Fashion-MNIST: {len(x_train)} train / {len(x_test)} test images, {n_params} parameters")
    done = 0
    for epoch in range(1, args.epochs + 1):
        perm = np_rng.permutation(len(x_train))
        tic = time.perf_counter()
        total, seen = 0.0, 0
        for step in range(min(steps_per_epoch, total_steps - done)):
            idx = perm[step * args.batch_size : (step + 1) * args.batch_size]
            x, y = mx.array(x_train[idx]), mx.array(y_train[idx])
            loss, grads = train_step(model, x, y)
            optimizer.update(model, grads)
            mx.eval(model.parameters(), optimizer.state, loss)
            total += loss.item() * len(idx)
            seen += len(idx)
            done += 1
            if args.print_every:
                if done % args.print_every == 0:
                    print(f"step {done:5d}  loss {loss.item():.6f}")
            elif step % 20 == 0 or step == steps_per_epoch - 1:
                progress(epoch, step + 1, steps_per_epoch, total / seen)
        secs = time.perf_counter() - tic
        acc = evaluate(model, x_test, y_test)
        if not args.print_every:
            print()
        print(f"epoch {epoch}: train loss {total / seen:.4f}, test accuracy {acc:.4f}, "
              f"{seen / secs:.0f} images/s")


if __name__ == "__main__":
    main()
