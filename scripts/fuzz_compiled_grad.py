"""Gradients of random graphs (scripts/fuzz_shapeless.py's generator: elementwise ops, softmax,
casts, where, clip and reductions over random axes) computed as compile(grad(f)) and
grad(compile(f)), in the enabled and no_fuse compile modes, against grad(f). Prints each
mismatch and error; a crash ends the run (it found a use after free in fusion).

    PYTHONPATH=<build>/python .venv/bin/python scripts/fuzz_compiled_grad.py [first last]
"""
import os
import sys

import numpy as np

import mlx.core as mx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzz_shapeless import random_fun  # noqa: E402


def close(got, want):
    return all(g.shape == w.shape and np.allclose(np.array(g), np.array(w), rtol=1e-3,
                                                    atol=1e-4, equal_nan=True)
               for g, w in zip(got, want))


def main():
    first, last = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (0, 400)
    bad = 0
    argnums = [0, 1, 2, 3]
    for seed in range(first, last):
        rng = np.random.default_rng(9000 + seed)
        fun = random_fun(seed)
        a, b, c = (int(v) for v in rng.integers(1, 4, 3))
        ins = [mx.array(rng.standard_normal(s).astype(np.float32))
               for s in [(a, b, c), (c,), (b, 1), (a, 1, 1)]]

        def loss(*xs):
            return sum(o.astype(mx.float32).sum() for o in fun(*xs))
        try:
            want = mx.grad(loss, argnums=argnums)(*ins)
        except ValueError:
            continue
        for mode in ("enabled", "no_fuse"):
            mx._set_compile_mode(mode)
            try:
                if not close(mx.grad(mx.compile(loss), argnums=argnums)(*ins), want):
                    bad += 1
                    print("mismatch: grad(compile)", seed, mode)
                if not close(mx.compile(mx.grad(loss, argnums=argnums))(*ins), want):
                    bad += 1
                    print("mismatch: compile(grad)", seed, mode)
            except ValueError as e:
                bad += 1
                print("error:", seed, mode, str(e)[:120])
        mx._set_compile_mode("enabled")
    print(f"seeds {first}-{last}: {bad} bad")


if __name__ == "__main__":
    main()
