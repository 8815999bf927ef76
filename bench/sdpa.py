"""mx.fast.scaled_dot_product_attention for (1, 32, 1024, 128) float32 (issue 6's target shape),
no mask and causal: ours and the real MLX, each in its own process, median ms of 7 calls.

    PYTHONPATH=<build>/python python bench/sdpa.py [--mlx /tmp/mlxref/bin/python]"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run():
    import mlx.core as mx
    q, k, v = (mx.random.normal((1, 32, 1024, 128)) for _ in range(3))
    mx.eval(q, k, v)
    out = {}
    for mask in (None, "causal"):
        def call():
            mx.eval(mx.fast.scaled_dot_product_attention(q, k, v, scale=128 ** -0.5, mask=mask))
        call()
        ts = []
        for _ in range(7):
            t0 = time.perf_counter()
            call()
            ts.append(time.perf_counter() - t0)
        out[str(mask)] = statistics.median(ts)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--mlx", default="/tmp/mlxref/bin/python")
    args = ap.parse_args()
    if args.worker:
        print(repr(run()))
        return
    ours = run()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ref = None
    if os.path.exists(args.mlx):
        text = subprocess.run([args.mlx, os.path.abspath(__file__), "--worker"], env=env, cwd="/",
                              capture_output=True, text=True, check=True).stdout
        ref = eval(text.strip().splitlines()[-1])
    print("| mask | mlxc ms | MLX ms | MLX/mlxc |\n|---|---|---|---|")
    for mask, t in ours.items():
        r = ref and ref[mask]
        print(f"| {mask} | {t * 1e3:.1f} | {r * 1e3 if r else float('nan'):.1f} | "
              f"{r / t if r else float('nan'):.1f}x |")


if __name__ == "__main__":
    main()
