"""Train the seed's CNN (two 3x3 convolutions with max pooling, two linear layers, dropout) on
Fashion-MNIST with Adam: a progress bar per epoch, the train loss and test accuracy per
epoch, and a PNG plot of both curves (``--plot``).

The data is the real Fashion-MNIST (Debian ``dataset-fashion-mnist``, read as in
mlp_fashion_mnist.py). The seed's model adds the channel axis in front (``x[:, None]``),
which MLX's channels-last convolutions reject; here it goes last (``x[..., None]``).
Runs unchanged under the real MLX and under mlxc.

    python examples/python/cnn_fashion_mnist.py [--epochs 3] [--plot curves.png]
"""
import argparse
import os
import struct
import sys
import time
import zlib

import numpy as np

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
from mlx.utils import tree_flatten

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_fashion_mnist import DATA_DIR, load_fashion_mnist, load_init, progress, save_init  # noqa


class CNN(nn.Module):
    def __init__(self, dropout=0.5):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)
        self.dropout = nn.Dropout(dropout)

    def __call__(self, x):
        x = x.reshape(x.shape[0], 28, 28)[..., None]  # (batch, 28, 28, 1)
        x = self.pool(nn.relu(self.conv1(x)))  # (batch, 14, 14, 32)
        x = self.pool(nn.relu(self.conv2(x)))  # (batch, 7, 7, 64)
        x = x.reshape(x.shape[0], -1)
        x = self.dropout(nn.relu(self.fc1(x)))
        return self.fc2(x)


def loss_fn(model, x, y):
    return nn.losses.cross_entropy(model(x), y, reduction="mean")


def evaluate(model, x, y, batch_size=500):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch_size):
        pred = mx.argmax(model(mx.array(x[i : i + batch_size])), axis=1)
        correct += int(mx.sum(pred == mx.array(y[i : i + batch_size])).item())
    model.train()
    return correct / len(x)


def write_png(path, pixels):
    """Write an RGB uint8 image (height, width, 3) as a PNG (zlib from the standard library)."""
    h, w, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[r].tobytes() for r in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def plot_curves(path, curves, width=480, height=320, margin=24):
    """Plot each (values, rgb) curve (one point per epoch, all on one scale from 0 to the
    largest value) on a white canvas with axes."""
    img = np.full((height, width, 3), 255, dtype=np.uint8)
    img[height - margin, margin : width - margin] = 0
    img[margin : height - margin, margin] = 0
    top = max(max(v) for v, _ in curves) or 1.0
    for values, color in curves:
        n = max(len(values) - 1, 1)
        pts = [
            (margin + (width - 2 * margin) * i / n,
             height - margin - (height - 2 * margin) * v / top)
            for i, v in enumerate(values)
        ]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] or pts):
            for t in np.linspace(0, 1, 200):
                x, y = int(x0 + t * (x1 - x0)), int(y0 + t * (y1 - y0))
                img[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = color
    write_png(path, img)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DATA_DIR)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps in all")
    ap.add_argument("--print-every", type=int, default=0,
                    help="print the loss every N steps (instead of a progress bar)")
    ap.add_argument("--test-limit", type=int, default=0, help="test on this many images only")
    ap.add_argument("--plot", default=None, help="write the curves to this PNG file")
    ap.add_argument("--save-init", default=None, help="write the initial weights (.npz)")
    ap.add_argument("--load-init", default=None, help="start from these weights (.npz)")
    args = ap.parse_args()

    try:
        x_train, y_train, x_test, y_test = load_fashion_mnist(args.data)
    except FileNotFoundError as e:
        sys.exit(f"{e}\nInstall the data: apt-get install dataset-fashion-mnist (or pass --data)")
    if args.test_limit:
        x_test, y_test = x_test[: args.test_limit], y_test[: args.test_limit]

    mx.random.seed(args.seed)
    np_rng = np.random.default_rng(args.seed)
    model = CNN(args.dropout)
    if args.load_init:
        load_init(model, args.load_init)
    mx.eval(model.parameters())
    if args.save_init:
        save_init(model, args.save_init)
    optimizer = optim.Adam(learning_rate=args.lr)
    train_step = nn.value_and_grad(model, loss_fn)

    steps_per_epoch = (len(x_train) + args.batch_size - 1) // args.batch_size
    total_steps = args.epochs * steps_per_epoch
    if args.steps:
        total_steps = min(total_steps, args.steps)
    epochs = (total_steps + steps_per_epoch - 1) // steps_per_epoch
    n_params = sum(v.size for _, v in tree_flatten(model.parameters()))
    print(f"Fashion-MNIST: {len(x_train)} train / {len(x_test)} test images, {n_params} parameters")
    history, done = {"loss": [], "accuracy": []}, 0
    for epoch in range(1, epochs + 1):
        perm = np_rng.permutation(len(x_train))
        tic, total, seen = time.perf_counter(), 0.0, 0
        for step in range(min(steps_per_epoch, total_steps - done)):
            idx = perm[step * args.batch_size : (step + 1) * args.batch_size]
            loss, grads = train_step(model, mx.array(x_train[idx]), mx.array(y_train[idx]))
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
        history["loss"].append(total / seen)
        history["accuracy"].append(acc)
        if not args.print_every:
            print()
        print(f"epoch {epoch}: train loss {total / seen:.4f}, test accuracy {acc:.4f}, "
              f"{seen / secs:.0f} images/s")
    if args.plot:
        plot_curves(args.plot, [(history["loss"], (200, 40, 40)),
                                (history["accuracy"], (40, 80, 200))])
        print(f"curves (red: train loss, blue: test accuracy) written to {args.plot}")


if __name__ == "__main__":
    main()
