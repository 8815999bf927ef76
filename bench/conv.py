"""Convolutions (float32, CPU) with whichever mlx package is on the path (ours or Apple's):
forward conv2d 3x3 64->64 on 56x56, batch 16 (the issue's target), a strided and a grouped
variant, conv1d, the two convolutions of the CNN example (examples/python/cnn_fashion_mnist.py,
batch 128), and value_and_grad (input and weight) of the first and of the CNN's two.

    python bench/conv.py [--name LABEL] [--steps N]
    python bench/conv.py --compare /tmp/mlxref/bin/python   # runs Apple's MLX in a subprocess

Prints one JSON object: {"impl": ..., "results": {name: median seconds}, "check": checksum};
the checksums of ours and Apple's agree to about 1e-4 (float32 sums in different orders);
with --compare, {"ours": ..., "mlx": ..., "speedup": {name: mlx / ours}}.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CASES = [
    # name, input shape, weight shape, kwargs
    ("conv2d 3x3 64->64 56x56 batch 16", (16, 56, 56, 64), (64, 3, 3, 64), {"padding": 1}),
    ("conv2d 3x3 64->128 stride 2 56x56 batch 16", (16, 56, 56, 64), (128, 3, 3, 64),
     {"padding": 1, "stride": 2}),
    ("conv2d 1x1 256->64 28x28 batch 16", (16, 28, 28, 256), (64, 1, 1, 256), {}),
    ("conv2d 3x3 groups 8 128->128 28x28 batch 8", (8, 28, 28, 128), (128, 3, 3, 16),
     {"padding": 1, "groups": 8}),
    ("conv1d k5 128->128 len 1024 batch 8", (8, 1024, 128), (128, 5, 128), {"padding": 2}),
    ("cnn conv2d 3x3 1->32 28x28 batch 128", (128, 28, 28, 1), (32, 3, 3, 1), {"padding": 1}),
    ("cnn conv2d 3x3 32->64 14x14 batch 128", (128, 14, 14, 32), (64, 3, 3, 32), {"padding": 1}),
]
GRAD_CASES = [CASES[0], CASES[-2], CASES[-1]]


def median_time(step, steps):
    step()  # warm up
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(steps):
    import mlx.core as mx

    mx.set_default_device(mx.cpu)
    mx.random.seed(0)
    results, check = {}, 0.0
    for name, xs, ws, kw in CASES:
        x = mx.random.normal(xs)
        w = mx.random.normal(ws) * 0.05
        mx.eval(x, w)
        fn = mx.conv1d if len(xs) == 3 else mx.conv2d
        results[name + " (s)"] = median_time(lambda: mx.eval(fn(x, w, **kw)), steps)
        check += float(fn(x, w, **kw).sum().item())
    for name, xs, ws, kw in GRAD_CASES:
        x = mx.random.normal(xs)
        w = mx.random.normal(ws) * 0.05
        mx.eval(x, w)
        vg = mx.value_and_grad(lambda x, w: mx.conv2d(x, w, **kw).square().sum(), argnums=(0, 1))
        results["value_and_grad " + name + " (s)"] = median_time(lambda: mx.eval(vg(x, w)), steps)
        v, (gx, gw) = vg(x, w)
        check += float(gx.abs().sum().item()) + float(gw.abs().sum().item())
    return results, check, mx.__version__


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default=None, help="label for the implementation")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--compare", default=None, help="python executable with Apple's MLX")
    a = ap.parse_args()
    if a.compare:
        def run(py, label, env=None):
            out = subprocess.run([py, __file__, "--name", label, "--steps", str(a.steps)],
                                 check=True, capture_output=True, text=True, env=env).stdout
            return json.loads(out)
        # the reference must not see our package through PYTHONPATH
        ref_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        ours, ref = run(sys.executable, "mlxc"), run(a.compare, "mlx", ref_env)
        speed = {k: ref["results"][k] / v for k, v in ours["results"].items() if k in ref["results"]}
        print(json.dumps({"ours": ours, "mlx": ref, "speedup": speed}))
    else:
        results, check, version = bench(a.steps)
        print(json.dumps({"impl": f"{a.name or 'mlx'} {version}", "results": results,
                          "check": check}))
