"""Training-step time of the training examples (examples/python/mlp_fashion_mnist.py,
cnn_fashion_mnist.py and char_lm.py, their default sizes) with whichever mlx package is on
the path (ours or Apple's): forward + backward + AdamW update + eval of one batch, median
over --steps steps after --warmup steps. Synthetic batches (random images / characters)
of the examples' shapes, so no data set is needed and both implementations do identical
work.

    python bench/train.py [--steps 30]
    python bench/train.py --compare /tmp/mlxref/bin/python   # runs Apple's MLX as well

Prints one JSON object: {"impl": ..., "results": {name: median seconds per step},
"compiled_speedup_paired": {name: median over step pairs of plain / compiled time},
"throughput": {name: images/s or tokens/s}}; with --compare, {"ours": ..., "mlx": ...,
"speedup": {name: mlx time / our time}}.
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def example(name):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(ROOT, "examples", "python", name + ".py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def trainer(mx, nn, optim, model, loss_fn, make_batch, compiled=False):
    """One training step; compiled: the update inside mx.compile with the model, optimizer and
    random state as inputs= / outputs= (MLX's documented pattern)."""
    optimizer = optim.AdamW(learning_rate=1e-3, weight_decay=0.01)
    loss_and_grad = nn.value_and_grad(model, loss_fn)
    state = [model.state, optimizer.state, mx.random.state]

    def update(x, y):
        loss, grads = loss_and_grad(model, x, y)
        optimizer.update(model, grads)
        return loss

    if compiled:
        update = mx.compile(update, inputs=state, outputs=state)

    def step():
        loss = update(*make_batch())
        mx.eval(state, loss)

    return step


def both_ways(mx, nn, optim, make_model, loss_fn, make_batch, name, steps, warmup, results,
              paired):
    """Times the step plain and compiled (rows `name` and `name + ", compiled"`), one step of
    each in turn (the order swapped every pair), so that load from other processes falls on
    both alike; paired[name]: the median over the pairs of plain time / compiled time."""
    run = {c: trainer(mx, nn, optim, make_model(), loss_fn, make_batch, c) for c in (False, True)}
    times = {False: [], True: []}
    for c in (False, True):
        for _ in range(warmup):
            run[c]()
    for i in range(steps):
        for c in (False, True) if i % 2 == 0 else (True, False):
            t0 = time.perf_counter()
            run[c]()
            times[c].append(time.perf_counter() - t0)
    for c in (False, True):
        results[name + (", compiled" if c else "")] = statistics.median(times[c])
    paired[name] = round(statistics.median(p / c for p, c in zip(times[False], times[True])), 3)


def bench(steps, warmup):
    import mlx.core as mx
    import mlx.nn as nn
    import mlx.optimizers as optim

    rng = np.random.default_rng(0)
    mx.random.seed(0)
    results, throughput, paired = {}, {}, {}

    mlp = example("mlp_fashion_mnist")
    batch = 128
    images = rng.random((batch * 8, 28 * 28), dtype=np.float32)
    labels = rng.integers(0, 10, batch * 8).astype(np.int32)

    def mlp_batch():
        i = rng.integers(0, 8) * batch
        return mx.array(images[i : i + batch]), mx.array(labels[i : i + batch])

    name = "mlp_fashion_mnist step (batch 128, 784-256-256-10)"
    both_ways(mx, nn, optim, lambda: mlp.MLP(28 * 28, 256, 10, dropout=0.1), mlp.loss_fn,
              mlp_batch, name, steps, warmup, results,
              paired)
    throughput[name] = f"{batch / results[name]:.0f} images/s"

    cnn = example("cnn_fashion_mnist")
    batch = 64

    def cnn_batch():
        i = rng.integers(0, 8) * batch
        return mx.array(images[i : i + batch]), mx.array(labels[i : i + batch])

    name = "cnn_fashion_mnist step (batch 64, conv 32-64, fc 128)"
    both_ways(mx, nn, optim, lambda: cnn.CNN(dropout=0.5), cnn.loss_fn, cnn_batch, name, steps,
              warmup, results, paired)
    throughput[name] = f"{batch / results[name]:.0f} images/s"

    lm = example("char_lm")
    batch, context, vocab = 32, 128, 75
    text = rng.integers(0, vocab, 200_000).astype(np.int32)

    def lm_batch():
        return lm.get_batch(text, rng.integers(0, len(text) - context - 1, batch), context)

    name = "char_lm step (batch 32 x 128 chars, 4 layers, 128 dims)"
    both_ways(mx, nn, optim, lambda: lm.CharTransformer(vocab, context, 128, 4, 4, 0.0),
              lm.loss_fn, lm_batch, name, steps, warmup, results,
              paired)
    throughput[name] = f"{batch * context / results[name]:.0f} tokens/s"

    impl = "mlx.core from " + os.path.dirname(os.path.abspath(mx.__file__))
    return {"impl": impl, "results": results, "throughput": throughput,
            "compiled_speedup_paired": paired}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--name", default=None, help="label for this implementation")
    ap.add_argument("--compare", default=None, help="python of the real MLX")
    args = ap.parse_args()
    ours = bench(args.steps, args.warmup)
    ours["impl"] = args.name or ours["impl"]
    if not args.compare:
        print(json.dumps(ours, indent=1))
        return
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    out = subprocess.run(
        [args.compare, os.path.abspath(__file__), "--steps", str(args.steps),
         "--warmup", str(args.warmup), "--name", "mlx"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    ref = json.loads(out)
    speedup = {k: round(ref["results"][k] / ours["results"][k], 2) for k in ours["results"]}
    print(json.dumps({"ours": ours, "mlx": ref, "speedup": speedup}, indent=1))


if __name__ == "__main__":
    main()
