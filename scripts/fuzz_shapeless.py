"""Random graphs of elementwise ops, softmax, casts, where, clip and reductions over random axes
(keepdims or not), compiled shapeless, traced on one set of input shapes and replayed on four
others ((A, B, C), (C,), (B, 1), (A, 1, 1), sizes 1-3, results evaluated or left lazy),
against the same function run eagerly. Prints each mismatch (shape, dtype or value) and each
error other than the clear "cannot infer its output shape" / "shapeless=False" ones.

    PYTHONPATH=<build>/python .venv/bin/python scripts/fuzz_shapeless.py [first_seed last_seed]
"""
import os
import sys

import numpy as np

import mlx.core as mx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from graph_steps import run_steps  # noqa: E402

UNARY = [mx.exp, mx.sin, mx.tanh, mx.abs, mx.negative, mx.sigmoid,
         lambda a: mx.sqrt(mx.abs(a)), mx.square, lambda a: mx.softmax(a, axis=-1),
         lambda a: a.astype(mx.float16).astype(mx.float32), mx.erf,
         lambda a: mx.where(a > 0, a, a * 0.1), lambda a: mx.clip(a, -1, 1)]
BINARY = [mx.add, mx.subtract, mx.multiply, mx.maximum, mx.minimum,
          lambda a, b: a / (1 + mx.abs(b))]
REDUCE = [mx.sum, mx.mean, mx.max, mx.min, mx.logsumexp, mx.var]
CLEAR = ("cannot infer its output shape", "shapeless=False")


def random_fun(seed):
    rng = np.random.default_rng(seed)
    steps = [(rng.choice(["u", "b", "r"], p=[0.4, 0.4, 0.2]), int(rng.integers(1 << 30)))
             for _ in range(rng.integers(3, 10))]

    def fun(*xs):
        return run_steps(xs, steps, UNARY, BINARY, REDUCE, random_keepdims=True)
    return fun


def main():
    first, last = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (0, 300)
    bad = 0
    for seed in range(first, last):
        rng = np.random.default_rng(7000 + seed)
        fun = random_fun(seed)
        compiled = mx.compile(fun, shapeless=True)
        for _ in range(5):
            a, b, c = (int(v) for v in rng.integers(1, 4, 3))
            ins = [mx.array(rng.standard_normal(s).astype(np.float32))
                   for s in [(a, b, c), (c,), (b, 1), (a, 1, 1)]]
            try:
                want = fun(*ins)
            except ValueError:
                continue
            try:
                got = compiled(*ins)
                if rng.random() < 0.5:
                    mx.eval(got)
                for g, w in zip(got, want):
                    if g.shape != w.shape or g.dtype != w.dtype or not np.allclose(
                            np.array(g), np.array(w), rtol=1e-3, atol=1e-4, equal_nan=True):
                        bad += 1
                        print("mismatch: seed", seed, (a, b, c), g.shape, w.shape)
                        break
            except ValueError as e:
                if not any(m in str(e) for m in CLEAR):
                    bad += 1
                    print("error: seed", seed, (a, b, c), str(e)[:120])
    print(f"seeds {first}-{last}: {bad} bad")


if __name__ == "__main__":
    main()
