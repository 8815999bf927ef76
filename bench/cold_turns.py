"""x @ W.T (x one row, W n x n float32) in the turns of an interleaved benchmark (bench/common.py):
`turns` times 0.15 s of sleep, then five products timed one by one, for ours and numpy's (OpenBLAS
sgemv on its own threads) alternately in one process. Prints the median of each of the five
calls over the turns, and how many turns ended (fifth call) at 1.5x the best fifth call or more.

    PYTHONPATH=<build>/python python bench/cold_turns.py [--n 4096] [--turns 12]
"""
import argparse
import statistics
import time

import numpy as np

import mlx.core as mx

from common import time_calls


def turn(fn):
    time.sleep(0.15)
    return [t * 1e3 for t in time_calls(fn, 5)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--turns", type=int, default=12)
    args = ap.parse_args()
    x = np.random.default_rng(0).standard_normal((1, args.n), np.float32)
    w = np.random.default_rng(1).standard_normal((args.n, args.n), np.float32)
    mx_x, mx_w = mx.array(x), mx.array(w)
    mx.eval(mx_x, mx_w)
    impls = {"mlxc": lambda: mx.eval(mx_x @ mx_w.T), "numpy": lambda: x @ w.T}
    runs = {name: [] for name in impls}
    for _ in range(args.turns):
        for name, fn in impls.items():
            runs[name].append(turn(fn))
    print(f"x @ W.T, x 1 x {args.n}, W {args.n} x {args.n} float32: median ms of each call after "
          f"0.15 s idle, over {args.turns} turns")
    for name, turns in runs.items():
        calls = [statistics.median(t[i] for t in turns) for i in range(5)]
        best = min(t[4] for t in turns)
        stuck = sum(t[4] >= 1.5 * best for t in turns)
        print(f"{name:<6}" + "".join(f"  call {i + 1}: {c:.2f}" for i, c in enumerate(calls)) +
              f"  turns ending slow: {stuck}/{len(turns)}")


if __name__ == "__main__":
    main()
