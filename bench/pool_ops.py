"""Ops that split their work over the CPU worker pool, each call timed after 20 ms of idle (as in
the turns of an interleaved benchmark): median ms of 15 calls. Ours alone (A/B of builds).

    PYTHONPATH=<build>/python python bench/pool_ops.py
"""
import statistics
import time

import mlx.core as mx

from common import time_calls


def after_idle_ms(fn, calls=15):
    fn()
    ts = []
    for _ in range(calls):
        time.sleep(0.02)
        ts += time_calls(fn, 1)
    return statistics.median(ts) * 1e3


def main():
    x = mx.random.normal((10**7,))
    rows = mx.random.normal((1000, 10000))
    key = mx.random.key(0)
    mx.eval(x, rows)
    cases = {
        "sort 1e7": lambda: mx.sort(x),
        "cumsum 1e7": lambda: mx.cumsum(x),
        "argmax rows": lambda: mx.argmax(rows, axis=1),
        "softmax rows": lambda: mx.softmax(rows, axis=1),
        "logsumexp rows": lambda: mx.logsumexp(rows, axis=1),
        "normal 1e7": lambda: mx.random.normal((10**7,), key=key),
        "uniform 1e6": lambda: mx.random.uniform(shape=(10**6,), key=key),
        "sort rows": lambda: mx.sort(rows, axis=1),
    }
    print("  ".join(f"{name} {after_idle_ms(lambda: mx.eval(f())):.2f}"
                    for name, f in cases.items()))


if __name__ == "__main__":
    main()
