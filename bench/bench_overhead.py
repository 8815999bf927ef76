"""Graph overhead and matmul, runnable with either mlx package (ours or Apple's).

Prints one JSON object: {"impl": ..., "results": {name: median seconds}}. scripts/bench.sh runs it
under our package and under the real MLX (its own virtual environment), plus numpy, and
writes docs/BENCHMARKS.md. Medians over repeats; absolute times vary on shared machines,
ratios within one run hold.
"""
import json
import statistics
import sys
import time


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


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

    m1 = mx.ones((2048, 2048))
    m2 = mx.ones((2048, 2048))
    mx.eval(m1, m2)

    def matmul():
        mx.eval(m1 @ m2)

    matmul()
    return {
        "10k adds, eval each (s)": median_time(adds_each_evaluated, 5),
        "10k adds, one eval (s)": median_time(adds_one_eval, 5),
        "chain of 1e6 adds (s)": median_time(chain, 3),
        "matmul 2048 f32 (s)": median_time(matmul, 7),
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

    m1 = np.ones((2048, 2048), dtype=np.float32)
    m2 = np.ones((2048, 2048), dtype=np.float32)
    return {
        "10k adds, eval each (s)": median_time(adds, 5),
        "chain of 1e6 adds (s)": median_time(chain, 3),
        "matmul 2048 f32 (s)": median_time(lambda: m1 @ m2, 7),
    }


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "mlx"
    if which == "numpy":
        import numpy as np

        results = bench_numpy(np)
        impl = f"numpy {np.__version__}"
    else:
        import mlx.core as mx

        results = bench_mlx(mx)
        impl = f"{which} {mx.__version__}"
    print(json.dumps({"impl": impl, "results": results}))
