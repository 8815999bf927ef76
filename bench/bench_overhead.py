"""Graph overhead, runnable with either mlx package (ours or Apple's) or numpy.

    python bench/bench_overhead.py mlxc|mlx|numpy

Prints one JSON object: {"impl": ..., "results": {name: median seconds}}. scripts/bench.sh runs
it once per implementation (the real MLX from its own virtual environment) and bench/report.py
puts the three side by side in docs/BENCHMARKS.md (its "matmul 2048 f32" row comes from
bench/matmul.py). Medians over repeats; absolute times vary on shared machines, ratios within
one run hold.
"""
import json
import sys

from common import median_time


def bench_mlx(mx):
    mx.set_default_device(mx.cpu)
    a = mx.array([1.0, 2.0, 3.0, 4.0])
    b = mx.array([4.0, 3.0, 2.0, 1.0])
    mx.eval(a, b)

    def adds_each_evaluated():
        for _ in range(10_000):
            c = a + b
            mx.eval(c)

    def adds_one_eval():
        outs = [a + b for _ in range(10_000)]
        mx.eval(outs)

    def chain():
        x = mx.array(0.0)
        for _ in range(1_000_000):
            x = x + 1.0
        mx.eval(x)
        assert x.item() == 1_000_000.0

    return {
        "10k adds, eval each": median_time(adds_each_evaluated, 5),
        "10k adds, one eval": median_time(adds_one_eval, 5),
        "chain of 1e6 adds": median_time(chain, 3, warmup=False),
    }


def bench_numpy(np):
    a = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    b = np.array([4.0, 3.0, 2.0, 1.0], dtype=np.float32)

    def adds():
        for _ in range(10_000):
            a + b

    def chain():
        x = np.float32(0.0)
        one = np.float32(1.0)
        for _ in range(1_000_000):
            x = x + one

    return {
        "10k adds, eval each": median_time(adds, 5),
        "chain of 1e6 adds": median_time(chain, 3, warmup=False),
    }


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "mlxc"
    if which == "numpy":
        import numpy as np

        results = bench_numpy(np)
        impl = f"numpy {np.__version__}"
    else:
        import mlx.core as mx

        results = bench_mlx(mx)
        impl = f"{which} {mx.__version__}"
    print(json.dumps({"impl": impl, "results": results}))
