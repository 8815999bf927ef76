"""mx.linalg timings: a batch of 256 16x16 matrices and one 256x256 matrix per op, float32,
median ms of evaluating the op on evaluated inputs, with whichever mlx package is importable.

    python bench/linalg.py                                  # prints JSON {case: ms}
    python bench/linalg.py --compare /tmp/mlxref/bin/python # also runs the real MLX: a table
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def cases(mx):
    la, rng, out = mx.linalg, np.random.default_rng(0), {}
    for b, n in [(256, 16), (1, 256)]:
        a = mx.array(rng.uniform(-1, 1, (b, n, n)) + n * np.eye(n), dtype=mx.float32)
        s = a @ a.swapaxes(-1, -2)
        v = mx.array(rng.uniform(-1, 1, (b, n, 4)), dtype=mx.float32)
        shape = f"{b}x{n}x{n}"
        ops = {
            "inv": lambda a=a: la.inv(a, stream=mx.cpu),
            "cholesky": lambda s=s: la.cholesky(s, stream=mx.cpu),
            "qr": lambda a=a: la.qr(a, stream=mx.cpu),
            "svd": lambda a=a: la.svd(a, stream=mx.cpu),
            "eigh": lambda s=s: la.eigh(s, stream=mx.cpu),
            "eig": lambda a=a: la.eig(a, stream=mx.cpu),
            "lu": lambda a=a: la.lu(a, stream=mx.cpu),
            "solve": lambda a=a, v=v: la.solve(a, v, stream=mx.cpu),
            "pinv": lambda a=a: la.pinv(a, stream=mx.cpu),
        }
        for name, f in ops.items():
            out[f"{name} {shape}"] = f
    return out


def median_ms(mx, f, reps):
    mx.eval(f())
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        mx.eval(f())
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--compare", default=None, help="python of the real MLX")
    args = ap.parse_args()
    import mlx.core as mx

    ours = {k: median_ms(mx, f, args.reps) for k, f in cases(mx).items()}
    if not args.compare:
        print(json.dumps(ours, indent=1))
        return
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # (never import ours)
    ref = json.loads(subprocess.run([args.compare, os.path.abspath(__file__), "--reps",
                                     str(args.reps)], capture_output=True, text=True, env=env,
                                    cwd="/", check=True).stdout)
    print(f"{'case':<24} {'mlxc ms':>9} {'MLX ms':>9} {'MLX/mlxc':>9}")
    for k, t in ours.items():
        print(f"{k:<24} {t:9.3f} {ref[k]:9.3f} {ref[k] / t:8.2f}x")


if __name__ == "__main__":
    sys.exit(main())
