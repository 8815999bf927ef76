"""value_and_grad of an MLP (784-1024-1024-10, ReLU, cross-entropy, batch 256), one training
step's gradient per iteration, with whichever mlx package is on the path (ours or Apple's), or
with numpy (hand-written backward pass, as a floor).

    python bench/grad_mlp.py mlx|numpy [--steps N]

Prints one JSON object: {"impl": ..., "results": {name: median seconds}, "loss": first loss}.
The loss is printed so runs can be checked against each other (same seeds, same random bits).
"""
import argparse
import json
import statistics
import time

SIZES = [784, 1024, 1024, 10]
BATCH = 256


def median_time(step, steps):
    step()  # warm up (allocator caches, packing buffers)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_mlx(steps):
    import mlx.core as mx

    mx.set_default_device(mx.cpu)
    mx.random.seed(0)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = (1.0 / n_in) ** 0.5
        params.append(
            (mx.random.uniform(-bound, bound, (n_in, n_out)), mx.random.uniform(-bound, bound, (n_out,)))
        )
    x = mx.random.normal((BATCH, SIZES[0]))
    y = mx.random.randint(0, SIZES[-1], (BATCH,))
    mx.eval(params, x, y)

    def loss_fn(params):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = mx.maximum(h, 0.0)
        picked = mx.take_along_axis(h, y[:, None], axis=1).squeeze(1)
        return (mx.logsumexp(h, axis=1) - picked).mean()

    value_and_grad = mx.value_and_grad(loss_fn)
    first = value_and_grad(params)[0].item()

    def step():
        loss, grads = value_and_grad(params)
        mx.eval(loss, grads)

    return {"value_and_grad MLP 784-1024-1024-10, batch 256 (s)": median_time(step, steps)}, first, mx.__version__


def bench_numpy(steps):
    import numpy as np

    rng = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = (1.0 / n_in) ** 0.5
        params.append(
            (rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32),
             rng.uniform(-bound, bound, (n_out,)).astype(np.float32))
        )
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)

    def value_and_grad():
        acts, h = [x], x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = np.maximum(h, 0.0)
            acts.append(h)
        m = h.max(axis=1, keepdims=True)
        e = np.exp(h - m)
        s = e.sum(axis=1, keepdims=True)
        loss = (np.log(s[:, 0]) + m[:, 0] - h[np.arange(BATCH), y]).mean()
        d = e / s
        d[np.arange(BATCH), y] -= 1.0
        d /= BATCH
        grads = [None] * len(params)
        for i in reversed(range(len(params))):
            w, _ = params[i]
            grads[i] = (acts[i].T @ d, d.sum(axis=0))
            if i > 0:
                d = (d @ w.T) * (acts[i] > 0)
        return loss, grads

    first = float(value_and_grad()[0])
    return {"value_and_grad MLP 784-1024-1024-10, batch 256 (s)": median_time(value_and_grad, steps)}, first, np.__version__


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("which", nargs="?", default="mlx")
    ap.add_argument("--name", default=None, help="label for the implementation")
    ap.add_argument("--steps", type=int, default=30)
    a = ap.parse_args()
    if a.which == "numpy":
        results, first, version = bench_numpy(a.steps)
        impl = f"numpy {version}"
    else:
        results, first, version = bench_mlx(a.steps)
        impl = f"{a.name or 'mlx'} {version}"
    print(json.dumps({"impl": impl, "results": results, "loss": first}))
